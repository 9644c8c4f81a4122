import type pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { metrics, type QueueReading } from '../metrics.ts';
import type { Services } from '../services.ts';
import { oldestDueReminderAge } from '../domain/reminders/index.ts';
import type { Database } from '../store/database.ts';
import { startLetterWriter } from './letters.ts';
import { startWebhookWorker } from './webhooks.ts';

export const QUEUES = {
  purgeIdempotencyKeys: 'maintenance.purge-idempotency-keys',
  purgeEvents: 'maintenance.purge-events',
  purgeMessageBodies: 'maintenance.purge-message-bodies',
  /** Daily, when REMINDER_RETENTION_DAYS is set: closed invoices' settled reminders (docs/operations.md#retention). */
  purgeReminders: 'maintenance.purge-reminders',
  /** The customers' daily risk assessment, a batch at a time (docs/behaviour.md#risk). */
  assessRisk: 'customers.assess-risk',
  /** Plans flagged invoices, announces due/overdue invoices, and enqueues due reminders. */
  remindersTick: 'reminders.tick',
  /** One due reminder: the guard, then the send. */
  remindersSend: 'reminders.send',
  /** The monthly statements due now, a batch of customers per account at a time (docs/reports.md#statements-by-email). */
  statementsMonthly: 'statements.monthly',
} as const;

/** How often a worker asks for a tick (the cron schedule is the once-a-minute backstop). */
const TICK_EVERY_MS = 5_000;

export interface Worker {
  boss: PgBoss;
  /** Runs one tick now and waits for it (tests; production ticks on a timer). */
  tick(): Promise<number>;
  /** Runs one pass of the monthly statements now (tests; production runs it every minute). */
  statements(): Promise<number>;
  /** Turns new events into webhook deliveries and queues due retries now (tests; production loops). */
  dispatchWebhooks(): Promise<number>;
  /** Writes the PDFs of every formal notice decided and not yet written, now (tests; production loops). */
  writeLetters(): Promise<number>;
  /** When the worker last reached its queue (its tick request every 5 s succeeded): its liveness. */
  lastBeatAt(): Date | null;
  stop(): Promise<void>;
}

interface SendJob {
  accountId: string;
  occurrenceId: string;
}

/**
 * Starts pg-boss on the same Postgres and registers the job handlers. Any number of worker
 * processes may run: pg-boss hands each job to one of them, a reminder job is unique per
 * occurrence while queued or running (`exclusive` policy), and the engine's row locks make a
 * second run of the same job harmless.
 */
