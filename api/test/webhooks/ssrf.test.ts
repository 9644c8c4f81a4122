import { pino } from 'pino';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { isForbiddenAddress } from '../../src/domain/webhooks/target.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// No request leaves this machine here: every refusal happens before a connection is opened.
t.test('endpoint URLs that reach private addresses are refused at creation', async (t) => {
  const ctx = await setupApp(t); // WEBHOOKS_ALLOW_PRIVATE_TARGETS unset: the production default
  const live = await ctx.createAccount({ name: 'Live', mode: 'live' });
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test' });
  const create = (url: string, who = sandbox) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/webhook_endpoints',
      headers: who.auth,
      payload: { url, enabled_events: ['*'] },
    });

  for (const url of [
    'https://127.0.0.1/hooks',
    'https://127.8.9.10/',
    'https://10.0.0.1/',
    'https://10.255.255.254:8443/x',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://192.168.1.10/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://[::ffff:10.0.0.1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
    'https://localhost/hooks',
    'http://localhost:3000/hooks',
  ]) {
    const res = await create(url);
    t.equal(res.statusCode, 422, url);
    t.equal(res.json().code, 'webhook_endpoint/forbidden_target', url);
  }

  const plain = await create('http://hooks.example.com/relance', live);
  t.equal(plain.statusCode, 422);
  t.equal(plain.json().code, 'webhook_endpoint/https_required', 'live mode needs https');
  const bad = await create('ftp://files.example.com/');
  t.equal(bad.statusCode, 400, 'only http(s) URLs are valid');
  const creds = await create('https://user:pass@8.8.8.8/');
  t.equal(creds.json().code, 'webhook_endpoint/invalid_url');
  const pub = await create('https://8.8.8.8/hooks', live);
  t.equal(pub.statusCode, 201, 'a public address is accepted (nothing is sent to it here)');

  // Changing the URL is checked the same way.
  const id = pub.json().id;
  const patched = await ctx.app.inject({
    method: 'PATCH',
    url: `/v1/webhook_endpoints/${id}`,
    headers: live.auth,
    payload: { url: 'https://192.168.0.1/' },
  });
  t.equal(patched.json().code, 'webhook_endpoint/forbidden_target');
  await ctx.app.inject({ method: 'DELETE', url: `/v1/webhook_endpoints/${id}`, headers: live.auth });
});

t.test('the address is checked again at send time (DNS rebinding)', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  // Created while private targets were allowed, delivered by a worker that refuses them.
  const ctx = await setupApp(t, { clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  const strict = createServices({ database: ctx.database, clock, webhookTargets: { allowPrivateTargets: false } });
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: strict,
    clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const acme = await ctx.createAccount({ name: 'Acme' });
  const port = new URL(receiver.url).port;
  for (const url of [receiver.url, `http://localhost:${port}/by-name`]) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/webhook_endpoints',
      headers: acme.auth,
      payload: { url, enabled_events: ['*'] },
    });
    t.equal(res.statusCode, 201);
  }
  await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'Client' } });
  await worker.dispatchWebhooks();
  let deliveries: any[] = [];
  for (let i = 0; i < 200 && !(deliveries.length === 2 && deliveries.every((d) => d.attempt_count === 1)); i++) {
    await new Promise((r) => setTimeout(r, 50));
    deliveries = (await ctx.app.inject({ method: 'GET', url: '/v1/webhook_deliveries', headers: acme.auth })).json()
      .data;
  }
  t.equal(deliveries.length, 2);
  for (const d of deliveries) {
    t.match(d, { status: 'pending', attempt_count: 1 });
    t.match(d.attempts[0], {
      status_code: null,
      succeeded: false,
      error: /resolves to (127\.0\.0\.1|::1), a private, loopback, link-local or reserved address/,
    });
  }
  t.equal(receiver.received.length, 0, 'nothing reached the private address');
});

