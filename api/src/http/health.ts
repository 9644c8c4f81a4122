import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../store/database.ts';
import { pendingMigrations } from '../store/migrate.ts';

/** `/health`: the process answers. `/ready`: the database answers and its schema is current. */
export async function healthRoutes(app: FastifyInstance, { database }: { database: Database }) {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    try {
      const pending = await database.withSystem(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        return pendingMigrations(trx);
      });
      if (pending.length > 0) return reply.code(503).send({ status: 'migrations_pending', pending });
      return { status: 'ready' };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'database_unreachable' });
    }
  });
}
