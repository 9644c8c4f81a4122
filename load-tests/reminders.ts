/**
 * `npm run bench:reminders`: the reminder engine at volume, on this machine.
 *   1. 100,000 open invoices across 100 accounts (bulk-inserted, flagged for planning);
 *   2. planning: every invoice's occurrences under the default policy (7 per invoice);
 *   3. a day on which 20,000 reminders fall due (invoices due in 7 days: the courtesy email),
 *      guarded, rendered and sent through the outbox by the real pg-boss workers.
 * Every other account's policy also texts its customers that day (an `sms` step beside the email,
 * to mobile numbers), one account in ten posts a formal-notice letter (a PDF rendered and stored,
 * and a task), and those policies skip French public holidays (the accounts are in France): the
 * mix is printed per channel. A letter's reminder is done when its task is open and what it states
 * is decided; its PDF is written after, by the worker's letter writer, running alongside: the
 * bench prints how long after the last reminder the last letter is stored.
 * Prints invoices planned per second, reminders sent per second end to end, and peak RSS.
 *
 * With BENCH_PROCESS=worker, the planning and the sending are done instead by a real worker
 * process (`node api/src/main.ts worker`, with the Node flags of `npm run start:worker`) started
 * on the loaded book, on the real clock: the accounts are in a time zone where it is about noon,
 * their invoices fall due in a week from today there, and their policies send every day of the
 * week. The bench reads the child's resident memory from /proc while it plans, then while it
 * sends, and prints its peak per phase and the kernel's high-water mark (VmHWM): the memory goal
 * of a worker (≤ 200 MiB) is measured on that process alone.
 *
 * Environment: BENCH_INVOICES (100000), BENCH_ACCOUNTS (100), BENCH_DUE (20000),
 * BENCH_CONCURRENCY (8 parallel sends in the in-process worker), BENCH_PROCESS (`worker`: see
 * above), BENCH_NODE_FLAGS (the worker process's Node flags instead of the start script's),
 * TEST_DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { sql } from 'kysely';
import { ManualClock } from '../api/src/clock.ts';
import { newId } from '../api/src/ids.ts';
import { startLetterWriter } from '../api/src/jobs/letters.ts';
import { startWorker } from '../api/src/jobs/worker.ts';
import { DEFAULT_POLICY } from '../api/src/domain/reminders/index.ts';
import type { ReminderStepInput } from '../api/src/domain/reminders/policy.schemas.ts';
import { createServices } from '../api/src/services.ts';
import { createDatabase } from '../api/src/store/database.ts';
import { createTestDatabase } from '../api/test/helpers/database.ts';
import { middayZone, ROOT } from '../api/test/helpers/process.ts';
import { insertCustomers } from './customers.ts';
import { serviceStart } from './node-flags.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const INVOICES = env('BENCH_INVOICES', 100_000);
const ACCOUNTS = env('BENCH_ACCOUNTS', 100);
const DUE = env('BENCH_DUE', 20_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const IN_WORKER_PROCESS = process.env.BENCH_PROCESS === 'worker';

/** `date` plus `days`, as a calendar date. */
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

// In process, day D is Wednesday 2026-06-10 (UTC accounts): invoices due on D+7 get their courtesy
// email on D. A worker process runs on the real clock: D is today where it is about noon now.
const ZONE = IN_WORKER_PROCESS ? middayZone() : 'UTC';
const DAY = IN_WORKER_PROCESS ? new Date().toLocaleDateString('en-CA', { timeZone: ZONE }) : '2026-06-10';
const DUE_ON_D_PLUS_7 = addDays(DAY, 7);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
/** Peak RSS per phase (MiB): the sampler's peak since the last call, then a fresh start. */
const phasePeaks: Record<string, number> = {};
const endPhase = (name: string) => {
  phasePeaks[name] = Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576);
  globalThis.gc?.();
  peakRss = process.memoryUsage().rss;
};

