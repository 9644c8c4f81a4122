import { createServer, type Server } from 'node:http';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import type { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startWorker, type Worker } from './jobs/worker.ts';
import { instrumentTransport, metrics, startMetricsServer } from './metrics.ts';
import { createRateBudget } from './mail/rate-budget.ts';
import { sendersFromConfig } from './mail/senders.ts';
import { createTransport } from './mail/transport.ts';
import { createSmsTransport } from './sms/transport.ts';
import { createServices } from './services.ts';
import { createDatabase } from './store/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './store/embedded.ts';
import { migrateToLatest } from './store/migrate.ts';
import { explainDatabaseError, explainListenError, StartupError } from './startup.ts';

const COMMANDS = ['all', 'api', 'worker', 'migrate'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * `node api/src/main.ts [all|api|worker|migrate]`: `all` (the default) runs the API and the
 * workers in one process; production runs `api` and `worker` processes apart, any number of each.
 */
async function main(): Promise<void> {
  const command = (process.argv[2] ?? 'all') as Command;
  if (['help', '--help', '-h'].includes(command)) {
    console.log(`usage: main.ts [${COMMANDS.join('|')}]`);
    return;
  }
  if (!COMMANDS.includes(command)) {
    console.error(`usage: main.ts [${COMMANDS.join('|')}]`);
    process.exit(2);
  }
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: { process: command } });

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort,
      portSet: config.embeddedPostgresPortSet,
      log: (m) => log.info(m),
    });
    databaseUrl = embedded.url;
    beforeExit = async () => {
      await embedded?.stop();
    };
    log.info(
      { dataDir: config.dataDir, port: new URL(databaseUrl).port },
      'embedded PostgreSQL started (set DATABASE_URL to use your own)',
    );
  }

  const applied = await migrateToLatest(databaseUrl).catch((error: unknown) => {
    throw explainDatabaseError(error, databaseUrl, embedded ? 'the embedded database' : 'DATABASE_URL') ?? error;
  });
  if (applied.length) log.info({ applied }, 'migrations applied');
  if (command === 'migrate') {
    await embedded?.stop();
    return;
  }

  const database = createDatabase(databaseUrl, {
    max: config.databasePoolSize,
    onConnectionError: (err) =>
      log.warn({ err }, 'database connection lost; the statement using it fails and is retried by its caller'),
  });
  const services = createServices({
    database,
    clock: systemClock,
    transport: instrumentTransport(
      createTransport(config, (credential) =>
        createRateBudget(database, { credential, ratePerSecond: config.resendRatePerSecond }),
      ),
    ),
    sms: { transport: createSmsTransport(config), sender: config.smsSender ?? null },
    senders: sendersFromConfig(config, database, instrumentTransport),
    webhookTargets: {
      allowPrivateTargets: config.webhooksAllowPrivateTargets,
      testModeLoopback: config.env === 'development',
    },
    portal: { publicUrl: config.publicUrl },
    reminderRetryMs: config.reminderRetrySeconds * 1000,
  });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let worker: Worker | undefined;
  metrics.watchPool('main', database.pool);
  const metricsPort = config.metricsPort;
  const metricsServer =
    metricsPort === undefined
      ? undefined
      : await startMetricsServer({ host: config.metricsHost, port: metricsPort, token: config.metricsToken }).catch(
          (error: unknown) => {
            throw (
              explainListenError(error, 'the metrics server', config.metricsHost, metricsPort, 'METRICS_PORT') ?? error
            );
          },
        );
  if (metricsServer) log.info({ port: metricsServer.port }, 'metrics served at /metrics');
  let healthServer: Server | undefined;
  // Pools and queues close before the embedded database stops.
  beforeExit = async () => {
    await metricsServer?.close();
    await app?.close();
    healthServer?.close();
    await worker?.stop();
    await database.close();
    await embedded?.stop();
  };

  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'stopping after an error');
    else log.info({ signal }, 'stopping');
    await beforeExit();
  });

  // The API listens first: a port in use stops the start before any worker takes a job.
  if (command === 'all' || command === 'api') {
    // Loaded only where it runs: a worker never holds the HTTP app's modules (routes, GraphQL).
    const { buildApp } = await import('./app.ts');
    app = await buildApp({ config, database, clock: systemClock });
    await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
      throw explainListenError(error, 'the API', config.host, config.port, 'PORT') ?? error;
    });
  }
  if (command === 'all' || command === 'worker') {
    worker = await startWorker({
      databaseUrl,
      queueDatabaseUrl: config.queueDatabaseUrl,
      database,
      services,
      clock: systemClock,
      log,
      eventRetentionDays: config.eventRetentionDays,
      messageRetentionMonths: config.messageRetentionMonths,
      reminderRetentionDays: config.reminderRetentionDays,
    }).catch((error: unknown) => {
      throw (
        (config.queueDatabaseUrl && explainDatabaseError(error, config.queueDatabaseUrl, 'QUEUE_DATABASE_URL')) ?? error
      );
    });
    log.info('workers started');
    const healthPort = config.workerHealthPort;
    if (command === 'worker' && healthPort) {
      healthServer = await serveWorkerHealth(worker, config.host, healthPort).catch((error: unknown) => {
        throw (
          explainListenError(error, 'the worker health server', config.host, healthPort, 'WORKER_HEALTH_PORT') ?? error
        );
      });
    }
  }

  const lines = [`Relance is running (${command}).`];
  if (app)
    lines.push(
      `  API       ${config.publicUrl}/v1`,
      `  Docs      ${config.publicUrl}/docs`,
      `  GraphQL   ${config.publicUrl}/graphql`,
    );
  if (app && config.env === 'development')
    lines.push(`  GraphiQL  ${config.publicUrl}/graphiql (paste the API key at the top)`);
  if (embedded) {
    const demo = await createDemoAccountOnce(services);
    if (demo)
      lines.push(
        '',
        `  Demo account ${demo.accountId} created, in test mode. Its API key (shown once, keep it):`,
        `    ${demo.secret}`,
      );
    else lines.push('', '  Create another key with: npm run relance -- keys create --account <acct_id>');
  }
  console.log(`\n${lines.join('\n')}\n`);
}

