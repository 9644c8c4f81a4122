/**
 * `npm run bench:portal`: the customer page under load (issue: ≤ 50 ms at p99 for a customer with
 * 200 open invoices under 50 concurrent requests).
 *   One account, one customer with BENCH_INVOICES (200) open invoices past due, each with late
 *   fees (interest and the recovery fee, so every card shows its fee lines), 12 paid ones; the
 *   real app (`buildApp`) in a child process; autocannon with BENCH_CONNECTIONS (50) connections
 *   for BENCH_SECONDS (20) on `/p/<token>`, after a 3 s warm-up. Prints p50/p99/max, the load
 *   average, and per visit: the statements sent to PostgreSQL, the server's CPU time and (when
 *   PostgreSQL runs on this machine) its backends' CPU time. Environment: BENCH_INVOICES,
 *   BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_LOG_LEVEL (silent), TEST_DATABASE_URL.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { systemClock } from '../api/src/clock.ts';
import { createServices } from '../api/src/services.ts';
import { createDatabase } from '../api/src/store/database.ts';
import { createTestDatabase } from '../api/test/helpers/database.ts';
import type { FromServer } from './servers/child.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const INVOICES = env('BENCH_INVOICES', 200);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const SECONDS = env('BENCH_SECONDS', 20);

/** CPU time (µs) the PostgreSQL backends serving `database` used so far, when PostgreSQL runs on this machine; else null. */
async function backendCpuMicros(url: string, database: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    const ticks = rows.map(({ pid }) => {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): user and system time, in clock ticks (100 a second).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return Number(fields[11]) + Number(fields[12]);
    });
    return (ticks.reduce((a, b) => a + b, 0) * 1_000_000) / 100;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function main() {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 4 });
  const services = createServices({ database, clock: systemClock, portal: { publicUrl: 'http://bench' } });
  const { account } = await services.accounts.create({ name: 'Atelier Lumière', time_zone: 'Europe/Paris' });
  const actor = {
    accountId: account.id,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Paris',
  };
  await services.accounts.update(actor, { late_fee_preset: 'fr_b2b', locale: 'fr', brand_colour: '#7c2d12' });
  const customer = await services.customers.create(actor, { name: 'Durand SARL', email: 'ap@durand.example' });
  for (let i = 0; i < INVOICES + 12; i++) {
    const { invoice } = await services.invoices.create(actor, {
      number: `F-${String(i).padStart(5, '0')}`,
      customer_id: customer.id,
      currency: i % 10 === 0 ? 'GBP' : 'EUR',
      subtotal: 10000 + i * 137,
      issue_date: day(-120),
      due_date: day(-90 + (i % 60)),
      payment_url: `https://pay.example/${i}`,
    });
    if (i >= INVOICES)
      await services.payments.create(actor, {
        customer_id: customer.id,
        amount: invoice.total,
        currency: invoice.currency,
        method: 'transfer',
        received_on: day(-1),
        allocations: [{ invoice_id: invoice.id, amount: invoice.total }],
      });
  }
  // Plan and accrue: every open invoice gets its interest and recovery fee.
  await services.reminders.scheduler.prepare({ kind: 'live', now: new Date() });
  const link = await services.portal.link(actor, customer.id);
  const path = new URL(link.url).pathname;
  await database.close();

  const child = fork(new URL('./servers/relance.ts', import.meta.url), [], {
    env: {
      ...process.env,
      DATABASE_URL: testDb.url,
      NODE_ENV: 'test',
      // BENCH_LOG_LEVEL=info: with the request log production writes (to /dev/null here).
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      PORTAL_RATE_LIMIT_PER_MINUTE: '10000000',
      HOST: '127.0.0.1',
      PORT: '0',
    },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'ignore' : 'inherit', 'inherit', 'ipc'],
    // BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there (open it in Chrome's DevTools).
    execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { type: string; port?: number }) => m.type === 'listening' && resolve(m.port ?? 0));
    child.once('exit', () => reject(new Error('the server exited')));
  });
  const url = `http://127.0.0.1:${port}${path}`;
  const page = await fetch(url);
  const html = await page.text();
  const rows = html.match(/<tr><th scope="row">/g)?.length ?? 0;
  console.log(`page: ${page.status}, ${rows} invoices, ${html.length} bytes`);

  // As a browser asks for it: compressed.
  const headers = { 'accept-encoding': 'gzip, deflate, br' };
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 3 });
  const stats = () =>
    new Promise<{ queries: number; cpuMicros: number }>((resolve) => {
      const answer = (m: FromServer) => {
        if (m.type !== 'stats') return;
        child.off('message', answer);
        resolve(m);
      };
      child.on('message', answer);
      child.send({ type: 'stats' });
    });
  const load = os.loadavg();
  const [server, postgres] = [await stats(), await backendCpuMicros(testDb.url, testDb.name)];
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  const [serverAfter, postgresAfter] = [await stats(), await backendCpuMicros(testDb.url, testDb.name)];
  const loadAfter = os.loadavg();
  const visits = result.requests.total;
  const perVisit = (a: number, b: number) => Math.round(((b - a) / visits) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        invoices: INVOICES,
        connections: CONNECTIONS,
        seconds: SECONDS,
        requests: result.requests.total,
        non2xx: result.non2xx,
        rps: result.requests.average,
        latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        per_visit: {
          statements: perVisit(server.queries, serverAfter.queries),
          server_cpu_us: perVisit(server.cpuMicros, serverAfter.cpuMicros),
          postgres_cpu_us: postgres === null || postgresAfter === null ? null : perVisit(postgres, postgresAfter),
        },
        load_average: { before: load.map((x) => x.toFixed(2)), after: loadAfter.map((x) => x.toFixed(2)) },
        cores: os.cpus().length,
      },
      null,
      2,
    ),
  );
  child.send({ type: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
  await testDb.drop();
}

await main();
