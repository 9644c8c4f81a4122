import { pino } from 'pino';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const ALLOW_PRIVATE = { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' };

async function harness(t: Test, clock: ManualClock) {
  const ctx = await setupApp(t, { clock, env: ALLOW_PRIVATE });
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: ctx.services,
    clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const call = (who: TestAccount, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: who.auth, ...(payload && { payload }) });
  return { ctx, worker, call };
}

/** Deliveries of an account, straight from the API. */
const deliveriesOf = async (ctx: TestContext, who: TestAccount, query = '') =>
  (await ctx.app.inject({ method: 'GET', url: `/v1/webhook_deliveries?limit=100${query}`, headers: who.auth })).json()
    .data as any[];

/** Waits until `check` returns a value (polling every 50 ms, at most 20 s). */
async function eventually<T>(check: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

t.test('deliveries are signed per Standard Webhooks: standardwebhooks and svix verify them', async (t) => {
  const clock = new ManualClock(new Date());
  const { ctx, worker, call } = await harness(t, clock);
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const acme = await ctx.createAccount({ name: 'Acme' });

  const created = await call(acme, 'POST', '/v1/webhook_endpoints', {
    url: `${receiver.url}/hooks`,
    description: 'CRM',
    enabled_events: ['customer.created'],
  });
  t.equal(created.statusCode, 201, created.body);
  const endpoint = created.json();
  t.match(endpoint, {
    object: 'webhook_endpoint',
    url: `${receiver.url}/hooks`,
    description: 'CRM',
    enabled_events: ['customer.created'],
    enabled: true,
    disabled_reason: null,
  });
  t.match(endpoint.id, /^we_/);
  t.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ and the base64 of 32 random bytes');
  t.equal(Buffer.from(endpoint.secret.slice(6), 'base64').length, 32);
  t.notOk(
    'secret' in (await call(acme, 'GET', `/v1/webhook_endpoints/${endpoint.id}`)).json(),
    'the secret is shown once',
  );

  const customer = (
    await call(acme, 'POST', '/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.example' })
  ).json();
  await call(acme, 'PATCH', `/v1/customers/${customer.id}`, { name: 'Dupont SA' }); // customer.updated: not subscribed
  await worker.dispatchWebhooks();
  await receiver.waitFor(1);
  t.equal(receiver.received.length, 1, 'only the subscribed type is sent');
  const [delivery] = receiver.received;
  if (!delivery) throw new Error('unreachable');

  const event = (await call(acme, 'GET', `/v1/events?type=customer.created`)).json().data[0];
  t.equal(delivery.path, '/hooks');
  t.equal(delivery.headers['content-type'], 'application/json');
  t.equal(delivery.headers['webhook-id'], event.id, 'webhook-id is the event id');
  t.same(
    JSON.parse(delivery.body),
    (await call(acme, 'GET', `/v1/events/${event.id}`)).json(),
    'the body is the event as GET /v1/events/{id} shows it',
  );
  t.equal(delivery.headers['webhook-timestamp'], String(Math.floor(clock.now().getTime() / 1000)));
  t.match(delivery.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);

  const headers = delivery.headers;
  t.same(
    new StandardWebhook(endpoint.secret).verify(delivery.body, headers),
    JSON.parse(delivery.body),
    'standardwebhooks verifies it',
  );
  t.doesNotThrow(() => new SvixWebhook(endpoint.secret).verify(delivery.body, headers), 'svix verifies it');

  const tampered = delivery.body.replace('Dupont SARL', 'Dupont SARM');
  t.not(tampered, delivery.body);
  t.throws(
    () => new StandardWebhook(endpoint.secret).verify(tampered, headers),
    'a tampered body fails (standardwebhooks)',
  );
  t.throws(() => new SvixWebhook(endpoint.secret).verify(tampered, headers), 'a tampered body fails (svix)');
  const wrongSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  t.throws(
    () => new StandardWebhook(wrongSecret).verify(delivery.body, headers),
    'a wrong secret fails (standardwebhooks)',
  );
  t.throws(() => new SvixWebhook(wrongSecret).verify(delivery.body, headers), 'a wrong secret fails (svix)');

  // A delivery signed 10 minutes ago (our clock set back) is stale to both verifiers.
  clock.set(new Date(Date.now() - 10 * 60_000));
  const test = await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/test`);
  t.equal(test.statusCode, 200, test.body);
  t.match(test.json(), {
    object: 'webhook_delivery',
    endpoint_id: endpoint.id,
    event_type: 'webhook_endpoint.test',
    status: 'pending',
    attempts: [],
  });
  await worker.dispatchWebhooks();
  await receiver.waitFor(2);
  const stale = receiver.received[1]!;
  t.equal(JSON.parse(stale.body).type, 'webhook_endpoint.test');
  t.throws(
    () => new StandardWebhook(endpoint.secret).verify(stale.body, stale.headers),
    /timestamp/i,
    'a stale timestamp fails (standardwebhooks)',
  );
  t.throws(() => new SvixWebhook(endpoint.secret).verify(stale.body, stale.headers), 'a stale timestamp fails (svix)');
  clock.set(new Date());

  // The attempt log.
  const attempts = await eventually(async () => {
    const page = (await call(acme, 'GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`)).json();
    return page.data.length === 2 && page;
  });
  t.match(attempts.data[1], {
    object: 'webhook_attempt',
    event_id: event.id,
    status_code: 200,
    response_excerpt: 'ok',
    error: null,
    succeeded: true,
    next_attempt_at: null,
  });
  t.ok(attempts.data[1].duration_ms >= 0);
  const listed = await deliveriesOf(ctx, acme, `&event_id=${event.id}`);
  t.equal(listed.length, 1);
  t.match(listed[0], { status: 'succeeded', attempt_count: 1, event_type: 'customer.created', next_attempt_at: null });
  t.equal(listed[0].attempts.length, 1);
  t.same((await call(acme, 'GET', `/v1/webhook_deliveries/${listed[0].id}`)).json(), listed[0]);

  // Rotation: during the overlap both secrets sign; after it only the new one.
  const rotated = (
    await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { overlap_seconds: 3600 })
  ).json();
  t.match(rotated.secret, /^whsec_/);
  t.not(rotated.secret, endpoint.secret);
  const resent = await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, { event_id: event.id });
  t.equal(resent.statusCode, 200, resent.body);
  await worker.dispatchWebhooks();
  await receiver.waitFor(3);
  const both = receiver.received[2]!;
  t.equal(both.headers['webhook-id'], event.id, 'a resend keeps the webhook-id');
  t.equal(both.body, delivery.body, 'and sends the same bytes');
  t.equal(both.headers['webhook-signature']!.split(' ').length, 2, 'two signatures during the overlap');
  t.doesNotThrow(() => new StandardWebhook(rotated.secret).verify(both.body, both.headers), 'the new secret verifies');
  t.doesNotThrow(
    () => new StandardWebhook(endpoint.secret).verify(both.body, both.headers),
    'the old secret still verifies',
  );

  clock.advance(3601_000);
  await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, { event_id: event.id });
  await worker.dispatchWebhooks();
  await receiver.waitFor(4);
  const after = receiver.received[3]!;
  t.equal(after.headers['webhook-signature']!.split(' ').length, 1, 'one signature after the overlap');

  // Without overlap the previous secret stops at once (standardwebhooks checks timestamps against the real time: clock back to now).
  clock.set(new Date());
  const third = (
    await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { overlap_seconds: 0 })
  ).json();
  await call(acme, 'POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, { event_id: event.id });
  await worker.dispatchWebhooks();
  await receiver.waitFor(5);
  const last = receiver.received[4]!;
  t.equal(last.headers['webhook-signature']!.split(' ').length, 1);
  t.doesNotThrow(() => new StandardWebhook(third.secret).verify(last.body, last.headers), 'the newest secret verifies');
  t.throws(
    () => new StandardWebhook(rotated.secret).verify(last.body, last.headers),
    'the replaced secret no longer verifies',
  );
});

