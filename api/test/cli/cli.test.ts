import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { runScript } from '../helpers/process.ts';

t.test('operator CLI: accounts and keys', async (t) => {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 2 });
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), database });
  t.teardown(async () => {
    await app.close();
    await database.close();
    await testDb.drop();
  });
  const cli = async (...args: string[]) => {
    const run = runScript('api/src/cli.ts', args, { DATABASE_URL: testDb.url });
    const code = await run.exited;
    return { code, out: run.output() };
  };
  const whoami = (secret: string) =>
    app.inject({ method: 'GET', url: '/v1/account', headers: { authorization: `Bearer ${secret}` } });

  const created = await cli(
    'accounts',
    'create',
    '--name',
    'Acme SAS',
    '--time-zone',
    'Europe/Paris',
    '--currency',
    'EUR',
  );
  t.equal(created.code, 0, created.out);
  const accountId = /Account (acct_[0-9a-z]{26})/.exec(created.out)?.[1] ?? '';
  const secret = /(rk_live_[\w-]{32})/.exec(created.out)?.[1] ?? '';
  t.ok(accountId && secret, 'prints the account id and the secret');
  t.match((await whoami(secret)).json(), { id: accountId, name: 'Acme SAS', time_zone: 'Europe/Paris' });

  const listed = await cli('accounts', 'list');
  t.match(listed.out, accountId);

  const ro = await cli('keys', 'create', '--account', accountId, '--name', 'reporting', '--read-only');
  t.equal(ro.code, 0, ro.out);
  const roSecret = /(rk_live_[\w-]{32})/.exec(ro.out)?.[1] ?? '';
  const roKeyId = /API key (key_[0-9a-z]{26})/.exec(ro.out)?.[1] ?? '';
  t.equal((await whoami(roSecret)).statusCode, 200);
  const write = await app.inject({
    method: 'PATCH',
    url: '/v1/account',
    headers: { authorization: `Bearer ${roSecret}` },
    payload: { name: 'x' },
  });
  t.equal(write.json().code, 'auth/read_only_key');

  const keys = await cli('keys', 'list', '--account', accountId);
  t.match(keys.out, roKeyId);
  t.match(keys.out, 'read-only');
  t.notMatch(keys.out, roSecret, 'secrets are never listed');

  const revoked = await cli('keys', 'revoke', '--account', accountId, '--key', roKeyId);
  t.equal(revoked.code, 0, revoked.out);
  // This process cached the key a moment ago: a fresh app sees the revocation at once.
  const fresh = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), database });
  t.teardown(() => fresh.close());
  t.equal(
    (await fresh.inject({ method: 'GET', url: '/v1/account', headers: { authorization: `Bearer ${roSecret}` } }))
      .statusCode,
    401,
  );

  const test = await cli('accounts', 'create', '--name', 'Sandbox', '--mode', 'test');
  t.match(test.out, /rk_test_[\w-]{32}/, 'test-mode accounts get rk_test_ keys');

  const missing = await cli('accounts', 'create');
  t.not(missing.code, 0);
  t.match(missing.out, '--name is required');
  const unknown = await cli('keys', 'list', '--account', 'acct_01aaaaaaaaaaaaaaaaaaaaaaaa');
  t.not(unknown.code, 0);
  t.match(unknown.out, 'No account');
  const added = await cli('rates', 'add', '--source', 'ecb_mro', '--effective-on', '2026-06-10', '--rate-bps', '200');
  t.equal(added.code, 0, added.out);
  t.match(added.out, 'ecb_mro 2.00 % in force from 2026-06-10');
  const rates = await cli('rates', 'list');
  t.match(rates.out, 'ecb_mro  2026-06-10  2.00 %');
  t.match(rates.out, 'boe_base  2025-08-07  4.00 %', 'the shipped rates are listed');
  const incomplete = await cli('rates', 'add', '--source', 'ecb_mro');
  t.equal(incomplete.code, 2);
  const usage = await cli('frobnicate');
  t.equal(usage.code, 2);
  t.match(usage.out, 'accounts create');
});
