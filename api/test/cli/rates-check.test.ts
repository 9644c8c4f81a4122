import t from 'tap';
import { createTestDatabase } from '../helpers/database.ts';
import { runScript } from '../helpers/process.ts';

t.test('operator CLI: rates check', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  const cli = async (...args: string[]) => {
    const run = runScript('api/src/cli.ts', args, { DATABASE_URL: testDb.url });
    const code = await run.exited;
    return { code, out: run.output() };
  };

  const current = await cli('rates', 'check', '--today', '2026-03-02');
  t.equal(current.code, 0, current.out);
  t.match(current.out, 'all rates current (as of 2026-03-02)');

  const grace = await cli('rates', 'check', '--today', '2026-07-30');
  t.equal(grace.code, 0, `30 days after a reference date is still current: ${grace.out}`);

  const stale = await cli('rates', 'check', '--today', '2027-02-15');
  t.equal(stale.code, 1, stale.out);
  t.match(stale.out, /ecb_mro {2}2026-H2 {2}2026-07-01/);
  t.match(stale.out, /ecb_mro {2}2027-H1 {2}2027-01-01/);
  t.match(stale.out, /boe_base {2}2026-H2 {2}2026-06-30/);
  t.match(stale.out, /boe_base {2}2027-H1 {2}2026-12-31/);
  t.match(stale.out, 'rates add --source ecb_mro --effective-on 2026-07-01', 'says how to fix it');

  const added = await cli('rates', 'add', '--source', 'ecb_mro', '--effective-on', '2026-07-01', '--rate-bps', '215');
  t.equal(added.code, 0, added.out);
  const after = await cli('rates', 'check', '--today', '2027-02-15');
  t.equal(after.code, 1);
  t.notMatch(after.out, 'ecb_mro  2026-H2', 'a rate recorded on the reference date is no longer missing');
  t.match(after.out, 'ecb_mro  2027-H1');

  // Without --today, the clock's day (UTC): the shipped rates end with 2026-H1.
  const today = new Date().toISOString().slice(0, 10);
  const now = await cli('rates', 'check');
  t.match(now.out, `(as of ${today})`);

  const bad = await cli('rates', 'check', '--today', '2027-02-30');
  t.equal(bad.code, 2);
  t.match(bad.out, '--today must be a calendar date');
});
