import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdempotencyService } from '../domain/idempotency/index.ts';
import { AppError } from '../errors.ts';
import { isCommitOutcomeUnknown } from '../store/pg-errors.ts';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

/** What identifies "the same request" for a key: method, path and query, and the parsed body. */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n`)
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/**
 * `Idempotency-Key` on POST: runs after validation (so invalid requests are never stored), replays
 * the first answer to a repeat, and refuses a key reused for another request.
 */
export function registerIdempotency(app: FastifyInstance, idempotency: IdempotencyService): void {
  app.decorateRequest('idempotencyKey', null);

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    // REST only: a GraphQL answer is not a resource to replay.
    if (
      request.method !== 'POST' ||
      key === undefined ||
      !request.actor ||
      !request.routeOptions.url?.startsWith('/v1/')
    )
      return;
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw new AppError('idempotency/invalid_key', 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const start = await idempotency.start(request.actor, key, requestHash(request.method, request.url, request.body));
    if (start.kind === 'replay') {
      return reply
        .code(start.status)
        .header('idempotent-replayed', 'true')
        .type(start.status >= 400 ? 'application/problem+json' : 'application/json')
        .send(start.body);
    }
    request.idempotencyKey = key;
  });

  // The connection died during COMMIT: the change may be in. The key stays claimed (a retry
  // gets idempotency/in_progress, then takes the key over once it is abandoned), never a second run.
  app.addHook('onError', async (request, _reply, error) => {
    if (isCommitOutcomeUnknown(error)) request.idempotencyKey = null;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyKey;
    const actor = request.actor;
    if (!key || !actor) return payload;
    request.idempotencyKey = null;
    // Answers that changed nothing and may go otherwise next time (bad input, a key without the
    // right, throttling, a server failure) free the key for a retry.
    const retryable = reply.statusCode >= 500 || [400, 401, 403, 429].includes(reply.statusCode);
    // The database may be away right now (the reason for a 503, or gone since the change
    // committed): the key is settled as soon as it is back, and the answer is sent either way.
    const settle = retryable
      ? () => idempotency.release(actor, key)
      : () =>
          idempotency.complete(actor, key, reply.statusCode, typeof payload === 'string' ? payload : String(payload));
    await settleSoon(settle, (err) => request.log.warn({ err, key }, 'could not settle an idempotency key'));
    return payload;
  });
}

/** Runs `settle`; when it fails, tries again in the background for about half a minute (1, 2, 4, 8, 16 s apart). */
async function settleSoon(settle: () => Promise<void>, onGiveUp: (error: unknown) => void): Promise<void> {
  const retry = (n: number): void => {
    setTimeout(
      () => {
        settle().catch((error: unknown) => (n >= 4 ? onGiveUp(error) : retry(n + 1)));
      },
      1000 * 2 ** n,
    ).unref();
  };
  await settle().catch(() => retry(0));
}
