import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyService } from '../domain/api-keys/index.ts';
import type { Actor } from '../domain/shared/index.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** How long a process trusts a looked-up key before asking the database again (revocation delay across processes). */
const CACHE_MS = 10_000;
/** last_used_at is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;
/** Failed authentications allowed per minute from one client address with one key prefix. */
const FAILURES_PER_PREFIX = 30;
/** Failed authentications allowed per minute from one client address, all prefixes together. */
const FAILURES_PER_ADDRESS = 300;
/** The visible part of a key (`rk_live_` and 6 characters), as listed by GET /v1/api_keys. */
const PREFIX_LENGTH = 14;
/** Routes under /v1 called by a provider, not a client: they verify the provider's signature instead of an API key. */
const PROVIDER_ROUTES = new Set([
  '/v1/provider_events/resend',
  '/v1/provider_events/resend/:account_id',
  '/v1/provider_events/twilio',
  '/v1/provider_events/twilio/inbound',
]);

export interface AuthCache {
  /** Forgets cached keys of an account (after its settings or keys change). */
  forgetAccount(accountId: string): void;
}

/**
 * Authenticates `Authorization: Bearer rk_…` on every route under /v1 and /graphql. The answer
 * is cached briefly per process; revocations through this process take effect at once.
 */
export function registerAuth(app: FastifyInstance, apiKeys: ApiKeyService): AuthCache {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  const touched = new Map<string, number>();
  const pending = new Map<string, Promise<Actor | null>>();
  const failures = new Map<string, { count: number; resetAt: number }>();
  /** Prefixes that authenticated in the last minute: a guessing neighbour does not lock them out. */
  const goodPrefixes = new Map<string, number>();

  const tooMany = (key: string, max: number, now: number) => {
    const entry = failures.get(key);
    return entry && entry.resetAt > now && entry.count >= max ? entry : undefined;
  };
  // Counted per address and prefix, so that bad keys sent from an address (many clients behind
  // one proxy, or one guesser) do not lock out the valid keys used from it. Past a larger budget
  // per address, only prefixes that authenticated recently still get a lookup.
  const refuseIfGuessing = (ip: string, prefix: string, now: number) => {
    const blocked =
      tooMany(`${ip} ${prefix}`, FAILURES_PER_PREFIX, now) ??
      ((goodPrefixes.get(prefix) ?? 0) > now ? undefined : tooMany(ip, FAILURES_PER_ADDRESS, now));
    if (blocked) {
      throw new AppError(
        'rate_limit/exceeded',
        429,
        'Too many failed authentications from this address; wait a minute.',
        {
          headers: { 'retry-after': String(Math.ceil((blocked.resetAt - now) / 1000)) },
        },
      );
    }
  };
  const count = (key: string, now: number) => {
    const entry = failures.get(key);
    if (!entry || entry.resetAt <= now) {
      if (failures.size > 10_000) failures.clear();
      failures.set(key, { count: 1, resetAt: now + 60_000 });
    } else entry.count++;
  };
  const recordFailure = (ip: string, prefix: string, now: number) => {
    count(`${ip} ${prefix}`, now);
    count(ip, now);
  };

  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Decide on the matched route, not the raw URL (which may be encoded or carry a trailing slash).
    const route = request.routeOptions.url ?? '';
    if ((!route.startsWith('/v1/') && route !== '/graphql') || PROVIDER_ROUTES.has(route)) return;
    const header = request.headers.authorization;
    if (!header) {
      throw new AppError('auth/missing_api_key', 401, 'Send your API key as `Authorization: Bearer rk_…`.', {
        headers: { 'www-authenticate': 'Bearer realm="relance"' },
      });
    }
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
    const now = Date.now();
    const prefix = secret.slice(0, PREFIX_LENGTH);
    refuseIfGuessing(request.ip, prefix, now);
    let entry = cache.get(secret);
    if (!entry || entry.until < now) {
      // Concurrent requests with the same key share one lookup (no stampede when it expires).
      let lookup = pending.get(secret);
      if (!lookup) {
        lookup = apiKeys.authenticate(secret).finally(() => pending.delete(secret));
        pending.set(secret, lookup);
      }
      entry = { actor: await lookup, until: now + CACHE_MS };
      if (cache.size > 10_000) cache.clear();
      cache.set(secret, entry);
    }
    if (!entry.actor) {
      recordFailure(request.ip, prefix, now);
      throw new AppError('auth/invalid_api_key', 401, 'This API key is not valid: unknown, malformed or revoked.', {
        headers: { 'www-authenticate': 'Bearer realm="relance", error="invalid_token"' },
      });
    }
    request.actor = entry.actor;
    if (goodPrefixes.size > 10_000) goodPrefixes.clear();
    goodPrefixes.set(prefix, now + 60_000);
    const keyId = entry.actor.keyId ?? '';
    if ((touched.get(keyId) ?? 0) + TOUCH_EVERY_MS < now) {
      touched.set(keyId, now);
      apiKeys.touch(entry.actor).catch((err) => request.log.warn({ err }, 'could not record key use'));
    }
  });

  return {
    forgetAccount(accountId) {
      for (const [secret, entry] of cache) if (entry.actor?.accountId === accountId) cache.delete(secret);
    },
  };
}

/** The authenticated caller of a /v1 route (the hook above guarantees one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor)
    throw new AppError('auth/missing_api_key', 401, 'Send your API key as `Authorization: Bearer rk_…`.');
  return request.actor;
}