t.test('retries send the same bytes and webhook-id; 429 Retry-After and redirects', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const { ctx, worker, call } = await harness(t, clock);
  const answers: { status: number; headers?: Record<string, string>; body?: string }[] = [
    { status: 500, body: 'boom '.repeat(500) },
    { status: 429, headers: { 'retry-after': '7200' } },
    { status: 302, headers: { location: '/elsewhere' } },
    { status: 204 },
  ];
  const receiver = await startReceiver(({ path }) =>
    path === '/elsewhere' ? { status: 200 } : (answers.shift() ?? { status: 200 }),
  );
  t.teardown(() => receiver.close());
  const acme = await ctx.createAccount({ name: 'Acme' });
  const endpoint = (
    await call(acme, 'POST', '/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] })
  ).json();
  await call(acme, 'POST', '/v1/customers', { name: 'Client' });

  const step = async (n: number) => {
    await worker.dispatchWebhooks();
    await receiver.waitFor(n);
    // The attempt is recorded just after the answer.
    return eventually(async () => {
      const [d] = await deliveriesOf(ctx, acme);
      // Both the delivery and its attempts (read by two statements) show the attempt.
      return d?.attempts.length === n && d.attempt_count === n && d;
    });
  };

  let d = await step(1);
  t.match(d, { status: 'pending', attempt_count: 1 });
  t.match(d.attempts[0], { status_code: 500, error: 'HTTP 500', succeeded: false });
  t.equal(d.attempts[0].response_excerpt.length, 1024, 'the response excerpt is capped at 1 KiB');
  const first = new Date(d.next_attempt_at).getTime() - clock.now().getTime();
  t.ok(first >= 4250 && first <= 5750, `second attempt 5 s ± 15 % later (${first} ms)`);

  await worker.dispatchWebhooks();
  t.equal(receiver.received.length, 1, 'nothing before the retry is due');
  clock.set(d.next_attempt_at);
  d = await step(2);
  t.match(d.attempts[1], { status_code: 429, succeeded: false });
  const wait = new Date(d.next_attempt_at).getTime() - clock.now().getTime();
  t.ok(wait >= 7_200_000 && wait <= 7_300_000, `429 Retry-After: 7200 honoured instead of the 5 min step (${wait} ms)`);

  clock.set(d.next_attempt_at);
  d = await step(3);
  t.match(d.attempts[2], { status_code: 302, error: 'redirect (302) not followed', succeeded: false });
  t.equal(receiver.received.filter((r) => r.path === '/elsewhere').length, 0, 'the redirect was not followed');

  clock.set(d.next_attempt_at);
  d = await step(4);
  t.match(d, { status: 'succeeded', attempt_count: 4, next_attempt_at: null });
  t.equal(new Set(receiver.received.map((r) => r.body)).size, 1, 'every attempt sent the same bytes');
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'and the same webhook-id');
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-timestamp'])).size, 4, 'each with its own timestamp');

  const failedEvents = (await call(acme, 'GET', '/v1/events?delivery_success=false')).json().data;
  t.same(failedEvents, [], 'delivered at last: not among the unsuccessful');
  t.equal((await call(acme, 'GET', '/v1/events?delivery_success=true')).json().data.length, 1);
  t.equal((await call(acme, 'GET', `/v1/webhook_endpoints/${endpoint.id}`)).json().enabled, true);
});
