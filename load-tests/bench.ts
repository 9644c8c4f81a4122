/**
 * `npm run bench`: measures what Relance's request path costs against the ceiling of this
 * machine, in one run. Two servers, each in a process of its own (the load generator runs in
 * this one, so it never shares an event loop with a server):
 *   raw      bare Fastify + pg Pool(10), one INSERT per request, on a fresh one-table database;
 *   relance  the real app (`buildApp`) on a fresh migrated database.
 * For each comparison in `scenarios.ts`, autocannon drives baseline and candidate in turn,
 * `BENCH_ROUNDS` times alternating, and the medians are compared with the goal.
 *
 * Environment: BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50),
 * BENCH_ROUNDS (2), BENCH_CPU_PROF (a directory: write V8 CPU profiles of the server
 * processes there), BENCH_ONLY (run only the comparisons whose name contains it, e.g. `payments`), TEST_DATABASE_URL (the admin URL of the Postgres to use, as the tests do).
 *
 * Exit code 0 whatever the figures (they are informational); 1 if a run failed en masse
 * (more than 1 % non-2xx, socket errors or timeouts) or the bench itself broke.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import pg from 'pg';
import { systemClock } from '../api/src/clock.ts';
import { createServices } from '../api/src/services.ts';
import { createDatabase, type Database } from '../api/src/store/database.ts';
import { ADMIN_URL, createTestDatabase, urlFor } from '../api/test/helpers/database.ts';
import {
  type Comparison,
  comparisons,
  createTenant,
  type Prepared,
  type Scenario,
  scenarios,
  type SetupContext,
  type Tenant,
} from './scenarios.ts';
import { serviceStart } from './node-flags.ts';
import type { FromServer, ToServer } from './servers/child.ts';

const HERE = import.meta.dirname;
const RESULTS_FILE = path.join(HERE, 'results', 'latest.json');
/** Above this share of failed requests in a run, the run is broken, not slow: exit 1. */
const MAX_FAILURE_RATE = 0.01;