export async function startWorker(deps: {
  databaseUrl: string;
  /**
   * Where pg-boss keeps its tables (QUEUE_DATABASE_URL); the domain's database when absent. A
   * separate queue database takes the job load off the domain's, at the price of job inserts that
   * no longer share the domain's transaction (see jobs/webhooks.ts).
   */
  queueDatabaseUrl?: string | undefined;
  /** The domain's database, read by the metrics gauges (oldest due reminder). */
  database?: Database;
  services: Services;
  clock: Clock;
  log: Logger;
  /** Parallel reminder sends in this process. */
  concurrency?: number;
  /** Off in tests that drive ticks themselves. */
  timer?: boolean;
  /** Days events are kept (config EVENT_RETENTION_DAYS; 30 at least). */
  eventRetentionDays?: number;
  /** Months message bodies are kept (MESSAGE_RETENTION_MONTHS). */
  messageRetentionMonths?: number;
  /** Days a closed invoice's settled reminders are kept (REMINDER_RETENTION_DAYS); absent or null: for ever. */
  reminderRetentionDays?: number | null;
}): Promise<Worker> {
  const { services, log, clock } = deps;
  // Supervision every 10 s notices a dead worker's jobs (stale heartbeats) quickly.
  const separateQueue = Boolean(deps.queueDatabaseUrl) && deps.queueDatabaseUrl !== deps.databaseUrl;
  const boss = new PgBoss({
    connectionString: deps.queueDatabaseUrl || deps.databaseUrl,
    schema: 'pgboss',
    max: 6 + (deps.concurrency ?? 4),
    superviseIntervalSeconds: 10,
    useListenNotify: true,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  guardQueueConnections(boss, log);

  await boss.createQueue(QUEUES.purgeIdempotencyKeys, { policy: 'singleton' });
  await boss.schedule(QUEUES.purgeIdempotencyKeys, '17 * * * *');
  await boss.work(QUEUES.purgeIdempotencyKeys, async () => {
    const purged = await services.idempotency.purgeExpired();
    log.info({ purged }, 'purged expired idempotency keys');
  });

  await boss.createQueue(QUEUES.purgeEvents, { policy: 'singleton' });
  await boss.schedule(QUEUES.purgeEvents, '43 * * * *');
  // An hourly job: no need to poll for it every two seconds.
  await boss.work(QUEUES.purgeEvents, { pollingIntervalSeconds: 30 }, async () => {
    const purged = await services.events.purgeExpired(deps.eventRetentionDays);
    log.info({ purged }, 'purged events past their retention');
  });

  await boss.createQueue(QUEUES.purgeMessageBodies, { policy: 'singleton' });
  await boss.schedule(QUEUES.purgeMessageBodies, '29 3 * * *');
  await boss.work(QUEUES.purgeMessageBodies, { pollingIntervalSeconds: 30 }, async () => {
    const purged = await services.erasure.purgeMessageBodies(deps.messageRetentionMonths ?? 24);
    log.info({ purged }, 'purged message bodies past their retention');
  });

  const reminderRetentionDays = deps.reminderRetentionDays;
  if (reminderRetentionDays) {
    await boss.createQueue(QUEUES.purgeReminders, { policy: 'singleton', heartbeatSeconds: 60 });
    await boss.schedule(QUEUES.purgeReminders, '47 3 * * *');
    await boss.work(QUEUES.purgeReminders, { pollingIntervalSeconds: 30 }, async () => {
      const purged = await services.reminders.retention.purge({
        retentionDays: reminderRetentionDays,
        eventRetentionDays: deps.eventRetentionDays ?? 30,
      });
      log.info(purged, 'purged settled reminders past their retention');
    });
  } else await boss.unschedule(QUEUES.purgeReminders).catch(() => undefined);

  await boss.createQueue(QUEUES.assessRisk, { policy: 'singleton' });
  // Every minute: a payment, a promise or an invoice falling overdue makes its customer due at
  // once (docs/behaviour.md#kept-up-to-date-as-events-happen); a run with nothing due reads nothing.
  await boss.schedule(QUEUES.assessRisk, '* * * * *');
  await boss.work(QUEUES.assessRisk, { pollingIntervalSeconds: 10 }, async () => {
    const assessed = await services.reminders.scheduler.assessRisk({ kind: 'live', now: clock.now() });
    if (assessed) log.info({ assessed }, 'assessed customer risk');
  });

  // Its own queue, not the tick: a month's statements (a PDF each, paced by the provider) must
  // not hold up the reminders. Every minute, so they go at the send time; a pass that finds
  // nothing due reads only the accounts that asked for statements.
  await boss.createQueue(QUEUES.statementsMonthly, { policy: 'singleton', heartbeatSeconds: 30 });
  await boss.schedule(QUEUES.statementsMonthly, '* * * * *');
  await boss.work(QUEUES.statementsMonthly, { pollingIntervalSeconds: 10 }, async () => {
    const sent = await services.statements.run({ kind: 'live', now: clock.now() });
    if (sent) log.info({ sent }, 'monthly statements');
  });

  // A worker that dies mid-send stops its heartbeat: the job fails over to another worker in
  // seconds, and the engine resends the stored message under the same idempotency key.
  await boss.createQueue(QUEUES.remindersSend, {
    policy: 'exclusive',
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    heartbeatSeconds: 10,
  });
  await boss.createQueue(QUEUES.remindersTick, { policy: 'singleton' });
  await boss.schedule(QUEUES.remindersTick, '* * * * *');

  const tick = async (): Promise<number> => {
    const scope = { kind: 'live' as const, now: clock.now() };
    const { planned, announced } = await services.reminders.scheduler.prepare(scope);
    const due = await services.reminders.scheduler.dueOccurrences(scope);
    if (due.length > 0) {
      // Jobs are fetched by priority: one priority per account keeps an account's reminders
      // together in a fetched batch, so the engine handles them in one transaction.
      const accounts = [...new Set(due.map((o) => o.account_id))];
      const rank = new Map(accounts.map((id, i) => [id, accounts.length - i]));
      await boss.insert(
        QUEUES.remindersSend,
        due.map((o) => ({
          data: { accountId: o.account_id, occurrenceId: o.id },
          singletonKey: o.id,
          priority: rank.get(o.account_id) ?? 0,
        })),
      );
    }
    if (planned || announced || due.length) log.info({ planned, announced, due: due.length }, 'reminders tick');
    return due.length;
  };
  await boss.work(QUEUES.remindersTick, async () => {
    await tick();
  });
  await boss.work<SendJob>(
    QUEUES.remindersSend,
    { batchSize: 100, localConcurrency: deps.concurrency ?? 4, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
    async (jobs) => {
      // One transaction per account for the whole batch (see the engine's phase one).
      for (const [accountId, group] of Map.groupBy(jobs, (job) => job.data.accountId)) {
        const outcomes = await services.reminders.engine.processMany(
          accountId,
          group.map((job) => job.data.occurrenceId),
        );
        for (const [occurrence, outcome] of outcomes)
          if (outcome === 'failed') log.warn({ occurrence }, 'reminder failed');
      }
    },
  );

  const webhooks = await startWebhookWorker({
    boss,
    services,
    log,
    timer: deps.timer,
    concurrency: deps.concurrency,
    separateQueue,
  });

  const letters = startLetterWriter({ services, log, timer: deps.timer });

  const stopReading = metrics.readFromDatabase({
    queues: () => readQueues(boss),
    oldestDueReminder: async () => (deps.database ? oldestDueReminderSeconds(deps.database, clock.now()) : 0),
  });

  let lastBeat: Date | null = new Date();
  const requestTick = () =>
    boss.send(QUEUES.remindersTick, {}, { singletonSeconds: TICK_EVERY_MS / 1000 }).then(
      () => (lastBeat = new Date()),
      (err) => log.warn({ err }, 'could not request a tick'),
    );
  const timer = deps.timer === false ? undefined : setInterval(requestTick, TICK_EVERY_MS);
  timer?.unref();
  // A worker that starts (a deploy, a restart after a crash) looks for due reminders at once,
  // not a period later.
  if (timer) void requestTick();

  return {
    boss,
    tick,
    statements: () => services.statements.run({ kind: 'live', now: clock.now() }),
    dispatchWebhooks: () => webhooks.dispatch(),
    writeLetters: () => letters.drain(),
    lastBeatAt: () => lastBeat,
    async stop() {
      if (timer) clearInterval(timer);
      stopReading();
      await webhooks.stop();
      await letters.stop();
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

/** Waiting and active jobs per queue, and the age of the oldest due one, in one read of the job table. */
async function readQueues(boss: PgBoss): Promise<QueueReading[]> {
  // Every queue, so that an idle one reports 0 rather than no series at all.
  const { rows } = await boss.getDb().executeSql(`
    SELECT q.name,
           count(j.id) FILTER (WHERE j.state < 'active' AND j.start_after <= now())::int AS waiting,
           count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
           coalesce(extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state < 'active' AND j.start_after <= now())), 0)::float8 AS oldest
      FROM pgboss.queue q LEFT JOIN pgboss.job j ON j.name = q.name AND j.state <= 'active'
     GROUP BY q.name`);
  return (rows as Array<{ name: string; waiting: number; active: number; oldest: number }>).map((r) => ({
    queue: r.name,
    waiting: r.waiting,
    active: r.active,
    oldestDueSeconds: r.oldest,
  }));
}

/** Seconds since the oldest live reminder still to send fell due (see `oldestDueReminderAge`). */
async function oldestDueReminderSeconds(database: Database, now: Date): Promise<number> {
  return Math.max(0, (await database.withSystem((trx) => oldestDueReminderAge(trx, now))) ?? 0);
}

/**
 * pg-boss guards the clients of its own transactions, but a client checked out of its pool for
 * one statement has only pg-pool's idle listener taken off: a second listener, kept for the
 * client's life, means a dropped connection fails that statement instead of ending the process.
 */
function guardQueueConnections(boss: PgBoss, log: Logger): void {
  const pool = (boss.getDb() as { pool?: pg.Pool }).pool;
  if (!pool) return;
  const guarded = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (err) => log.warn({ err }, 'job queue connection lost'));
  });
}
