import { CompiledQuery } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { asLoginRole, type DeliveryJob, type Enqueue } from '../domain/webhooks/index.ts';
import { metrics } from '../metrics.ts';
import type { Services } from '../services.ts';

export const WEBHOOK_QUEUE = 'webhooks.deliver';

/** How long the dispatcher rests when it found nothing to do (the delay a new event may wait). */
const IDLE_MS = 100;

/** With a separate queue database: seconds before a webhook job may run (its delivery row commits meanwhile). */
const SEPARATE_QUEUE_DELAY_S = 2;

export interface WebhookWorker {
  /** Dispatches new events and queues due retries until none is left (tests; the loop does it otherwise). */
  dispatch(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Webhook delivery in a worker process: a dispatcher loop (new events → deliveries → jobs, due
 * retries → jobs) and the `webhooks.deliver` handler, which takes jobs in batches and groups
 * them by account.
 */
export async function startWebhookWorker(deps: {
  boss: PgBoss;
  services: Services;
  log: Logger;
  /** Batches handled at once by this process. */
  concurrency?: number;
  timer?: boolean;
  /** pg-boss lives in another database (QUEUE_DATABASE_URL): jobs cannot join the domain's transaction. */
  separateQueue?: boolean;
}): Promise<WebhookWorker> {
  const { boss, services, log } = deps;
  const engine = services.webhookDelivery;
  // Retries are ours (the schedule, Retry-After, the 3-day rule): pg-boss only runs a job again
  // when its worker died, which the heartbeat notices.
  // `notify`: a job inserted (by the dispatcher's commit) wakes the workers at once instead of
  // at their next poll; polling stays as the backstop.
  await boss.createQueue(WEBHOOK_QUEUE, {
    retryLimit: 2,
    retryDelay: 5,
    heartbeatSeconds: 30,
    expireInSeconds: 300,
    notify: true,
  });

  // Jobs are inserted in the dispatcher's transaction, so a delivery row and its job exist
  // together or not at all. That transaction runs as relance_system; pg-boss's tables belong to
  // the login role, so the insert steps back to it (SET LOCAL: until the transaction ends).
  //
  // With the queue in another database, the jobs are inserted there just before the domain's
  // transaction commits, and become visible to workers a few seconds later: a job never finds
  // its delivery missing unless the commit failed, and then it finds nothing and ends. The
  // delay is the price of the separate database (SEPARATE_QUEUE_DELAY_S).
  const enqueue: Enqueue = deps.separateQueue
    ? async (_trx, jobs: DeliveryJob[]) => {
        const startAfter = new Date(Date.now() + SEPARATE_QUEUE_DELAY_S * 1000);
        await boss.insert(
          WEBHOOK_QUEUE,
          jobs.map((data) => ({ data, startAfter })),
        );
      }
    : (trx, jobs: DeliveryJob[]) =>
        asLoginRole(trx, async () => {
          const db = {
            executeSql: async (text: string, values: unknown[] = []) => ({
              rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[],
            }),
          };
          await boss.insert(
            WEBHOOK_QUEUE,
            jobs.map((data) => ({ data })),
            { db },
          );
        });

  await boss.work<DeliveryJob>(
    WEBHOOK_QUEUE,
    {
      batchSize: 50,
      localConcurrency: deps.concurrency ?? 4,
      pollingIntervalSeconds: 0.5,
      notifyPollingIntervalSeconds: 2,
      burstWhenBatchFull: true,
    },
    async (jobs) => {
      await Promise.all(
        [...Map.groupBy(jobs, (job) => job.data.accountId)].map(async ([accountId, group]) => {
          const { succeeded, failed } = await engine.attempt(
            accountId,
            group.map((job) => job.data.deliveryId),
          );
          metrics.webhookDeliveries(succeeded, failed);
        }),
      );
    },
  );

  const dispatch = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const events = await engine.dispatch(enqueue);
      const due = await engine.enqueueDue(enqueue);
      total += events + due;
      if (events === 0 && due === 0) return total;
    }
  };

  let running = deps.timer !== false;
  const loop = (async () => {
    while (running) {
      try {
        if ((await dispatch()) === 0) await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      } catch (err) {
        log.warn({ err }, 'webhook dispatch failed');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();

  return {
    dispatch,
    async stop() {
      running = false;
      await loop;
    },
  };
}