function integer(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`);
  return value;
}

const settings = {
  seconds: integer('BENCH_SECONDS', 15, 1),
  warmupSeconds: integer('BENCH_WARMUP_SECONDS', 3, 0),
  connections: integer('BENCH_CONNECTIONS', 50, 1),
  rounds: integer('BENCH_ROUNDS', 2, 1),
  poolSize: 10,
  cpuProfileDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
};

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started registers how to undo it; undone in reverse order, once, even on
// error or Ctrl-C.

const cleanups: Array<{ what: string; undo: () => Promise<unknown> }> = [];
const defer = (what: string, undo: () => Promise<unknown>) => void cleanups.push({ what, undo });
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { what, undo } of cleanups.reverse()) {
      try {
        await undo();
      } catch (error) {
        log(`cleanup: could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Databases and servers

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database for the raw server (it creates its one table itself). */
async function createRawDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `relance_bench_raw_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

/**
 * CPU time used by the Postgres backends serving one database, read from /proc: only when
 * Postgres runs on this machine and /proc is readable (Linux), else undefined. Backends that
 * came and went between two readings are missed: pools keep theirs during a run.
 */
async function postgresCpu(client: pg.Client, database: string): Promise<Map<number, number> | undefined> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    database,
  ]);
  const ticks = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      // Fields after the ")" of the command name: state is 3rd, utime 14th and stime 15th of the whole line.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    return undefined;
  }
  return ticks;
}

/** Milliseconds of CPU between two readings, at the usual 100 clock ticks a second. */
function cpuMsBetween(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks * 10;
}

interface Server {
  kind: 'raw' | 'relance';
  /** The database the server uses (to read its Postgres backends' CPU). */
  database: string;
  url: string;
  /** Queries the server has sent to Postgres, and the CPU time it used, since it started. */
  stats(): Promise<{ queries: number; cpuMicros: number }>;
  stop(): Promise<void>;
}

function nextMessage<T extends FromServer['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromServer) => {
      if (message.type === 'failed') finish(() => reject(new Error(`bench server failed:\n${message.error}`)));
      else if (message.type === type) finish(() => resolve(message as Extract<FromServer, { type: T }>));
    };
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`bench server exited (code ${code}) before answering '${type}'`)));
    const finish = (settle: () => void) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startServer(kind: 'raw' | 'relance', database: string, env: Record<string, string>): Promise<Server> {
  // Both servers run as the service's processes start (package.json's start scripts).
  const start = serviceStart();
  const execArgv = [
    ...start.flags,
    ...(settings.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`, `--cpu-prof-name=${kind}-${process.pid}.cpuprofile`]
      : []),
  ];
  const child = fork(path.join(HERE, 'servers', `${kind}.ts`), [], {
    env: { ...process.env, ...start.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ type: 'stop' } satisfies ToServer);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  defer(`stop the ${kind} server`, stop);
  const { port } = await nextMessage(child, 'listening');
  return {
    kind,
    database,
    url: `http://127.0.0.1:${port}`,
    async stats() {
      const answer = nextMessage(child, 'stats');
      child.send({ type: 'stats' } satisfies ToServer);
      const { queries, cpuMicros } = await answer;
      return { queries, cpuMicros };
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface RunResult {
  scenario: string;
  round: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Postgres queries (round trips) per request, warm-up included. */
  queriesPerRequest: number;
  /** CPU time of the server process per request (user + system), warm-up included. */
  serverCpuMsPerRequest: number;
  /** CPU time of the Postgres backends serving the server, per request, when it can be read. */
  postgresCpuMsPerRequest?: number;
  firstError?: { status: number; body: string };
}

/** Never repeats in this process: each request gets the next one, so invoice numbers stay unique. */
let seq = 0;

async function measure(
  scenario: Scenario,
  prepared: Prepared<unknown>,
  server: Server,
  round: number,
  monitor: pg.Client,
): Promise<RunResult> {
  let firstError: RunResult['firstError'];
  const request = (): Request => ({
    method: scenario.method,
    path: scenario.path,
    headers: { ...prepared.headers, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify(scenario.body(prepared.state, ++seq)) }),
    onResponse: (status, body) => {
      if ((status < 200 || status >= 300) && !firstError) firstError = { status, body };
    },
  });
  const before = await server.stats();
  const postgresBefore = await postgresCpu(monitor, server.database);
  const result: Result = await autocannon({
    url: server.url,
    connections: settings.connections,
    duration: settings.seconds,
    ...(settings.warmupSeconds > 0 && {
      warmup: { connections: settings.connections, duration: settings.warmupSeconds },
    }),
    requests: [request()],
    // autocannon shares `requests` between its connections and builds each connection's first
    // request up front: give every connection request objects of its own, or those first
    // requests would all carry the body built last (the same invoice number 50 times).
    setupClient: (client) => client.setRequests([request()]),
  });
  const after = await server.stats();
  const postgresMs = cpuMsBetween(postgresBefore, await postgresCpu(monitor, server.database));
  const served = result.requests.total + (result.warmup?.requests.total ?? 0);
  const perRequest = (n: number) => (served > 0 ? n / served : 0);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  return {
    scenario: scenario.name,
    round,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    queriesPerRequest: perRequest(after.queries - before.queries),
    serverCpuMsPerRequest: perRequest((after.cpuMicros - before.cpuMicros) / 1000),
    ...(postgresMs !== undefined && { postgresCpuMsPerRequest: perRequest(postgresMs) }),
    ...(firstError && { firstError }),
  };
}

const failureRate = (run: RunResult) =>
  run.requests === 0 ? 1 : (run.non2xx + run.errors + run.timeouts) / run.requests;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Summary {
  scenario: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  queriesPerRequest: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest?: number;
}

function summarize(runs: RunResult[], scenario: string): Summary {
  const mine = runs.filter((r) => r.scenario === scenario);
  return {
    scenario,
    requestsPerSecond: median(mine.map((r) => r.requestsPerSecond)),
    p50Ms: median(mine.map((r) => r.p50Ms)),
    p99Ms: median(mine.map((r) => r.p99Ms)),
    non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
    queriesPerRequest: median(mine.map((r) => r.queriesPerRequest)),
    serverCpuMsPerRequest: median(mine.map((r) => r.serverCpuMsPerRequest)),
    ...(mine.every((r) => r.postgresCpuMsPerRequest !== undefined) && {
      postgresCpuMsPerRequest: median(mine.map((r) => r.postgresCpuMsPerRequest ?? 0)),
    }),
  };
}

interface Verdict {
  comparison: string;
  baseline: Summary;
  candidate: Summary;
  ratio: number;
  goal: Comparison['goal'];
  pass: boolean;
}

// ---------------------------------------------------------------------------------------------
// Reporting

const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => n.toFixed(n < 10 ? 1 : 0),
  pct: (n: number) => `${(n * 100).toFixed(0)} %`,
  q: (n: number) => n.toFixed(2),
};

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   '))
    .join('\n');
}

