import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { PageCache } from '../../src/portal/page-cache.ts';

const page = (text: string) => ({ html: `<p>${text}</p>`, csp: "default-src 'none'" });

t.test('a page is kept for its version only, with its gzip', async (t) => {
  const cache = new PageCache(10_000);
  const kept = cache.set('pl_a', 'v1', page('hello'));
  t.equal(gunzipSync(kept.gzipped).toString(), '<p>hello</p>');
  t.equal(cache.get('pl_a', 'v1')?.html, '<p>hello</p>');
  t.equal(cache.get('pl_a', 'v2'), undefined, 'another version: render again');
  cache.set('pl_a', 'v2', page('changed'));
  t.equal(cache.get('pl_a', 'v1'), undefined, 'the old version is gone');
  t.equal(cache.get('pl_a', 'v2')?.html, '<p>changed</p>');
});

t.test('bounded in bytes: the least recently used goes first', async (t) => {
  const big = (n: number) => page(`${n}`.repeat(1000));
  // Room for two of these pages (1,007 bytes of HTML and a few dozen of gzip each), not three.
  const one = new PageCache(2 * (1007 + 40));
  one.set('pl_1', 'v', big(1));
  one.set('pl_2', 'v', big(2));
  t.ok(one.get('pl_1', 'v'), 'both fit');
  one.set('pl_3', 'v', big(3));
  t.equal(one.get('pl_2', 'v'), undefined, 'pl_2, least recently used, was dropped');
  t.ok(one.get('pl_1', 'v'));
  t.ok(one.get('pl_3', 'v'));
  t.ok(one.bytes <= 2 * (1007 + 40));
  const huge = one.set('pl_4', 'v', page('x'.repeat(10_000)));
  t.equal(huge.html.length, 10_007, 'a page larger than the cache is served');
  t.equal(one.get('pl_4', 'v'), undefined, 'but not kept');
  t.ok(one.get('pl_1', 'v'), 'and evicts nothing');
});