/** A queue reached less than this long ago: the worker is alive (it tries every 5 s). */
const WORKER_STALE_MS = 30_000;

/**
 * GET /health of a `worker` process (WORKER_HEALTH_PORT, for the container's health check): 200
 * while the worker reaches its queue, 503 once its last successful beat is older than 30 s.
 */
function serveWorkerHealth(worker: Worker, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const last = worker.lastBeatAt();
    const alive = last !== null && Date.now() - last.getTime() < WORKER_STALE_MS;
    const status = request.url === '/health' ? (alive ? 200 : 503) : 404;
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(
        JSON.stringify(
          status === 404
            ? { status: 'not_found' }
            : { status: alive ? 'ok' : 'stalled', last_beat_at: last?.toISOString() ?? null },
        ),
      );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * On the embedded database's first run only: a demo account and its key, so the API can be tried
 * at once. It is a test-mode account (`rk_test_…`): it has a test clock, and in development its
 * webhooks may go to a receiver on this machine.
 */
async function createDemoAccountOnce(services: ReturnType<typeof createServices>) {
  if ((await services.accounts.count()) > 0) return null;
  const { account, api_key } = await services.accounts.create({
    name: 'Demo company',
    time_zone: 'Europe/Paris',
    locale: 'fr',
    mode: 'test',
  });
  return { accountId: account.id, secret: api_key.secret };
}

/** What to close when the start fails half-way: the embedded database must not outlive us. */
let beforeExit: () => Promise<void> = async () => {};

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) console.error(`relance: configuration error: ${error.message}`);
  else if (error instanceof StartupError) console.error(`relance: ${error.message}`);
  else console.error(error);
  // Closing must not hold the exit: a failed start says so within seconds.
  await Promise.race([beforeExit().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  process.exit(1);
});
