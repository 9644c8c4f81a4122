import { pino } from 'pino';
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { startWorker, type Worker } from '../../src/jobs/worker.ts';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { type Answer, startReceiver, seededRandom } from '../helpers/webhook-receiver.ts';

async function harness(t: Test, clock: ManualClock) {
  const ctx = await setupApp(t, { clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: ctx.services,
    clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const call = (who: TestAccount, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: who.auth, ...(payload && { payload }) });
  const receiver = async (answer: Answer) => {
    const r = await startReceiver(answer);
    t.teardown(() => r.close());
    return r;
  };
  return { ctx, worker, call, receiver };
}

/** Deliveries of the account by state, read from the database. */
function deliveryState(ctx: TestContext, who: TestAccount) {
  return ctx.database.withAccount(who.accountId, (trx) =>
    trx
      .selectFrom('webhook_deliveries')
      .select(['id', 'event_id', 'endpoint_id', 'status', 'attempt_count', 'next_attempt_at'])
      .execute(),
  );
}

/** Dispatches, then waits until no delivery is queued or in flight (every attempt of this round recorded). */
async function round(ctx: TestContext, who: TestAccount, worker: Worker) {
  await worker.dispatchWebhooks();
  for (let i = 0; i < 600; i++) {
    const rows = await deliveryState(ctx, who);
    if (!rows.some((d) => d.status === 'pending' && d.next_attempt_at === null)) {
      // A disabling writes an event: dispatch it too before calling the round done.
      if ((await worker.dispatchWebhooks()) === 0) return rows;
      continue;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('deliveries still in flight');
}

t.test('a receiver failing half of the requests at random: every event delivered, none lost', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const { ctx, worker, call, receiver } = await harness(t, clock);
  // Seeded: each round's number of failures replays the same on every run.
  const random = seededRandom(20261122);
  const flaky = await receiver(() => (random() < 0.5 ? { status: 500 } : { status: 200 }));
  const acme = await ctx.createAccount({ name: 'Acme' });
  await call(acme, 'POST', '/v1/webhook_endpoints', { url: flaky.url, enabled_events: ['customer.created'] });
  const N = 100;
  for (let i = 0; i < N; i++) await call(acme, 'POST', '/v1/customers', { name: `Client ${i}` });

  let rounds = 0;
  let rows = await round(ctx, acme, worker);
  while (rows.some((d) => d.status === 'pending') && rounds < 20) {
    rounds++;
    // Every pending delivery waits for the same step of the schedule (give or take jitter): move past the last.
    const latest = Math.max(...rows.filter((d) => d.status === 'pending').map((d) => d.next_attempt_at!.getTime()));
    clock.set(new Date(latest));
    rows = await round(ctx, acme, worker);
  }
  t.ok(rounds >= 2, `retries were needed (${rounds} rounds of retries)`);
  t.equal(rows.length, N, 'one delivery per event');
  t.ok(rows.length > 0 && rows.every((d) => d.status === 'succeeded'), 'every delivery succeeded');
  const delivered = new Set(flaky.accepted().map((r) => r.headers['webhook-id']));
  const events = (await call(acme, 'GET', '/v1/events?type=customer.created&limit=100')).json().data as {
    id: string;
  }[];
  t.equal(events.length, N);
  t.ok(events.length > 0 && events.every((e) => delivered.has(e.id)), 'the receiver accepted every event');
  t.equal(
    flaky.received.length,
    rows.reduce((n, d) => n + d.attempt_count, 0),
    'every request is in the attempt log',
  );
  t.ok(flaky.received.length > N, 'with retries');
  t.same((await call(acme, 'GET', '/v1/events?delivery_success=false')).json().data, [], 'no event left undelivered');
});

t.test('a receiver answering 410 is disabled at once; the disabling event goes to other endpoints', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const { ctx, worker, call, receiver } = await harness(t, clock);
  const gone = await receiver(() => ({ status: 410, body: 'no such hook' }));
  const ok = await receiver(() => ({ status: 200 }));
  const acme = await ctx.createAccount({ name: 'Acme' });
  const dead = (await call(acme, 'POST', '/v1/webhook_endpoints', { url: gone.url, enabled_events: ['*'] })).json();
  await call(acme, 'POST', '/v1/webhook_endpoints', { url: ok.url, enabled_events: ['webhook_endpoint.disabled'] });

  await call(acme, 'POST', '/v1/customers', { name: 'Client' });
  await round(ctx, acme, worker);
  t.equal(gone.received.length, 1, 'one attempt, no retry');
  const endpoint = (await call(acme, 'GET', `/v1/webhook_endpoints/${dead.id}`)).json();
  t.match(endpoint, { enabled: false, disabled_reason: 'The endpoint answered 410 Gone.' });
  const [delivery] = (await call(acme, 'GET', `/v1/webhook_deliveries?endpoint_id=${dead.id}`)).json().data;
  t.match(delivery, { status: 'failed', attempt_count: 1, next_attempt_at: null });
  t.match(delivery.attempts[0], { status_code: 410, response_excerpt: 'no such hook', succeeded: false });

  t.equal(ok.received.length, 1, 'the other endpoint got webhook_endpoint.disabled');
  const disabled = JSON.parse(ok.received[0]!.body);
  t.match(disabled, {
    type: 'webhook_endpoint.disabled',
    object_type: 'webhook_endpoint',
    object_id: dead.id,
    data: { id: dead.id, enabled: false },
  });
  t.notOk('secret' in disabled.data, 'the event does not carry the secret');

  await call(acme, 'POST', '/v1/customers', { name: 'Another' });
  await round(ctx, acme, worker);
  t.equal(gone.received.length, 1, 'a disabled endpoint receives nothing');
  const failed = (await call(acme, 'GET', '/v1/events?delivery_success=false')).json().data;
  t.same(
    failed.map((e: { type: string }) => e.type),
    ['customer.created'],
    'the undelivered event is listed by delivery_success=false',
  );

  // Enabled again, it receives new events; a resend replays the old one.
  const enabled = (await call(acme, 'PATCH', `/v1/webhook_endpoints/${dead.id}`, { enabled: true })).json();
  t.match(enabled, { enabled: true, disabled_reason: null });
});

t.test('an endpoint failing for 3 days is disabled, its pending deliveries stop', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const start = clock.now().getTime();
  const { ctx, worker, call, receiver } = await harness(t, clock);
  const down = await receiver(() => ({ status: 503 }));
  const ok = await receiver(() => ({ status: 200 }));
  const acme = await ctx.createAccount({ name: 'Acme' });
  const failing = (
    await call(acme, 'POST', '/v1/webhook_endpoints', { url: down.url, enabled_events: ['customer.created'] })
  ).json();
  await call(acme, 'POST', '/v1/webhook_endpoints', { url: ok.url, enabled_events: ['webhook_endpoint.disabled'] });
  await call(acme, 'POST', '/v1/customers', { name: 'First' });

  let second = false;
  let rows = await round(ctx, acme, worker);
  for (let i = 0; i < 40 && rows.some((d) => d.status === 'pending'); i++) {
    const endpoint = (await call(acme, 'GET', `/v1/webhook_endpoints/${failing.id}`)).json();
    t.equal(
      endpoint.enabled,
      true,
      `still enabled after ${((clock.now().getTime() - start) / 3_600_000).toFixed(1)} h`,
    );
    const next = Math.min(...rows.filter((d) => d.status === 'pending').map((d) => d.next_attempt_at!.getTime()));
    clock.set(new Date(next));
    if (!second && next - start > 48 * 3_600_000) {
      second = true;
      await call(acme, 'POST', '/v1/customers', { name: 'Second' });
    }
    rows = await round(ctx, acme, worker);
  }
  t.ok(second);
  const endpoint = (await call(acme, 'GET', `/v1/webhook_endpoints/${failing.id}`)).json();
  t.match(endpoint, { enabled: false, disabled_reason: 'Every delivery failed for 3 days.' });
  const lastAttempt = (await call(acme, 'GET', `/v1/webhook_endpoints/${failing.id}/attempts?limit=1`)).json().data[0];
  t.ok(
    new Date(lastAttempt.attempted_at).getTime() - start >= 72 * 3_600_000,
    'disabled by the first failure 72 h after the streak began',
  );
  const failingRows = rows.filter((d) => d.endpoint_id === failing.id);
  t.ok(failingRows.length > 0 && failingRows.every((d) => d.status === 'failed'), 'its deliveries stopped');
  t.ok(
    rows.some((d) => d.endpoint_id === failing.id && d.attempt_count < 10),
    'including one that had attempts left',
  );
  t.equal(
    ok.received.filter((r) => JSON.parse(r.body).type === 'webhook_endpoint.disabled').length,
    1,
    'webhook_endpoint.disabled emitted once',
  );
  t.equal(
    (await call(acme, 'GET', '/v1/events?delivery_success=false')).json().data.length,
    2,
    'both events are listed as not delivered',
  );
});

