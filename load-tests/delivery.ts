/**
 * `npm run bench:delivery`: reminders due at once, sent through the real Resend SDK to the
 * Resend stand-in (api/test/helpers/resend-stand-in.ts) answering with a latency and a rate limit
 * (429 with `retry-after` and `ratelimit-*` past N requests/s), by real pg-boss workers sharing
 * one rate budget in PostgreSQL. Once per rate in BENCH_RATES, each on a fresh database.
 *
 * Prints, per rate: seconds from the due time to the last accepted email against the floor
 * (due / 100 per batch / rate), provider calls, the share of 429s, attempts per reminder,
 * reminders failed, lost (not sent) and sent twice (duplicates at the provider), and the load
 * average.
 *
 * Environment: BENCH_DUE (3000 reminders), BENCH_ACCOUNTS (30), BENCH_RATES ("5,2" requests/s,
 * for the stand-in and Relance's budget alike), BENCH_LATENCY_MS (150), BENCH_WORKERS (2
 * worker instances in this process), BENCH_CONCURRENCY (4 per worker), TEST_DATABASE_URL.
 */
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { sql } from 'kysely';
import { ManualClock } from '../api/src/clock.ts';
import { newId } from '../api/src/ids.ts';
import { startWorker, type Worker } from '../api/src/jobs/worker.ts';
import { createRateBudget } from '../api/src/mail/rate-budget.ts';
import { createResendTransport } from '../api/src/mail/resend.ts';
import { createServices } from '../api/src/services.ts';
import { createDatabase } from '../api/src/store/database.ts';
import { createTestDatabase } from '../api/test/helpers/database.ts';
import { startResendStandIn } from '../api/test/helpers/resend-stand-in.ts';
import { insertCustomers } from './customers.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const DUE = env('BENCH_DUE', 3000);
const ACCOUNTS = env('BENCH_ACCOUNTS', 30);
const RATES = (process.env.BENCH_RATES ?? '5,2').split(',').map(Number);
const LATENCY_MS = env('BENCH_LATENCY_MS', 150);
const WORKERS = env('BENCH_WORKERS', 2);
const CONCURRENCY = env('BENCH_CONCURRENCY', 4);
const TIMEOUT_S = env('BENCH_TIMEOUT_S', 600);

// Day D is Wednesday 2026-06-10 (UTC accounts): invoices due that day get their email at 09:00.
const DAY = '2026-06-10';