async function main() {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 12 });
  const clock = new ManualClock(`${DAY}T00:30:00Z`);
  const services = createServices({ database, clock });
  const log = pino({ level: 'warn' });
  try {
    console.log(`setting up ${INVOICES.toLocaleString('en')} invoices in ${ACCOUNTS} accounts…`);
    const perAccount = Math.ceil(INVOICES / ACCOUNTS);
    const duePerAccount = Math.ceil(DUE / ACCOUNTS);
    const accounts: string[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const { account } = await services.accounts.create({ name: `Account ${a}`, time_zone: ZONE });
      accounts.push(account.id);
      const texting = a % 2 === 1;
      // In France: public holidays are looked up for texts (daytime) and for the texting policy's days.
      await services.accounts.update(
        { accountId: account.id, keyId: null, readOnly: false, mode: 'live', timeZone: ZONE },
        { billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' } },
      );
      const customerIds = await insertCustomers(database, account.id, perAccount, `${a}`, a % 2 ? 'fr' : 'en', texting);
      // One account in ten also posts a formal-notice letter that day (a PDF rendered and stored after).
      const posting = a % 10 === 4;
      const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: ZONE };
      if (texting || posting) {
        const policy = await services.reminderPolicies.create(actor, {
          name: texting ? 'Email and text' : 'Email and letter',
          send_hour: 9,
          skip_holidays: true,
          // On the real clock, today may be a weekend: the policies then send every day.
          ...(IN_WORKER_PROCESS && { skip_weekends: false }),
          steps: [
            { offset_days: -7, channel: 'email', template_key: 'before_due' },
            texting
              ? { offset_days: -7, channel: 'sms', template_key: 'before_due' }
              : { offset_days: -7, channel: 'letter', first_contact_allowed: true },
            { offset_days: 0, channel: 'email', template_key: 'due_today' },
            { offset_days: 7, channel: 'email', template_key: 'overdue_friendly' },
            { offset_days: 14, channel: 'sms', template_key: 'overdue_firm' },
            { offset_days: 30, channel: 'email', template_key: 'final_notice' },
          ].filter((step) => texting || step.channel !== 'sms') as ReminderStepInput[],
        });
        await services.accounts.update(actor, { default_reminder_policy_id: policy.id });
      } else if (IN_WORKER_PROCESS) {
        const { steps, ...everyDay } = { ...DEFAULT_POLICY, skip_weekends: false };
        const policy = await services.reminderPolicies.create(actor, {
          ...everyDay,
          steps: steps.map(({ template_key, ...step }) =>
            template_key ? { ...step, template_key } : step,
          ) as ReminderStepInput[],
        });
        await services.accounts.update(actor, { default_reminder_policy_id: policy.id });
      }
      await database.withAccount(account.id, async (trx) => {
        for (let start = 0; start < perAccount; start += 1000) {
          const rows = [];
          for (let i = start; i < Math.min(perAccount, start + 1000); i++) {
            // The first ones are due in a week (their courtesy email is today); the others later.
            const due =
              i < duePerAccount
                ? DUE_ON_D_PLUS_7
                : IN_WORKER_PROCESS
                  ? addDays(DAY, 30 + (i % 3) * 31 + (i % 18))
                  : `2026-0${7 + (i % 3)}-${String(10 + (i % 18)).padStart(2, '0')}`;
            rows.push({
              account_id: account.id,
              id: newId('invoice'),
              number: `B-${i}`,
              customer_id: customerIds[i] as string,
              status: 'open',
              currency: 'EUR',
              subtotal: 10_000 + i,
              tax: 0,
              total: 10_000 + i,
              issue_date: '2026-06-01',
              due_date: due,
              created_at: clock.now(),
              updated_at: clock.now(),
            });
          }
          await trx.insertInto('invoices').values(rows).execute();
          await trx
            .insertInto('invoice_replans')
            .values(rows.map((r) => ({ account_id: r.account_id, invoice_id: r.id, flagged_at: r.created_at })))
            .execute();
        }
      });
    }
    await database.withSystem((trx) => sql`ANALYZE`.execute(trx));
    endPhase('setup');
    if (IN_WORKER_PROCESS) {
      await inWorkerProcess(database, testDb.url);
      return;
    }

    let t0 = performance.now();
    const planned = await services.reminders.scheduler.planPending({ kind: 'live', now: clock.now() });
    const planSeconds = (performance.now() - t0) / 1000;
    endPhase('planning');
    const occurrences = await database.withSystem(async (trx) =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM reminder_occurrences`.execute(trx)).rows[0]?.n),
    );
    console.log(
      `planned ${planned.toLocaleString('en')} invoices (${occurrences.toLocaleString('en')} reminders) in ${planSeconds.toFixed(1)} s: ${Math.round(planned / planSeconds).toLocaleString('en')} invoices/s`,
    );
    await database.withSystem((trx) => sql`ANALYZE`.execute(trx));

    clock.set(`${DAY}T09:30:00Z`);
    const worker = await startWorker({
      databaseUrl: testDb.url,
      services,
      clock,
      log,
      timer: false,
      concurrency: CONCURRENCY,
    });
    // The worker's letter writer, as in a worker process (the bench drives the ticks itself).
    const letterWriter = startLetterWriter({ services, log });
    const loadAtStart = loadavg()[0] ?? 0;
    t0 = performance.now();
    const due = await worker.tick();
    const sentCount = () =>
      database.withSystem(async (trx) =>
        Number(
          // Reminders done: emails and texts handed to the outbox, letters written with their task.
          (await sql<{ n: string }>`SELECT count(*) AS n FROM reminder_occurrences WHERE status = 'sent'`.execute(trx))
            .rows[0]?.n,
        ),
      );
    let sent = 0;
    while (sent < due) {
      await new Promise((r) => setTimeout(r, 500));
      sent = await sentCount();
      if ((performance.now() - t0) / 1000 > 900) break;
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    const loadAtEnd = loadavg()[0] ?? 0;
    /** Formal notices by status: decided and waiting for their PDF (`pending`), or `stored`. */
    const lettersOf = async (): Promise<{ pending: number; stored: number }> => {
      const rows = await database.withSystem(
        async (trx) =>
          (
            await sql<{ pending: string; stored: string }>`
          SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'stored') AS stored
            FROM documents WHERE kind = 'formal_notice'`.execute(trx)
          ).rows,
      );
      return { pending: Number(rows[0]?.pending ?? 0), stored: Number(rows[0]?.stored ?? 0) };
    };
    const atLastReminder = await lettersOf();
    let letterState = atLastReminder;
    while (letterState.pending > 0 && (performance.now() - t0) / 1000 < 900) {
      await new Promise((r) => setTimeout(r, 100));
      letterState = await lettersOf();
    }
    const lettersLag = (performance.now() - t0) / 1000 - sendSeconds;
    endPhase('sending');
    await letterWriter.stop();
    await worker.stop();
    const mix = await database.withSystem(
      async (trx) =>
        (
          await sql<{
            channel: string;
            n: string;
          }>`SELECT channel, count(*) AS n FROM messages GROUP BY channel ORDER BY channel`.execute(trx)
        ).rows,
    );
    const letters = letterState.pending + letterState.stored;
    console.log(
      `mix: ${[...mix.map((m) => `${m.channel} ${Number(m.n).toLocaleString('en')}`), `letter ${letters.toLocaleString('en')}`].join(', ')}`,
    );
    console.log(
      `${due.toLocaleString('en')} reminders due; sent ${sent.toLocaleString('en')} (guarded + rendered + outbox; letters decided) in ${sendSeconds.toFixed(1)} s: ${Math.round(sent / sendSeconds).toLocaleString('en')} reminders/s (load average ${loadAtStart.toFixed(1)} → ${loadAtEnd.toFixed(1)})`,
    );
    if (letters > 0)
      console.log(
        `letters: ${atLastReminder.stored.toLocaleString('en')} of ${letters.toLocaleString('en')} PDFs stored when the last reminder was done; the last stored ${lettersLag.toFixed(1)} s after it (${letterState.pending.toLocaleString('en')} still pending)`,
      );
    console.log(
      `peak RSS of this process (app + worker + load setup): ${Math.max(...Object.values(phasePeaks))} MiB; by phase: ${Object.entries(
        phasePeaks,
      )
        .map(([k, v]) => `${k} ${v} MiB`)
        .join(', ')}`,
    );
    console.log(
      `goals: planning 100,000 invoices ≤ 60 s → ${planSeconds <= 60 * (INVOICES / 100_000) ? 'PASS' : 'MISS'}; ≥ 500 reminders/s → ${sent / sendSeconds >= 500 ? 'PASS' : 'MISS'}`,
    );
  } finally {
    clearInterval(sampler);
    await database.close();
    await testDb.drop();
  }
}

/** Resident memory of process `pid` from /proc, in MiB: `VmRSS` now and `VmHWM`, its peak so far. */
function residentMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kib('VmRSS') / 1024), hwm: Math.round(kib('VmHWM') / 1024) };
}

/**
 * Planning and sending by a worker process of its own (`main.ts worker`, as `npm run start:worker`
 * starts it) on the real clock, its resident memory read from /proc every 100 ms.
 */
async function inWorkerProcess(database: ReturnType<typeof createDatabase>, databaseUrl: string) {
  const { flags, env: startEnv } = serviceStart();
  const count = (query: ReturnType<typeof sql<{ n: string }>>) =>
    database.withSystem(async (trx) => Number((await query.execute(trx)).rows[0]?.n ?? 0));
  const child = spawn(process.execPath, [...flags, 'api/src/main.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...startEnv, DATABASE_URL: databaseUrl, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid as number;
  let peak = 0;
  const peaks: Array<[string, number]> = [];
  const sampler = setInterval(() => {
    if (child.exitCode === null) peak = Math.max(peak, residentMiB(pid).rss);
  }, 100);
  const phase = async (name: string, done: () => Promise<boolean>) => {
    const t0 = performance.now();
    while (!(await done())) {
      if (child.exitCode !== null) throw new Error(`the worker process exited (${child.exitCode}) during ${name}`);
      if ((performance.now() - t0) / 1000 > 900) throw new Error(`${name} took more than 900 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    peaks.push([name, Math.max(peak, residentMiB(pid).rss)]);
    peak = 0;
    return (performance.now() - t0) / 1000;
  };
  try {
    const loadAtStart = loadavg()[0] ?? 0;
    const planSeconds = await phase(
      'planning',
      async () => (await count(sql`SELECT count(*) AS n FROM invoice_replans`)) === 0,
    );
    const due = await count(
      sql`SELECT count(*) AS n FROM reminder_occurrences WHERE scheduled_at <= now() AND status <> 'skipped'`,
    );
    const sendSeconds = await phase(
      'sending',
      async () =>
        (await count(
          sql`SELECT count(*) AS n FROM reminder_occurrences WHERE status = 'scheduled' AND scheduled_at <= now()`,
        )) === 0 && (await count(sql`SELECT count(*) AS n FROM documents WHERE status = 'pending'`)) === 0,
    );
    const { hwm } = residentMiB(pid);
    const loadAtEnd = loadavg()[0] ?? 0;
    const sent = await count(sql`SELECT count(*) AS n FROM reminder_occurrences WHERE status = 'sent'`);
    const outcomes = await database.withSystem(
      async (trx) =>
        (
          await sql<{ channel: string; status: string; n: string }>`
          SELECT channel, status, count(*) AS n FROM reminder_occurrences WHERE scheduled_at <= now()
           GROUP BY channel, status ORDER BY channel, status`.execute(trx)
        ).rows,
    );
    console.log(
      `reminders due, by channel and outcome: ${outcomes.map((o) => `${o.channel} ${o.status} ${o.n}`).join(', ')}`,
    );
    console.log(
      `a worker process (${Object.entries(startEnv)
        .map(([k, v]) => `${k}=${v} `)
        .join(
          '',
        )}node ${flags.join(' ')} api/src/main.ts worker), time zone ${ZONE}, day ${DAY}: planned ${INVOICES.toLocaleString('en')} invoices in ${planSeconds.toFixed(1)} s, then sent ${sent.toLocaleString('en')} of ${due.toLocaleString('en')} reminders due in ${sendSeconds.toFixed(1)} s (load average ${loadAtStart.toFixed(1)} → ${loadAtEnd.toFixed(1)})`,
    );
    console.log(
      `peak RSS of the worker process (kernel VmHWM): ${hwm} MiB; by phase (sampled): ${peaks.map(([k, v]) => `${k} ${v} MiB`).join(', ')}; goal ≤ 200 MiB → ${hwm <= 200 ? 'PASS' : 'MISS'}`,
    );
  } catch (error) {
    // A run cut short still says what the process held so far.
    if (child.exitCode === null)
      console.log(
        `peak RSS of the worker process so far (kernel VmHWM): ${residentMiB(pid).hwm} MiB; by phase: ${[...peaks, ['(unfinished)', peak] as [string, number]].map(([k, v]) => `${k} ${v} MiB`).join(', ')}`,
      );
    throw error;
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