function report(verdicts: Verdict[], runs: RunResult[]): string {
  const out: string[] = [];
  for (const v of verdicts) {
    const header = [
      '',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'queries/req',
      'server CPU ms/req',
      'Postgres CPU ms/req',
    ];
    const pgCpu = (n: number | undefined) => (n === undefined ? 'n/a' : fmt.q(n));
    const runRows = runs
      .filter((r) => r.scenario === v.baseline.scenario || r.scenario === v.candidate.scenario)
      .map((r) => [
        `${r.scenario} #${r.round}`,
        fmt.int(r.requestsPerSecond),
        fmt.ms(r.p50Ms),
        fmt.ms(r.p99Ms),
        fmt.int(r.non2xx),
        fmt.q(r.queriesPerRequest),
        fmt.q(r.serverCpuMsPerRequest),
        pgCpu(r.postgresCpuMsPerRequest),
      ]);
    const medianRow = (s: Summary) => [
      `${s.scenario} (median)`,
      fmt.int(s.requestsPerSecond),
      fmt.ms(s.p50Ms),
      fmt.ms(s.p99Ms),
      fmt.int(s.non2xx),
      fmt.q(s.queriesPerRequest),
      fmt.q(s.serverCpuMsPerRequest),
      pgCpu(s.postgresCpuMsPerRequest),
    ];
    out.push(
      `\n${v.comparison} — ${settings.connections} connections, ${settings.seconds} s per run after ${settings.warmupSeconds} s of warm-up, ${settings.rounds} rounds`,
      '',
      table([header, ...runRows, medianRow(v.baseline), medianRow(v.candidate)]),
      '',
      `Relance/raw: ${fmt.pct(v.ratio)} of raw throughput; p99 ${fmt.ms(v.candidate.p99Ms)} ms`,
      `goal: ≥ ${fmt.pct(v.goal.minRatio)} of raw${v.goal.maxP99Ms === undefined ? '' : ` and p99 < ${v.goal.maxP99Ms} ms`} → ${v.pass ? 'PASS' : 'MISS'}`,
    );
  }
  return out.join('\n');
}

function machine(postgresVersion: string, loadBefore: number[]) {
  const cpus = os.cpus();
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: HERE,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: postgresVersion,
    commit,
    /** 1-minute load average before and after the bench: other work on the machine skews the figures. */
    loadAverage: { before: loadBefore[0], after: os.loadavg()[0] },
  };
}

/**
 * Settles a database before a comparison's runs, as autovacuum keeps a live one: `VACUUM
 * ANALYZE` (the statistics autovacuum gathers once about 50 rows, then 10 %, have changed), then a
 * `CHECKPOINT`. Without statistics, the planner prices every index that starts with `account_id`
 * alike on a table never analyzed, so a foreign-key check may be planned on an index other than
 * the key's and scan the whole account on each insert; and without the vacuum, autovacuum starts
 * on what the previous comparison wrote in the middle of this one's runs. The scenarios' setups
 * leave history in the tables they write, so the runs measure the live case. Both servers'
 * databases are settled alike.
 */