t.test('forbidden address ranges', async (t) => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:192.168.0.1',
    '::ffff:a00:1',
    '64:ff9b::a9fe:a9fe',
  ]) {
    t.ok(isForbiddenAddress(a), `${a} refused`);
  }
  for (const a of [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ]) {
    t.notOk(isForbiddenAddress(a), `${a} allowed`);
  }
});

t.test(
  'in development, a test-mode account may target a receiver on loopback; live mode and private ranges stay refused',
  async (t) => {
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    const ctx = await setupApp(t, { clock, env: { NODE_ENV: 'development', LOG_LEVEL: 'silent' } }); // no WEBHOOKS_ALLOW_PRIVATE_TARGETS
    const worker = await startWorker({
      databaseUrl: ctx.databaseUrl,
      services: ctx.services,
      clock,
      log: pino({ level: 'silent' }),
      timer: false,
    });
    t.teardown(() => worker.stop());
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const live = await ctx.createAccount({ name: 'Live', mode: 'live' });
    const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test' });
    const create = (url: string, who: typeof live) =>
      ctx.app.inject({
        method: 'POST',
        url: '/v1/webhook_endpoints',
        headers: who.auth,
        payload: { url, enabled_events: ['customer.created'] },
      });

    const port = new URL(receiver.url).port;
    const refusedLive = await create(`http://127.0.0.1:${port}/hooks`, live);
    t.equal(refusedLive.json().code, 'webhook_endpoint/https_required', 'live mode: https only');
    t.equal(
      (await create(`https://127.0.0.1:${port}/hooks`, live)).json().code,
      'webhook_endpoint/forbidden_target',
      'live mode: no loopback',
    );
    for (const url of [
      'http://10.0.0.1/',
      'http://192.168.1.10/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
    ]) {
      t.equal(
        (await create(url, sandbox)).json().code,
        'webhook_endpoint/forbidden_target',
        `test mode: ${url} still refused`,
      );
    }
    for (const url of [receiver.url, `http://localhost:${port}/by-name`]) {
      t.equal((await create(url, sandbox)).statusCode, 201, `test mode: ${url} accepted`);
    }
    await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: sandbox.auth, payload: { name: 'Client' } });
    await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: live.auth, payload: { name: 'Client' } });
    await worker.dispatchWebhooks();
    await receiver.waitFor(2, 10_000);
    t.equal(receiver.accepted().length, 2, 'both loopback endpoints of the test account got the event');
    t.ok(
      receiver.received.every((r) => JSON.parse(r.body).account_id === sandbox.accountId),
      'nothing of the live account',
    );
  },
);

t.test('outside development, test mode gets no loopback either', async (t) => {
  const ctx = await setupApp(t, { env: { NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test' });
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/webhook_endpoints',
    headers: sandbox.auth,
    payload: { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] },
  });
  t.equal(res.json().code, 'webhook_endpoint/forbidden_target');
});

// Every way of writing a non-public address that we know of: each must be refused, at
// registration (the literal in the URL) and at delivery (the same check on what the name resolves to).
const FORBIDDEN_FORMS = [
  // The five forms of the report.
  '2002:7f00:1::1', // 6to4 of 127.0.0.1
  '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
  '::ffff:0:a9fe:a9fe', // SIIT (RFC 6145) of 169.254.169.254
  '64:ff9b:1::a9fe:a9fe', // local-use NAT64 (RFC 8215)
  '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
  // Their kin.
  '2002:a00:1::',
  '2002:c0a8:101::1',
  '2002:808:808::1', // 6to4 of 10.0.0.1, 192.168.1.1, even of a public one
  '::ffff:0:7f00:1',
  '::ffff:0:a00:1', // SIIT of loopback, private
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::169.254.169.254',
  '64:ff9b::7f00:1',
  '64:ff9b:1:2::a00:1', // NAT64 well-known and local-use
  '2001::1',
  '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo (its server, an embedded 127.0.0.1)
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:a9fe:a9fe',
  '::ffff:169.254.169.254',
  '::ffff:10.0.0.1', // IPv4-mapped
  '::127.0.0.1',
  '::a9fe:a9fe',
  '::a00:1',
  '::8.8.8.8', // IPv4-compatible (deprecated; ::/8 is reserved)
  '::',
  '::1',
  '0:0:0:0:0:0:0:1', // unspecified, loopback
  'fe80::1',
  'febf::1',
  'fec0::1',
  'fc00::1',
  'fd00:ec2::254',
  'ff02::1',
  'ff0e::1', // link-local, site-local, ULA, multicast
  '100::1',
  '2001:db8::1',
  '3fff::1',
  '2001:2::1',
  '2001:10::1',
  '2001:20::1',
  '5f00::1', // discard, documentation, benchmarking, ORCHID, SRv6
  '127.0.0.1',
  '127.255.255.254',
  '0.0.0.0',
  '0.1.2.3',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  '169.254.169.254',
  '192.0.0.1',
  '192.0.2.1',
  '198.18.0.1',
  '198.51.100.1',
  '203.0.113.1',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
];

