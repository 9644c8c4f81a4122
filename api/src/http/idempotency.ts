import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdempotencyService } from '../domain/idempotency/index.ts';
import { AppError } from '../errors.ts';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

/** What identifies "the same request" for a key: method, path and query, and the parsed body. */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n`).update(JSON.stringify(body ?? null)).digest('hex');
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
    if (request.method !== 'POST' || key === undefined || !request.actor || !request.routeOptions.url?.startsWith('/v1/')) return;
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

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyKey;
    if (!key || !request.actor) return payload;
    request.idempotencyKey = null;
    // Answers that changed nothing and may go otherwise next time (bad input, a key without the
    // right, throttling, a server failure) free the key for a retry.
    const retryable = reply.statusCode >= 500 || [400, 401, 403, 429].includes(reply.statusCode);
    if (retryable) await idempotency.release(request.actor, key);
    else await idempotency.complete(request.actor, key, reply.statusCode, typeof payload === 'string' ? payload : String(payload));
    return payload;
  });
}