async function run(rate: number) {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 12 });
  const clock = new ManualClock(`${DAY}T08:59:00Z`);
  const resend = await startResendStandIn({ ratePerSecond: rate, delayMs: LATENCY_MS });
  const log = pino({ level: 'error' });
  const workers: Worker[] = [];
  let follow: NodeJS.Timeout | undefined;
  try {
    const setup = createServices({ database, clock });
    const perAccount = Math.ceil(DUE / ACCOUNTS);
    for (let a = 0; a < ACCOUNTS; a++) {
      const { account } = await setup.accounts.create({ name: `Account ${a}`, time_zone: 'UTC' });
      const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
      await setup.accounts.update(actor, { sender_email: `billing@a${a}.example`, sender_name: `Account ${a}` });
      const customerIds = await insertCustomers(database, account.id, perAccount, `${a}`);
      await database.withAccount(account.id, async (trx) => {
        const rows = [];
        for (let i = 0; i < perAccount; i++) {
          rows.push({
            account_id: account.id,
            id: newId('invoice'),
            number: `D-${i}`,
            customer_id: customerIds[i] as string,
            status: 'open',
            currency: 'EUR',
            subtotal: 10_000 + i,
            tax: 0,
            total: 10_000 + i,
            issue_date: '2026-06-01',
            due_date: DAY,
            created_at: clock.now(),
            updated_at: clock.now(),
          });
        }
        await trx.insertInto('invoices').values(rows).execute();
        await trx
          .insertInto('invoice_replans')
          .values(rows.map((r) => ({ account_id: r.account_id, invoice_id: r.id, flagged_at: r.created_at })))
          .execute();
      });
    }
    await setup.reminders.scheduler.planPending({ kind: 'live', now: clock.now() });
    await database.withSystem((trx) => sql`ANALYZE`.execute(trx));

    // From 09:00 the clock follows real time, so that retry_at and the provider's seconds agree.
    const dueAt = new Date(`${DAY}T09:00:00Z`).getTime();
    clock.set(new Date(dueAt));
    const real0 = Date.now();
    follow = setInterval(() => clock.set(new Date(dueAt + Date.now() - real0)), 50);
    for (let w = 0; w < WORKERS; w++) {
      // Each worker has its own transport, as separate processes would; the budget row is shared.
      const budget = createRateBudget(database, { credential: 'resend:bench', ratePerSecond: rate });
      const services = createServices({
        database,
        clock,
        transport: createResendTransport({ apiKey: 're_bench', baseUrl: resend.url, budget }),
      });
      workers.push(
        await startWorker({ databaseUrl: testDb.url, services, clock, log, timer: false, concurrency: CONCURRENCY }),
      );
    }
    const counts = () =>
      database.withSystem(async (trx) => {
        const { rows } = await sql<{ status: string; n: number; attempts: number }>`
          SELECT status, count(*)::int AS n, sum(attempts)::int AS attempts FROM reminder_occurrences WHERE offset_days = 0 GROUP BY status`.execute(
          trx,
        );
        return rows;
      });
    await workers[0]!.tick();
    // The emails due today (the default policy's "7 days before" step of these invoices is stale and skipped).
    const due = perAccount * ACCOUNTS;
    let state = await counts();
    const settled = () =>
      state.filter((r) => r.status === 'sent' || r.status === 'failed').reduce((s, r) => s + r.n, 0);
    while (settled() < due && (Date.now() - real0) / 1000 < TIMEOUT_S) {
      await new Promise((r) => setTimeout(r, 1000));
      // Every worker's tick re-queues what waits on the provider (production: every 5 s).
      await workers[0]!.tick();
      state = await counts();
    }
    // A moment more: a duplicate, if any, would arrive now.
    await new Promise((r) => setTimeout(r, 2000));
    state = await counts();

    const posts = resend.requests.filter((r) => r.method === 'POST');
    const limited = posts.filter((r) => r.status === 429).length;
    const lastAccepted = Math.max(...resend.accepted.map((a) => a.at));
    const seconds = (lastAccepted - real0) / 1000;
    const floor = DUE / 100 / rate;
    const of = (status: string) => state.find((r) => r.status === status)?.n ?? 0;
    const attempts =
      state.reduce((s, r) => s + r.attempts, 0) /
      Math.max(
        1,
        state.reduce((s, r) => s + r.n, 0),
      );
    const busySeconds = new Set(posts.map((r) => Math.floor((r.at - real0) / 1000))).size;
    return {
      rate,
      due,
      seconds,
      floor,
      calls: posts.length,
      batches: posts.filter((r) => r.path === '/emails/batch').length,
      limited,
      attempts,
      sent: of('sent'),
      failed: of('failed'),
      lost: due - of('sent') - of('failed'),
      duplicates: resend.duplicates(),
      idle: Math.max(0, Math.ceil(seconds) - busySeconds),
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    };
  } finally {
    if (follow) clearInterval(follow);
    for (const worker of workers) await worker.stop();
    await resend.close();
    await database.close();
    await testDb.drop();
  }
}

async function main() {
  console.log(
    `${DUE.toLocaleString('en')} reminders due at 09:00 across ${ACCOUNTS} accounts; stand-in latency ${LATENCY_MS} ms; ${WORKERS} workers × ${CONCURRENCY}`,
  );
  for (const rate of RATES) {
    const r = await run(rate);
    console.log(
      [
        `at ${r.rate} req/s: last email accepted ${r.seconds.toFixed(1)} s after the due time (floor ${r.floor.toFixed(1)} s, ×${(r.seconds / r.floor).toFixed(2)})`,
        `  calls ${r.calls} (${r.batches} batches), 429: ${r.limited} (${((100 * r.limited) / Math.max(1, r.calls)).toFixed(1)} %), attempts per reminder ${r.attempts.toFixed(2)}, seconds without a call ${r.idle}`,
        `  due ${r.due}, sent ${r.sent}, failed ${r.failed}, lost ${r.lost}, duplicates ${r.duplicates}; load average ${r.load}`,
      ].join('\n'),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
