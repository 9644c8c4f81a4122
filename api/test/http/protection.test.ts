import t from 'tap';
import { setupApp } from '../helpers/app.ts';

// Tests that authenticate and write only within accounts of their own share one app. Those that
// count every row, break the database, exhaust the address's key guesses or need another setting
// build their own.
const shared = await setupApp(t);

t.test('authentication', async (t) => {
  const ctx = shared;
  const acme = await ctx.createAccount();

  const none = await ctx.app.inject({ method: 'GET', url: '/v1/customers' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'auth/missing_api_key');
  t.match(none.headers['www-authenticate'], /^Bearer/);

  for (const header of ['Bearer rk_live_nope', 'Basic abc', `Bearer ${acme.apiKey}x`, 'Bearer']) {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/customers', headers: { authorization: header } });
    t.equal(res.statusCode, 401, header);
    t.equal(res.json().code, 'auth/invalid_api_key', header);
  }

  const ok = await ctx.app.inject({ method: 'GET', url: '/v1/customers', headers: acme.auth });
  t.equal(ok.statusCode, 200);

  t.test('read-only keys read and cannot write', async (t) => {
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/v1/api_keys',
      headers: acme.auth,
      payload: { name: 'dashboard', read_only: true },
    });
    t.equal(created.statusCode, 201);
    const key = created.json();
    t.match(key, { read_only: true, prefix: key.secret.slice(0, 14), object: 'api_key' });
    const ro = { authorization: `Bearer ${key.secret}` };
    t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/invoices', headers: ro })).statusCode, 200);
    for (const [method, url, payload] of [
      ['POST', '/v1/customers', { name: 'x' }],
      ['PATCH', '/v1/account', { name: 'x' }],
      ['POST', '/v1/api_keys', {}],
    ] as const) {
      const res = await ctx.app.inject({ method, url, headers: ro, payload });
      t.equal(res.statusCode, 403, `${method} ${url}`);
      t.equal(res.json().code, 'auth/read_only_key');
    }
    t.equal(
      (await ctx.app.inject({ method: 'GET', url: '/v1/customers', headers: acme.auth })).json().data.length,
      0,
      'nothing was written',
    );
  });

  t.test('revoked keys stop working at once; the secret is never listed', async (t) => {
    const key = (
      await ctx.app.inject({ method: 'POST', url: '/v1/api_keys', headers: acme.auth, payload: { name: 'temp' } })
    ).json();
    const auth = { authorization: `Bearer ${key.secret}` };
    t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: auth })).statusCode, 200);
    const revoked = await ctx.app.inject({ method: 'POST', url: `/v1/api_keys/${key.id}/revoke`, headers: acme.auth });
    t.equal(revoked.statusCode, 200);
    t.ok(revoked.json().revoked_at);
    const after = await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: auth });
    t.equal(after.statusCode, 401);
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/api_keys', headers: acme.auth });
    t.notMatch(list.body, key.secret);
    t.notMatch(list.body, /"secret"/);
  });

  t.test('last use is recorded', async (t) => {
    const list = (await ctx.app.inject({ method: 'GET', url: '/v1/api_keys', headers: acme.auth })).json();
    const first = list.data.find((k: { name: string }) => k.name === 'Default key');
    t.ok(first.last_used_at, 'the default key has a last use');
  });
});

t.test('secrets are stored hashed', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const owner = await ctx.database.withSystem((trx) =>
    trx.selectFrom('api_keys').select(['secret_hash', 'prefix']).execute(),
  );
  t.equal(owner.length, 1);
  t.equal(owner[0]?.secret_hash.length, 32, 'a SHA-256 digest');
  t.notOk(owner[0]?.secret_hash.toString('utf8').includes(acme.apiKey));
  t.equal(owner[0]?.prefix, acme.apiKey.slice(0, 14));
});

