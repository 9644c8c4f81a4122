/**
 * `npm run bench:book`: a big book costs nothing while nothing is due (issue 13).
 *   1. loads the book by SQL: one large account (BOOK_BIG invoices over BOOK_BIG / 10 customers)
 *      and BOOK_ACCOUNTS accounts of BOOK_SMALL invoices each; 72 % paid, 24 % open, 4 % void,
 *      issued over the 400 days before the day;
 *   2. plans every open invoice with the real planner (rate over the first and last 10 %);
 *   3. settles the book as yesterday's ticks leave it, then measures: an idle tick, the 09:00
 *      burst scan, a policy change on the large account (the request, then the background
 *      flagging and replanning), count and aging of the large account, an overdue list filtered
 *      by due date, sizes per table and per invoice, this process's peak RSS, the load average.
 * Database time is the sum of `EXPLAIN ANALYZE` execution times of the statements sent. Planning
 * also reports its CPU time per 1,000 invoices (this process, and the database's backends read
 * from Linux's /proc): on a shared machine it moves less with the load than the rate does.
 *
 * Environment: BOOK_BIG (200000), BOOK_ACCOUNTS (20), BOOK_SMALL (10000), BOOK_ONLY (`plan`: stop
 * after planning), BOOK_KEEP (`1`: keep the database and print its address), TEST_DATABASE_URL.
 * The issue's book is BOOK_BIG=1000000 BOOK_ACCOUNTS=100 BOOK_SMALL=10000.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { ManualClock } from '../api/src/clock.ts';
import { oldestDueReminderAge } from '../api/src/domain/reminders/index.ts';
import { createServices } from '../api/src/services.ts';
import { createDatabase } from '../api/src/store/database.ts';
import { explainStatements, loadInvoices, type PlanNode, scansOf, settleBook } from '../api/test/helpers/book.ts';
import { createTestDatabase } from '../api/test/helpers/database.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BIG = env('BOOK_BIG', 200_000);
const ACCOUNTS = env('BOOK_ACCOUNTS', 20);
const SMALL = env('BOOK_SMALL', 10_000);
const DAY = '2026-06-10';
const TABLES = new Set(['invoices', 'reminder_occurrences']);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
const n = (x: number) => Math.round(x).toLocaleString('en');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * CPU seconds used so far by the PostgreSQL backends serving `database` (Linux `/proc`: the
 * backends of this machine's server, named by their database), except the processes `except`, in
 * user space and in the kernel. With the bench's own CPU time it says what planning costs on a
 * machine shared with other work, where the rate alone moves with the load.
 */
function backendCpuSeconds(database: string, except: readonly number[]): { user: number; kernel: number } {
  const cpu = { user: 0, kernel: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || except.includes(Number(pid))) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      // utime and stime, the 14th and 15th fields, in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      cpu.user += Number(fields[11]) / 100;
      cpu.kernel += Number(fields[12]) / 100;
    } catch {
      // The process ended meanwhile.
    }
  }
  return cpu;
}