t.test('every form of a non-public address is refused, IPv6 transition forms included', async (t) => {
  for (const address of FORBIDDEN_FORMS) t.ok(isForbiddenAddress(address), `${address} refused`);
  for (const address of [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '::ffff:8.8.8.8',
    '2001:4860:4860::8888',
  ]) {
    t.notOk(isForbiddenAddress(address), `${address} allowed`);
  }
  for (const notAnAddress of [
    '',
    'localhost',
    '127.1',
    '0x7f000001',
    '2130706433',
    '0177.0.0.1',
    '[::1]',
    'fe80::1%eth0',
  ]) {
    t.ok(isForbiddenAddress(notAnAddress), `'${notAnAddress}' is not a literal address: refused`);
  }

  const ctx = await setupApp(t); // the production default: private targets refused
  const live = await ctx.createAccount({ name: 'Live', mode: 'live' });
  const create = (url: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/webhook_endpoints',
      headers: live.auth,
      payload: { url, enabled_events: ['*'] },
    });
  for (const address of FORBIDDEN_FORMS) {
    const url = address.includes(':') ? `https://[${address}]/hook` : `https://${address}/hook`;
    const res = await create(url);
    t.equal(res.json().code, 'webhook_endpoint/forbidden_target', url);
  }
  // The URL parser turns the old IPv4 spellings into the address they mean: refused as that.
  for (const url of [
    'https://127.1/',
    'https://0x7f000001/',
    'https://2130706433/',
    'https://0177.0.0.1/',
    'https://[::ffff:7f00:1]/',
    'https://169.254.169.254./',
  ]) {
    t.equal((await create(url)).json().code, 'webhook_endpoint/forbidden_target', url);
  }
});

t.test('a URL is resolved only after authorization and the 404 check', async (t) => {
  const ctx = await setupApp(t);
  const live = await ctx.createAccount({ name: 'Live', mode: 'live' });
  const unknown = await ctx.app.inject({
    method: 'PATCH',
    url: '/v1/webhook_endpoints/we_01h455vb4pex5vsknk084sn02q',
    headers: live.auth,
    payload: { url: 'https://nowhere.invalid/hook' },
  });
  t.equal(unknown.statusCode, 404, 'unknown endpoint: 404, not a resolution failure');
  t.equal(unknown.json().code, 'webhook_endpoint/not_found');
  const readOnly = (
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/api_keys',
      headers: live.auth,
      payload: { name: 'ro', read_only: true },
    })
  ).json();
  const refused = await ctx.app.inject({
    method: 'POST',
    url: '/v1/webhook_endpoints',
    headers: { authorization: `Bearer ${readOnly.secret}` },
    payload: { url: 'https://nowhere.invalid/hook', enabled_events: ['*'] },
  });
  t.equal(refused.json().code, 'auth/read_only_key', 'a key that may not write learns nothing of the name');
});
