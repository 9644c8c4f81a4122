import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../store/database.ts';
import { pendingMigrations } from '../store/migrate.ts';

/** A condition worth an operator's attention that does not stop the service from serving. */
export interface ReadinessWarning {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/**
 * `/health`: the process answers. `/ready`: the database answers and its schema is current;
 * `warnings` lists what is degraded but not blocking (a reference rate not recorded).
 */
export async function healthRoutes(
  app: FastifyInstance,
  { database, warnings }: { database: Database; warnings: () => Promise<ReadinessWarning[]> },
) {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    try {
      const pending = await database.withSystem(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        return pendingMigrations(trx);
      });
      if (pending.length > 0) return reply.code(503).send({ status: 'migrations_pending', pending });
      return { status: 'ready', warnings: await warnings() };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'database_unreachable' });
    }
  });
}
