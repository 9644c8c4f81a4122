import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { mainStart, ROOT } from '../helpers/process.ts';

// The memory settings (docs/operations.md#memory) are the same however a process is started.
t.test('the Dockerfile starts every process as the start scripts do', async (t) => {
  const scripts = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const flagsOf = (words: string[]) => words.slice(words.indexOf('node') + 1, words.indexOf('api/src/main.ts'));
  const { flags, env } = mainStart();
  t.ok(
    flags.some((flag) => flag.startsWith('--max-old-space-size=')),
    'the old generation is bounded',
  );
  t.same(env, { MALLOC_ARENA_MAX: '2', NODE_COMPILE_CACHE: '.relance/compile-cache' });
  for (const name of ['start', 'start:api', 'start:worker', 'migrate']) {
    const words = (scripts[name] ?? '').split(/\s+/);
    t.same(flagsOf(words), flags, `npm run ${name}: its flags`);
    t.same(
      words.slice(0, words.indexOf('node')),
      ['MALLOC_ARENA_MAX=2', 'NODE_COMPILE_CACHE=.relance/compile-cache'],
      `npm run ${name}: its environment`,
    );
  }
  const dockerfile = readFileSync(`${ROOT}/Dockerfile`, 'utf8');
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  t.same(flagsOf(entrypoint), flags, 'the image: its flags');
  t.match(dockerfile, /^ENV .*\bMALLOC_ARENA_MAX=2\b/m, 'the image: its environment');
  t.match(dockerfile, /^ENV .*\bNODE_COMPILE_CACHE=\/app\/\.relance\/compile-cache\b/m, 'the image: its compile cache');
});

// The start scripts and the image set NODE_COMPILE_CACHE: with it warm, a process reads its modules
// stripped and compiled from the cache, and Node's TypeScript stripper (a WebAssembly build of
// about 20 MiB resident) is never loaded.
t.test('a warm compile cache keeps the TypeScript stripper out of the process', async (t) => {
  const cache = await mkdtemp(path.join(tmpdir(), 'relance-compile-cache-'));
  t.teardown(() => rm(cache, { recursive: true, force: true }));
  const entry = pathToFileURL(path.join(ROOT, 'api/src/domain/money.ts')).href;
  const probe = `await import(${JSON.stringify(entry)}); console.log(process.moduleLoadList.some((m) => m.includes('internal/deps/amaro')))`;
  const run = () =>
    execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: { ...process.env, NODE_COMPILE_CACHE: cache },
      encoding: 'utf8',
    }).trim();
  t.equal(run(), 'true', 'cold: the sources are stripped of their types, the stripper loaded');
  t.equal(run(), 'false', 'warm: read from the cache, the stripper never loaded');
});
