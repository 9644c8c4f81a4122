import { CompiledQuery, sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { DeliveryJob, Enqueue } from '../domain/webhooks/delivery.ts';
import type { Services } from '../services.ts';

export const WEBHOOK_QUEUE = 'webhooks.deliver';

/** How long the dispatcher rests when it found nothing to do (the delay a new event may wait). */
const IDLE_MS = 100;

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
}): Promise<WebhookWorker> {
  const { boss, services, log } = deps;
  const engine = services.webhookDelivery;
  // Retries are ours (the schedule, Retry-After, the 3-day rule): pg-boss only runs a job again
  // when its worker died, which the heartbeat notices.
  // `notify`: a job inserted (by the dispatcher's commit) wakes the workers at once instead of
  // at their next poll; polling stays as the backstop.
  await boss.createQueue(WEBHOOK_QUEUE, { retryLimit: 2, retryDelay: 5, heartbeatSeconds: 30, expireInSeconds: 300, notify: true });

  // Jobs are inserted in the dispatcher's transaction, so a delivery row and its job exist
  // together or not at all. That transaction runs as relance_system; pg-boss's tables belong to
  // the login role, so the insert steps back to it (SET LOCAL: until the transaction ends).
  const enqueue: Enqueue = async (trx, jobs: DeliveryJob[]) => {
    await sql`SET LOCAL ROLE NONE`.execute(trx);
    const db = { executeSql: async (text: string, values: unknown[] = []) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }) };
    await boss.insert(WEBHOOK_QUEUE, jobs.map((data) => ({ data })), { db });
    await sql`SET LOCAL ROLE relance_system`.execute(trx);
  };

  await boss.work<DeliveryJob>(
    WEBHOOK_QUEUE,
    { batchSize: 50, localConcurrency: deps.concurrency ?? 4, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 2, burstWhenBatchFull: true },
    async (jobs) => {
      await Promise.all(
        [...Map.groupBy(jobs, (job) => job.data.accountId)].map(([accountId, group]) =>
          engine.attempt(accountId, group.map((job) => job.data.deliveryId)),
        ),
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