t.test('a delivery is claimed with a lease, POSTed with no transaction open, and settled', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ctx = await setupApp(t, { clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  const engine = ctx.services.webhookDelivery;
  const pool = ctx.database.pool;
  const checkedOutDuringPost: number[] = [];
  const r = await startReceiver(() => {
    checkedOutDuringPost.push(pool.totalCount - pool.idleCount);
    return { status: 200 };
  });
  t.teardown(() => r.close());
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: acme.auth, payload });
  await call('/v1/webhook_endpoints', { url: r.url, enabled_events: ['customer.created'] });
  const queued: string[] = [];
  const enqueue = async (_trx: unknown, jobs: Array<{ deliveryId: string }>) =>
    void queued.push(...jobs.map((j) => j.deliveryId));
  const lease = (id: string) =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('webhook_deliveries')
        .select(['status', 'claimed_until'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    );

  await call('/v1/customers', { name: 'One' });
  await engine.dispatch(enqueue);
  const [first] = queued.splice(0);
  // The same job run twice at once: one claims, the other finds the delivery taken.
  const results = await Promise.all([
    engine.attempt(acme.accountId, [first!]),
    engine.attempt(acme.accountId, [first!]),
  ]);
  t.equal(r.received.length, 1, 'POSTed once');
  t.same(results.map((x) => x.succeeded).sort(), [0, 1]);
  t.match(await lease(first!), { status: 'succeeded', claimed_until: null });

  // A worker that claimed a delivery and died: nobody else takes it while its lease runs…
  await call('/v1/customers', { name: 'Two' });
  await engine.dispatch(enqueue);
  const [second] = queued.splice(0);
  await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .updateTable('webhook_deliveries')
      .set({ claimed_until: new Date(clock.now().getTime() + 60_000) })
      .where('id', '=', second!)
      .execute(),
  );
  t.same(await engine.attempt(acme.accountId, [second!]), { succeeded: 0, failed: 0 }, 'claimed elsewhere: left alone');
  t.equal(await engine.enqueueDue(enqueue), 0, 'the lease still runs');
  // …then the due sweep queues it again, and it is delivered.
  clock.advance(60_001);
  t.equal(await engine.enqueueDue(enqueue), 1);
  t.same(queued, [second]);
  t.same(await engine.attempt(acme.accountId, [second!]), { succeeded: 1, failed: 0 });
  t.equal(r.received.length, 2);
  t.equal(checkedOutDuringPost[1], 0, 'no connection held (no transaction open) while POSTing');
  t.match(await lease(second!), { status: 'succeeded', claimed_until: null });

  // A delivery whose job was lost (queued, never claimed) is queued again after 10 minutes.
  await call('/v1/customers', { name: 'Three' });
  await engine.dispatch(enqueue);
  const [third] = queued.splice(0, 2).slice(1);
  t.ok(third, 'queued');
  clock.advance(9 * 60_000);
  t.equal(await engine.enqueueDue(enqueue), 0, 'a queued delivery waits for its job');
  clock.advance(60_001);
  t.equal(await engine.enqueueDue(enqueue), 1, 'then the sweep queues it again');
  t.same(queued.splice(0), [third]);
});