async function main() {
  console.log(`load average at start: ${load()}`);
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 6 });
  const owner = new pg.Client({ connectionString: testDb.url });
  await owner.connect();
  // Progress as the planner's own statements report it: each batch's unqueue deletes the
  // invoices it plans. Counting the queue from another connection instead (a parallel scan
  // every half second) took CPU from the planning it measured.
  let unqueued = 0;
  database.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (text: unknown, values?: unknown) => Promise<{ rowCount: number }>;
    (client as { query: unknown }).query = (text: unknown, values?: unknown) => {
      const result = query(text, values);
      if (typeof text === 'string' && text.startsWith('delete from "invoice_replans"'))
        void result.then((r) => (unqueued += r.rowCount ?? 0)).catch(() => undefined);
      return result;
    };
  });
  let capturing = false;
  let explained: Array<{ text: string; plan: PlanNode; ms: number }> = [];
  explainStatements(
    database.pool,
    (text) => /\b(invoices|reminder_occurrences)\b/.test(text),
    (text, plan, ms) => explained.push({ text, plan, ms }),
    () => capturing,
  );
  const clock = new ManualClock(`${DAY}T08:30:00Z`);
  const services = createServices({ database, clock });
  const scheduler = services.reminders.scheduler;
  const live = () => ({ kind: 'live' as const, now: clock.now() });
  /** Runs `fn` with every statement explained: database time (ms), rows read and returned on the two big tables. */
  const measure = async <T>(fn: () => Promise<T>) => {
    explained = [];
    capturing = true;
    let result: T;
    try {
      result = await fn();
    } finally {
      capturing = false;
    }
    const scans = explained.flatMap((e) => scansOf(e.plan, TABLES));
    const seq = scans.filter((s) => s.node === 'Seq Scan').length;
    return {
      result,
      ms: explained.reduce((sum, e) => sum + e.ms, 0),
      statements: explained.length,
      read: scans.reduce((x, s) => x + s.read, 0),
      returned: scans.reduce((x, s) => x + s.returned, 0),
      seq,
    };
  };
  try {
    const total = BIG + ACCOUNTS * SMALL;
    console.log(`loading ${n(total)} invoices: 1 account of ${n(BIG)}, ${ACCOUNTS} of ${n(SMALL)}…`);
    let started = performance.now();
    const big = (await services.accounts.create({ name: 'Big', time_zone: 'UTC' })).account.id;
    await loadInvoices(owner, {
      accountId: big,
      invoices: BIG,
      customers: Math.max(1, Math.round(BIG / 10)),
      today: DAY,
    });
    for (let a = 0; a < ACCOUNTS; a++) {
      const id = (await services.accounts.create({ name: `Account ${a}`, time_zone: 'UTC' })).account.id;
      await loadInvoices(owner, {
        accountId: id,
        invoices: SMALL,
        customers: Math.max(1, Math.round(SMALL / 10)),
        today: DAY,
      });
    }
    await owner.query('VACUUM ANALYZE');
    // The planner takes the small accounts first, and they were loaded last: their invoices were
    // still in PostgreSQL's cache, a head start no later tenth had (120 blocks read from outside
    // it per 1,000 invoices against 730). Fill the cache with the large account's last invoices
    // instead, which planning reaches last, long after the cache has turned over.
    await owner.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    await owner.query(
      `SELECT pg_prewarm('invoices', 'buffer', 'main', greatest(0, last - cache), last)
         FROM (SELECT max((ctid::text::point)[0])::bigint AS last FROM invoices WHERE account_id = $1) heap,
              (SELECT setting::bigint AS cache FROM pg_settings WHERE name = 'shared_buffers') buffers`,
      [big],
    );
    console.log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Planning, watched from another connection: the rate over the first and the last 10 %.
    const toPlan = Number((await owner.query('SELECT count(*) FROM invoice_replans')).rows[0].count);
    /**
     * The server's counters that planning moves: blocks read from outside its cache, buffers a
     * backend had to write itself to free one, WAL bytes and full-page images written.
     */
    const counters = async () => {
      const { rows } = await owner.query<{ read: string; written: string; wal: string; fpi: string }>(
        `SELECT (SELECT blks_read FROM pg_stat_database WHERE datname = current_database()) AS read,
                (SELECT buffers_backend FROM pg_stat_bgwriter) AS written, wal_bytes AS wal, wal_fpi AS fpi
           FROM pg_stat_wal`,
      );
      const r = rows[0]!;
      return { read: Number(r.read), written: Number(r.written), wal: Number(r.wal), fpi: Number(r.fpi) };
    };
    const countersBefore = await counters();
    /** Blocks read from outside the cache, per table and index of the schema. */
    const blocksRead = async () => {
      const { rows } = await owner.query<{ name: string; read: string }>(
        `SELECT relname AS name, coalesce(heap_blks_read, 0) AS read FROM pg_statio_user_tables
         UNION ALL SELECT indexrelname, coalesce(idx_blks_read, 0) FROM pg_statio_user_indexes`,
      );
      return new Map(rows.map((r) => [r.name, Number(r.read)]));
    };
    const readBefore = await blocksRead();
    type Sample = {
      at: number;
      left: number;
      cpu: number;
      kernel: number;
      read: number;
      written: number;
      wal: number;
      fpi: number;
    };
    const progress: Sample[] = [{ at: 0, left: toPlan, cpu: 0, kernel: 0, read: 0, written: 0, wal: 0, fpi: 0 }];
    const databaseName = new URL(testDb.url).pathname.slice(1);
    // The connection that stands in for autovacuum (below), beside the owner's: neither is planning.
    const analyzer = new pg.Client({ connectionString: testDb.url });
    await analyzer.connect();
    const pidOf = async (client: pg.Client) =>
      (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const notPlanning = [await pidOf(owner), await pidOf(analyzer)];
    const cpuBefore = { bench: process.cpuUsage(), backends: backendCpuSeconds(databaseName, notPlanning) };
    /** The backends' CPU seconds since planning started, in user space and in the kernel. */
    const backendsSoFar = () => {
      const now = backendCpuSeconds(databaseName, notPlanning);
      return { user: now.user - cpuBefore.backends.user, kernel: now.kernel - cpuBefore.backends.kernel };
    };
    /** CPU seconds of the worker and the database's backends since planning started. */
    const cpuSoFar = () => {
      const bench = process.cpuUsage(cpuBefore.bench);
      const backends = backendsSoFar();
      return { cpu: (bench.user + bench.system) / 1e6 + backends.user + backends.kernel, kernel: backends.kernel };
    };
    /** Where planning stands `at` seconds in, with `left` invoices still queued. */
    const sample = async (at: number, left: number): Promise<Sample> => {
      const c = await counters();
      return {
        at,
        left,
        ...cpuSoFar(),
        read: c.read - countersBefore.read,
        written: c.written - countersBefore.written,
        wal: c.wal - countersBefore.wal,
        fpi: c.fpi - countersBefore.fpi,
      };
    };
    started = performance.now();
    let watching = true;
    // Production's PostgreSQL analyzes a growing table by itself: autovacuum, on by default, wakes
    // every `autovacuum_naptime` (1 min), analyzes a table once the rows changed since its last
    // analysis pass `autovacuum_analyze_threshold` + `autovacuum_analyze_scale_factor` × its rows,
    // and paces its reads (`autovacuum_vacuum_cost_delay`, `autovacuum_vacuum_cost_limit`):
    // https://www.postgresql.org/docs/15/routine-vacuuming.html#AUTOVACUUM. On a server with
    // autovacuum off (as this project's CI runs it) the bench stands in for it, by the same rule
    // at the same pace, on a connection of its own (not counted in planning's CPU). Analyzing
    // every 10 s at full speed instead read thousands of pages per pass across tables growing to
    // gigabytes, evicting planning's own pages: twice the blocks read from outside the cache per
    // invoice, 17 s of a core in a run, and a growing share of the two cores in the last tenths.
    const autovacuum = (await owner.query<{ on: boolean }>("SELECT current_setting('autovacuum') = 'on' AS on")).rows[0]
      ?.on;
    const analysis = { passes: 0, seconds: 0 };
    const { rows: autovacuumSettings } = await analyzer.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('autovacuum_naptime', 'autovacuum_vacuum_cost_delay', 'autovacuum_vacuum_cost_limit', 'vacuum_cost_limit')`,
    );
    const setting = (name: string) => Number(autovacuumSettings.find((r) => r.name === name)?.setting);
    const costLimit = setting('autovacuum_vacuum_cost_limit');
    await analyzer.query(`SET vacuum_cost_delay = ${setting('autovacuum_vacuum_cost_delay')}`);
    await analyzer.query(`SET vacuum_cost_limit = ${costLimit > 0 ? costLimit : setting('vacuum_cost_limit')}`);
    const analyzeLikeAutovacuum = async () => {
      const { rows } = await analyzer.query<{ name: string }>(
        `SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
          WHERE s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
                + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)`,
      );
      if (rows.length === 0) return;
      const t0 = performance.now();
      await analyzer.query(`ANALYZE ${rows.map((r) => `"${r.name}"`).join(', ')}`);
      analysis.passes += rows.length;
      analysis.seconds += (performance.now() - t0) / 1000;
    };
    const watcher = (async () => {
      while (watching) {
        await new Promise((r) => setTimeout(r, 500));
        progress.push(await sample((performance.now() - started) / 1000, toPlan - unqueued));
      }
    })();
    const stats = (async () => {
      let wokeAt = performance.now();
      while (watching && !autovacuum) {
        await new Promise((r) => setTimeout(r, 200));
        if (watching && performance.now() - wokeAt >= setting('autovacuum_naptime') * 1000) {
          await analyzeLikeAutovacuum();
          wokeAt = performance.now();
        }
      }
    })();
    const planned = await scheduler.planPending(live());
    const planSeconds = (performance.now() - started) / 1000;
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const workerMs = (benchCpu.user + benchCpu.system) / 1000;
    const backendsCpu = backendsSoFar();
    const backendsMs = (backendsCpu.user + backendsCpu.kernel) * 1000;
    const end = await sample(planSeconds, 0);
    watching = false;
    await watcher;
    await stats;
    await analyzer.end();
    progress.push(end);
    const readAfter = await blocksRead();
    /** The time (or a counter) when `share` of the work was done, interpolated between the samples. */
    const valueAt = (share: number, key: Exclude<keyof Sample, 'left'>) => {
      const done = share * toPlan;
      for (let i = 1; i < progress.length; i++) {
        const a = progress[i - 1]!;
        const b = progress[i]!;
        const da = toPlan - a.left;
        const db = toPlan - b.left;
        if (db >= done) return db === da ? b[key] : a[key] + ((done - da) / (db - da)) * (b[key] - a[key]);
      }
      return progress.at(-1)![key];
    };
    const rateBetween = (from: number, to: number) =>
      ((to - from) * toPlan) / (valueAt(to, 'at') - valueAt(from, 'at'));
    /** How much of a counter planning used per 1,000 invoices, tenth by tenth, times `scale`. */
    const byTenth = (key: Exclude<keyof Sample, 'left' | 'at'>, scale = 1) =>
      Array.from({ length: 10 }, (_, i) =>
        n(((valueAt((i + 1) / 10, key) - valueAt(i / 10, key)) * scale * 1000) / (toPlan / 10)),
      ).join(', ');
    const occurrences = Number((await owner.query('SELECT count(*) FROM reminder_occurrences')).rows[0].count);
    console.log(
      `planned ${n(planned)} invoices (${n(occurrences)} reminders) in ${planSeconds.toFixed(1)} s: ${n(planned / planSeconds)}/s; first 10 % ${n(rateBetween(0, 0.1))}/s, last 10 % ${n(rateBetween(0.9, 1))}/s`,
    );
    // Each tenth: the planner takes the accounts in turn, so the small accounts go first, side by
    // side, and a large account's last invoices alone; the tenths show where one gives way.
    const tenths = Array.from({ length: 10 }, (_, i) => n(rateBetween(i / 10, (i + 1) / 10)));
    console.log(`planning rate by tenth (/s): ${tenths.join(', ')}`);
    // With the rate: a tenth that costs more CPU per invoice did more work; one that costs the
    // same at a lower rate waited (on locks, on the disk, or on other work on the machine). The
    // backends' kernel time is mostly the copying of what they write (WAL, evicted buffers) into
    // the operating system's page cache.
    console.log(
      `planning CPU per 1,000 invoices by tenth (ms, worker and PostgreSQL): ${byTenth('cpu', 1000)}; of which the backends in the kernel: ${byTenth('kernel', 1000)}`,
    );
    // Blocks the server read from outside its buffer cache (new blocks of a growing relation
    // included), buffers its backends wrote themselves to make room, and the WAL written.
    console.log(
      `planning buffers per 1,000 invoices by tenth, read from outside the cache: ${byTenth('read')}; written by the backends: ${byTenth('written')}`,
    );
    console.log(
      `planning WAL per 1,000 invoices by tenth, KiB: ${byTenth('wal', 1 / 1024)}; full-page images: ${byTenth('fpi')}`,
    );
    const readMost = [...readAfter]
      .map(([name, read]) => ({ name, read: read - (readBefore.get(name) ?? 0) }))
      .sort((a, b) => b.read - a.read)
      .slice(0, 8);
    console.log(
      `planning: blocks read from outside the cache per 1,000 invoices, by relation: ${readMost.map((r) => `${r.name} ${n((r.read * 1000) / planned)}`).join(', ')}`,
    );
    console.log(
      `planning CPU per 1,000 invoices: worker ${n((workerMs * 1000) / planned)} ms, PostgreSQL backends ${n((backendsMs * 1000) / planned)} ms; load average now ${load()}`,
    );
    console.log(
      autovacuum
        ? 'statistics: left to autovacuum'
        : `statistics: autovacuum's rule and pace stood in for it, ${analysis.passes} tables analyzed in ${analysis.seconds.toFixed(1)} s`,
    );

    // BOOK_ONLY=plan: stop after planning, to compare planners quickly.
    if (process.env.BOOK_ONLY === 'plan') return;
    await settleBook(owner, clock.now());
    const scheduled = Number(
      (await owner.query(`SELECT count(*) FROM reminder_occurrences WHERE status = 'scheduled'`)).rows[0].count,
    );
    console.log(`settled as of ${DAY} 08:30 UTC: ${n(scheduled)} reminders still scheduled`);

    const idleTick = () =>
      measure(async () => {
        await scheduler.prepare(live());
        await scheduler.dueOccurrences(live());
        await database.withSystem((trx) => oldestDueReminderAge(trx, clock.now()));
      });
    // The first tick after settling finds the index pages it reads evicted by the settling and
    // its VACUUM; a running service ticks every few seconds, and its next tick finds them cached.
    const idle = await idleTick();
    const next = await idleTick();
    let wall = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await scheduler.prepare(live());
      await scheduler.dueOccurrences(live());
      wall = Math.min(wall, performance.now() - t0);
    }
    console.log(
      `idle tick: ${idle.ms.toFixed(2)} ms of database time over ${idle.statements} statements (the next tick: ${next.ms.toFixed(2)} ms); rows read ${n(idle.read)}, returned ${n(idle.returned)}, seq scans ${idle.seq}; best wall time ${wall.toFixed(1)} ms`,
    );

    clock.set(`${DAY}T09:00:00Z`);
    const burst = await measure(() => scheduler.dueOccurrences(live()));
    console.log(
      `09:00 burst scan: ${n(burst.result.length)} due in ${burst.ms.toFixed(1)} ms of database time; rows read ${n(burst.read)}, returned ${n(burst.returned)}, seq scans ${burst.seq}`,
    );

    const actor = { accountId: big, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
    // Reports first, on the settled book (autovacuum has set the visibility map).
    const explainMs = async (text: string, values: unknown[]) => {
      const { rows } = await owner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
      const e = rows[0]['QUERY PLAN'][0];
      const scans = scansOf(e.Plan, TABLES);
      return `${e['Execution Time'].toFixed(1)} ms, rows read ${n(scans.reduce((x, s) => x + s.read, 0))} via ${[...new Set(scans.map((s) => s.index ?? s.node))].join(', ')}`;
    };
    console.log(
      `overdue count, large account: ${await explainMs(`SELECT count(*) FROM invoices WHERE account_id = $1 AND status IN ('open', 'partially_paid') AND balance > 0 AND due_date < $2::date`, [big, DAY])}`,
    );
    console.log(
      `aging by currency and bucket, large account: ${await explainMs(
        `SELECT currency, CASE WHEN due_date >= $2::date THEN 'current' WHEN due_date >= $2::date - 30 THEN '1-30' WHEN due_date >= $2::date - 60 THEN '31-60' WHEN due_date >= $2::date - 90 THEN '61-90' ELSE '90+' END AS bucket, sum(balance)
           FROM invoices WHERE account_id = $1 AND status IN ('open', 'partially_paid') AND balance > 0 GROUP BY 1, 2`,
        [big, DAY],
      )}`,
    );
    const list = await measure(() =>
      services.invoices.list(actor, { overdue: true, due_date_to: '2026-03-31', limit: 20 }),
    );
    console.log(
      `overdue list filtered by due_date_to, page 1 of 20: ${list.ms.toFixed(2)} ms of database time, rows read ${n(list.read)}`,
    );

    const policy = (await services.reminderPolicies.list(actor, {})).data[0]!;
    started = performance.now();
    const changed = await services.reminderPolicies.update(actor, policy.id, { send_hour: 10 });
    const requestMs = performance.now() - started;
    started = performance.now();
    const replanned = await scheduler.planPending(live());
    const replanSeconds = (performance.now() - started) / 1000;
    console.log(
      `policy change on the large account: answered in ${requestMs.toFixed(0)} ms (${n(changed.invoices_to_replan)} invoices to replan); flagged and replanned ${n(replanned)} in the background in ${replanSeconds.toFixed(1)} s (${n(replanned / replanSeconds)}/s)`,
    );

    const { rows: sizes } = await owner.query(`
      SELECT c.relname AS name, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS indexes
        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 6`);
    const { rows: indexes } = await owner.query(`
      SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS size FROM pg_index
       WHERE indrelid IN ('invoices'::regclass, 'reminder_occurrences'::regclass, 'events'::regclass) ORDER BY 2 DESC`);
    const all = Number(
      (
        await owner.query(
          `SELECT sum(pg_total_relation_size(c.oid)) AS s FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND c.relkind = 'r'`,
        )
      ).rows[0].s,
    );
    console.log(
      `sizes: ${sizes.map((r) => `${r.name} ${mib(Number(r.total))} (heap ${mib(Number(r.heap))}, indexes ${mib(Number(r.indexes))})`).join('; ')}`,
    );
    console.log(`indexes: ${indexes.map((r) => `${r.name} ${mib(Number(r.size))}`).join(', ')}`);
    const { rows: perTable } = await owner.query(`
      SELECT c.relname AS name, pg_total_relation_size(c.oid) AS total FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'public' AND c.relkind = 'r' AND pg_total_relation_size(c.oid) > 0 ORDER BY 2 DESC LIMIT 4`);
    const top = perTable.map((r) => `${r.name} ${n(Number(r.total) / total)}`);
    const rest = all - perTable.reduce((x, r) => x + Number(r.total), 0);
    console.log(`bytes per invoice, all tables: ${n(all / total)} (${top.join(', ')}, the rest ${n(rest / total)})`);
    console.log(`peak RSS of this process: ${mib(peakRss)}; load average at end: ${load()}`);
  } finally {
    clearInterval(sampler);
    await owner.end();
    await database.close();
    // BOOK_KEEP=1: keep the database, to look into it afterwards.
    if (process.env.BOOK_KEEP) console.log(`kept the database: ${testDb.url}`);
    else await testDb.drop();
  }
}

await main();