async function settle(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = new Date();
  const loadBefore = os.loadavg();
  if ((loadBefore[0] ?? 0) > os.cpus().length / 2) {
    log(
      `warning: load average ${loadBefore[0]?.toFixed(2)} on ${os.cpus().length} cores: other work will skew the figures`,
    );
  }
  log(
    `bench: ${settings.connections} connections, ${settings.seconds} s per run (+${settings.warmupSeconds} s warm-up), ${settings.rounds} rounds`,
  );

  const rawDb = await createRawDatabase();
  defer('drop the raw database', () => rawDb.drop());
  const relanceDb = await createTestDatabase();
  defer('drop the Relance database', () => relanceDb.drop());

  // The bench's own handle on Relance's database, for setup through the services.
  const setupDb: Database = createDatabase(relanceDb.url, { max: 2 });
  defer('close the setup pool', () => setupDb.close());
  const services = createServices({ database: setupDb, clock: systemClock });
  let tenant: Promise<Tenant> | undefined;
  const ctx: SetupContext = { services, tenant: () => (tenant ??= createTenant(services)) };
  const postgresVersion = String(
    (await setupDb.pool.query('SHOW server_version')).rows[0]?.server_version ?? 'unknown',
  );

  const monitor = new pg.Client({ connectionString: ADMIN_URL });
  await monitor.connect();
  defer('close the monitoring connection', () => monitor.end());

  const servers = {
    raw: await startServer('raw', rawDb.name, { DATABASE_URL: rawDb.url }),
    relance: await startServer('relance', relanceDb.name, {
      DATABASE_URL: relanceDb.url,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '10000000',
      DATABASE_POOL_SIZE: String(settings.poolSize),
      HOST: '127.0.0.1',
      PORT: '0',
    }),
  };
  log(`raw server ${servers.raw.url}, Relance server ${servers.relance.url}`);

  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const prepared = new Map<string, Prepared<unknown>>();
  const prepare = async (name: string) => {
    const scenario = byName.get(name);
    if (!scenario) throw new Error(`unknown scenario '${name}' in comparisons`);
    if (!prepared.has(name)) prepared.set(name, await scenario.setup(ctx));
    return { scenario, prepared: prepared.get(name) as Prepared<unknown> };
  };

  const runs: RunResult[] = [];
  const verdicts: Verdict[] = [];
  const only = process.env.BENCH_ONLY?.trim();
  const chosen = only ? comparisons.filter((c) => c.name.toLowerCase().includes(only.toLowerCase())) : comparisons;
  if (chosen.length === 0)
    throw new Error(`BENCH_ONLY='${only}' names no comparison (${comparisons.map((c) => c.name).join(', ')})`);
  for (const comparison of chosen) {
    const pair = [await prepare(comparison.baseline), await prepare(comparison.candidate)];
    await settle(rawDb.url);
    await settle(relanceDb.url);
    const mine: RunResult[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const { scenario, prepared: p } of pair) {
        log(`${comparison.name}: ${scenario.name} round ${round}/${settings.rounds}…`);
        const run = await measure(scenario, p, servers[scenario.server], round, monitor);
        log(
          `  ${fmt.int(run.requestsPerSecond)} req/s, p50 ${fmt.ms(run.p50Ms)} ms, p99 ${fmt.ms(run.p99Ms)} ms, non-2xx ${run.non2xx}, ${fmt.q(run.queriesPerRequest)} queries/request, ${fmt.q(run.serverCpuMsPerRequest)} ms server CPU/request${run.postgresCpuMsPerRequest === undefined ? '' : `, ${fmt.q(run.postgresCpuMsPerRequest)} ms Postgres CPU/request`}`,
        );
        mine.push(run);
      }
    }
    runs.push(...mine);
    const baseline = summarize(mine, comparison.baseline);
    const candidate = summarize(mine, comparison.candidate);
    const ratio = baseline.requestsPerSecond > 0 ? candidate.requestsPerSecond / baseline.requestsPerSecond : 0;
    verdicts.push({
      comparison: comparison.name,
      baseline,
      candidate,
      ratio,
      goal: comparison.goal,
      pass:
        ratio >= comparison.goal.minRatio &&
        (comparison.goal.maxP99Ms === undefined || candidate.p99Ms < comparison.goal.maxP99Ms),
    });
  }

  console.log(report(verdicts, runs));

  const broken = runs.filter((r) => failureRate(r) > MAX_FAILURE_RATE);
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify({ started: started.toISOString(), finished: new Date().toISOString(), machine: machine(postgresVersion, loadBefore), settings, verdicts, runs, ok: broken.length === 0 }, null, 2)}\n`,
  );
  log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);

  for (const run of broken) {
    console.error(
      `\n${run.scenario} #${run.round}: ${fmt.pct(failureRate(run))} of requests failed (non-2xx ${run.non2xx}, socket errors ${run.errors}, timeouts ${run.timeouts}; status codes ${JSON.stringify(run.statusCodes)})`,
    );
    if (run.firstError) console.error(`first error: HTTP ${run.firstError.status}\n${run.firstError.body}`);
  }
  return broken.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
