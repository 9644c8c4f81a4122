import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Services } from '../services.ts';

export const QUEUES = {
  purgeIdempotencyKeys: 'maintenance.purge-idempotency-keys',
} as const;

export interface Worker {
  boss: PgBoss;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss on the same Postgres and registers the job handlers. Any number of worker
 * processes may run: pg-boss hands each job to one of them.
 */
export async function startWorker(deps: { databaseUrl: string; services: Services; log: Logger }): Promise<Worker> {
  const { services, log } = deps;
  const boss = new PgBoss({ connectionString: deps.databaseUrl, schema: 'pgboss', max: 4 });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();

  await boss.createQueue(QUEUES.purgeIdempotencyKeys, { policy: 'singleton' });
  await boss.schedule(QUEUES.purgeIdempotencyKeys, '17 * * * *');
  await boss.work(QUEUES.purgeIdempotencyKeys, async () => {
    const purged = await services.idempotency.purgeExpired();
    log.info({ purged }, 'purged expired idempotency keys');
  });

  return {
    boss,
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