t.test('malformed requests get problem+json, never a 500', async (t) => {
  const ctx = await setupApp(t, { env: { BODY_LIMIT_BYTES: '2048' } });
  const acme = await ctx.createAccount();
  const send = (payload: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/customers',
      payload,
      headers: { ...acme.auth, 'content-type': 'application/json', ...headers },
    });

  const cases: Array<[string, Record<string, string>, number, string]> = [
    ['{"name": ', {}, 400, 'request/malformed_json'],
    ['', {}, 400, 'request/malformed_json'],
    ['[1,2,3]', {}, 400, 'request/validation_failed'],
    ['"just a string"', {}, 400, 'request/validation_failed'],
    ['null', {}, 400, 'request/validation_failed'],
    ['{"name": 42}', {}, 400, 'request/validation_failed'],
    ['{"name": "x", "email": "not-an-email"}', {}, 400, 'request/validation_failed'],
    ['{"name": "x", "time_zone": "Mars/Olympus"}', {}, 400, 'request/validation_failed'],
    ['{"name": "x", "metadata": {"k": 1}}', {}, 400, 'request/validation_failed'],
    ['{"name": "x", "__proto__": {"admin": true}}', {}, 400, 'request/malformed_json'],
    [JSON.stringify({ name: 'x'.repeat(5000) }), {}, 413, 'request/body_too_large'],
    ['name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'request/unsupported_media_type'],
  ];
  for (const [payload, headers, status, code] of cases) {
    const res = await send(payload, headers);
    t.equal(res.statusCode, status, `${payload.slice(0, 40)} → ${status}`);
    t.equal(res.json().code, code, `${payload.slice(0, 40)} → ${code}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json().request_id, res.headers['x-request-id']);
  }
  const tz = await send('{"name": "x", "time_zone": "Mars/Olympus"}');
  t.match(tz.json().errors, [{ field: '/time_zone', message: /IANA/ }]);

  const badQuery = await ctx.app.inject({
    method: 'GET',
    url: '/v1/invoices?limit=1000&overdue=maybe&due_date_from=2026-02-30',
    headers: acme.auth,
  });
  t.equal(badQuery.statusCode, 400);
  t.equal(badQuery.json().code, 'request/validation_failed');
  t.same(
    badQuery
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort(),
    ['/due_date_from', '/limit', '/overdue'],
  );

  const route = await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: acme.auth });
  t.equal(route.statusCode, 404);
  t.equal(route.json().code, 'request/route_not_found');

  t.equal(
    (await ctx.app.inject({ method: 'GET', url: '/v1/customers', headers: acme.auth })).json().data.length,
    0,
    'nothing was stored',
  );
});

t.test('request ids: generated, or taken from x-request-id, returned in header and errors', async (t) => {
  const ctx = shared;
  const mine = await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: { 'x-request-id': 'trace-123' } });
  t.equal(mine.headers['x-request-id'], 'trace-123');
  t.equal(mine.json().request_id, 'trace-123');
  const generated = await ctx.app.inject({ method: 'GET', url: '/health' });
  t.match(generated.headers['x-request-id'], /^req_[0-9a-f]{20}$/);
});

t.test('rate limit per key: 429 with Retry-After', async (t) => {
  const ctx = await setupApp(t, { env: { RATE_LIMIT_PER_MINUTE: '5' } });
  const a = await ctx.createAccount({ name: 'A' });
  const b = await ctx.createAccount({ name: 'B' });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++)
    statuses.push((await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: a.auth })).statusCode);
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: a.auth });
  t.equal(limited.json().code, 'rate_limit/exceeded');
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal(
    (await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: b.auth })).statusCode,
    200,
    'another key has its own budget',
  );
});

t.test('health and readiness', async (t) => {
  const ctx = await setupApp(t);
  const health = await ctx.app.inject({ method: 'GET', url: '/health' });
  t.same(health.json(), { status: 'ok' });
  const ready = await ctx.app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', warnings: [] }, 'every reference rate is current on 2 March 2026');
  await ctx.database.withSystem(async () => {});
  const owner = await import('pg');
  const client = new owner.default.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  await client.query('DELETE FROM kysely_migration');
  await client.end();
  const pending = await ctx.app.inject({ method: 'GET', url: '/ready' });
  t.equal(pending.statusCode, 503);
  t.equal(pending.json().status, 'migrations_pending');
});

t.test('the key check cannot be dodged by spelling the path differently', async (t) => {
  const ctx = shared;
  for (const url of ['/graphql/', '/%67raphql', '/v1/customers/', '/v1/%63ustomers', '/V1/customers']) {
    const res = await ctx.app.inject({ method: 'POST', url, payload: { query: '{ account { id } }' } });
    t.ok([401, 404].includes(res.statusCode), `${url} → ${res.statusCode}`);
    t.notOk(res.statusCode === 200 || res.statusCode === 201, `${url} is not served without a key`);
  }
});

t.test('guessing keys is throttled per client address and key prefix', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const guess = (secret: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'GET', url: '/v1/account', headers: { authorization: `Bearer ${secret}`, ...headers } });
  const codes: number[] = [];
  // One prefix (`rk_live_xxxxxx`), 32 suffixes: the 31st is refused without a lookup.
  for (let i = 0; i < 32; i++) codes.push((await guess(`rk_live_${String(i).padStart(32, 'x')}`)).statusCode);
  t.same(codes.slice(0, 30), Array(30).fill(401));
  t.same(codes.slice(30), [429, 429]);
  t.ok(Number((await guess('rk_live_xxxxxxxxxxxxxx')).headers['retry-after']) > 0);
  const good = await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: acme.auth });
  t.equal(good.statusCode, 200, 'a valid key from the same address still works');

  // Many prefixes from one address: past 300 failures, only prefixes known good get a lookup.
  for (let i = 0; i < 300; i++) await guess(`rk_live_${String(i).padStart(6, '0')}${'y'.repeat(26)}`);
  t.equal((await guess(`rk_live_zzzzzz${'z'.repeat(26)}`)).statusCode, 429, 'a new prefix is refused');
  t.equal(
    (await ctx.app.inject({ method: 'GET', url: '/v1/account', headers: acme.auth })).statusCode,
    200,
    'a key that authenticated lately still works',
  );
});

t.test('TRUST_PROXY: the client address comes from X-Forwarded-For', async (t) => {
  const behind = await setupApp(t, { env: { TRUST_PROXY: '127.0.0.1/8' } });
  await behind.createAccount();
  const guess = (ctx: typeof behind, client: string) =>
    ctx.app.inject({
      method: 'GET',
      url: '/v1/account',
      headers: { authorization: 'Bearer rk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'x-forwarded-for': client },
    });
  for (let i = 0; i < 30; i++) await guess(behind, '203.0.113.7');
  t.equal((await guess(behind, '203.0.113.7')).statusCode, 429, 'the guessing client is throttled');
  t.equal((await guess(behind, '198.51.100.9')).statusCode, 401, 'another client behind the same proxy is not');

  const direct = await setupApp(t); // TRUST_PROXY unset: the header is ignored
  await direct.createAccount();
  for (let i = 0; i < 30; i++) await guess(direct, `203.0.113.${i}`);
  t.equal(
    (await guess(direct, '198.51.100.9')).statusCode,
    429,
    'without TRUST_PROXY, a forged header changes nothing',
  );
});

t.test('a refused write does not burn its idempotency key', async (t) => {
  const ctx = shared;
  const acme = await ctx.createAccount();
  const ro = (
    await ctx.app.inject({ method: 'POST', url: '/v1/api_keys', headers: acme.auth, payload: { read_only: true } })
  ).json();
  const body = { name: 'Client' };
  const refused = await ctx.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: { authorization: `Bearer ${ro.secret}`, 'idempotency-key': 'same' },
    payload: body,
  });
  t.equal(refused.statusCode, 403);
  const accepted = await ctx.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: { ...acme.auth, 'idempotency-key': 'same' },
    payload: body,
  });
  t.equal(accepted.statusCode, 201);
});

t.test('only an admin key (or the CLI) creates and revokes keys', async (t) => {
  const ctx = shared;
  const acme = await ctx.createAccount();
  const post = (auth: { authorization: string }, url: string, payload: object = {}) =>
    ctx.app.inject({ method: 'POST', url, headers: auth, payload });
  const first = (await ctx.app.inject({ method: 'GET', url: '/v1/api_keys', headers: acme.auth })).json().data[0];
  t.equal(first.admin, true, "an account's first key is an admin key");

  const ordinary = (await post(acme.auth, '/v1/api_keys', { name: 'shop' })).json();
  t.equal(ordinary.admin, false, 'keys are not admin unless asked');
  const ordinaryAuth = { authorization: `Bearer ${ordinary.secret}` };
  t.equal((await post(ordinaryAuth, '/v1/customers', { name: 'x' })).statusCode, 201, 'an ordinary key writes');
  for (const [url, payload] of [
    ['/v1/api_keys', { name: 'more' }],
    [`/v1/api_keys/${first.id}/revoke`, {}],
  ] as const) {
    const res = await post(ordinaryAuth, url, payload);
    t.equal(res.statusCode, 403, url);
    t.equal(res.json().code, 'auth/admin_key_required', url);
  }
  const both = await post(acme.auth, '/v1/api_keys', { admin: true, read_only: true });
  t.equal(both.statusCode, 400);
  t.match(both.json(), { code: 'request/validation_failed', errors: [{ field: '/admin' }] });

  const admin = (await post(acme.auth, '/v1/api_keys', { name: 'ops', admin: true })).json();
  t.equal(admin.admin, true);
  t.equal(
    (await post({ authorization: `Bearer ${admin.secret}` }, `/v1/api_keys/${ordinary.id}/revoke`)).statusCode,
    200,
    'an admin key revokes',
  );

  // The CLI acts with no key: it may.
  const cli = { accountId: acme.accountId, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
  t.equal((await ctx.services.apiKeys.create(cli, { name: 'from the CLI' })).admin, false);
});
