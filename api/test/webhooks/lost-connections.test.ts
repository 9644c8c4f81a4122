import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { isConnectionLost } from '../../src/store/pg-errors.ts';
import { setupApp } from '../helpers/app.ts';
import { ADMIN_URL } from '../helpers/database.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// The worker delivers webhooks while PostgreSQL ends its connections (the domain's and pg-boss's):
// the process lives on, and once the database is left alone every event is delivered.
t.test('backends terminated while the worker delivers webhooks', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ctx = await setupApp(t, {
    clock,
    env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', RATE_LIMIT_PER_MINUTE: '100000' },
  });
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: ctx.services,
    clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.teardown(() => receiver.close());
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: acme.auth, payload });
  t.equal(
    (await call('/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['customer.created'] })).statusCode,
    201,
  );
  const N = 60;
  for (let i = 0; i < N; i++) t.equal((await call('/v1/customers', { name: `Client ${i}` })).statusCode, 201);

  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  t.teardown(() => admin.end());
  const database = new URL(ctx.databaseUrl).pathname.slice(1);
  let terminated = 0;
  let stop = false;
  const killer = (async () => {
    while (!stop) {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE pid = (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
                        AND state IN ('active', 'idle in transaction') ORDER BY random() LIMIT 1)`,
        [database],
      );
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();

  // Deliveries under fire: a dispatch may fail with the connection it used, nothing else.
  let lost = 0;
  const until = Date.now() + 3_000;
  while (Date.now() < until) {
    await worker.dispatchWebhooks().catch((error: unknown) => {
      if (!isConnectionLost(error)) throw error;
      lost++;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop = true;
  await killer;
  t.comment(
    `${terminated} backends terminated, ${lost} dispatches failed with their connection, ${receiver.received.length} POSTs so far`,
  );
  t.ok(terminated > 0, 'backends were terminated');

  // Left alone, the worker catches up: failed jobs are retried by pg-boss, run-out leases swept.
  // A connection killed while idle in the pool may fail its next statement once: retried.
  const retried = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt > 5 || !isConnectionLost(error)) throw error;
      }
    }
  };
  const states = () =>
    retried(() =>
      ctx.database.withAccount(acme.accountId, (trx) =>
        trx.selectFrom('webhook_deliveries').select(['status', 'claimed_until', 'next_attempt_at']).execute(),
      ),
    );
  let rows = await states();
  for (let i = 0; i < 240 && !(rows.length === N && rows.every((d) => d.status === 'succeeded')); i++) {
    await retried(() => worker.dispatchWebhooks());
    await new Promise((resolve) => setTimeout(resolve, 250));
    rows = await states();
    // Retries, leases and the stranded-delivery sweep run on the test's clock.
    if (i % 8 === 7) clock.advance(11 * 60_000);
  }
  // How the queue looks afterwards (a lost job shows as one retried or swept again).
  const jobsDb = new pg.Client({ connectionString: ctx.databaseUrl });
  await jobsDb.connect();
  t.comment(
    JSON.stringify(
      (
        await jobsDb.query(
          `SELECT name, state, count(*)::int AS n, max(retry_count) AS retries FROM pgboss.job GROUP BY 1, 2`,
        )
      ).rows,
    ),
  );
  await jobsDb.end();
  t.equal(rows.length, N, 'one delivery per event');
  t.ok(
    rows.every((d) => d.status === 'succeeded'),
    `every delivery succeeded: ${JSON.stringify(rows.filter((d) => d.status !== 'succeeded'))}`,
  );
  const delivered = new Set(receiver.accepted().map((r) => r.headers['webhook-id']));
  t.equal(delivered.size, N, 'the receiver got every event');
  t.comment(
    `${receiver.received.length - N} duplicate POSTs (deliveries are at least once; webhook-id tells them apart)`,
  );
  t.equal((await retried(() => call('/v1/customers', { name: 'After' }))).statusCode, 201, 'the API serves on');
});
