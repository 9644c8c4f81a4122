import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import type { Actor } from '../shared/index.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  deleteIdempotencyKey,
  findIdempotencyKey,
  purgeIdempotencyKeysBefore,
} from './idempotency.repository.ts';

/** Keys are kept (and answers replayed) for 24 hours at least; older ones are purged. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request that started this long ago and never finished (a crashed process) may be retried. */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;

export type IdempotencyStart = { kind: 'proceed' } | { kind: 'replay'; status: number; body: string };

export function createIdempotencyService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  return {
    /**
     * Claims `key` for a request (identified by `requestHash`). The first caller proceeds; a later
     * one with the same request gets the stored answer, with another request `idempotency/key_reused`,
     * and while the first is still running `idempotency/in_progress`.
     */
    async start(actor: Actor, key: string, requestHash: string): Promise<IdempotencyStart> {
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        // Take over only keys that expired or whose first request died mid-way.
        const claimed = await claimIdempotencyKey(trx, {
          accountId: actor.accountId,
          key,
          requestHash,
          now,
          expiredBefore: new Date(now.getTime() - IDEMPOTENCY_TTL_MS),
          abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS),
        });
        if (claimed) return { kind: 'proceed' } as const;
        const existing = await findIdempotencyKey(trx, key);
        if (existing.request_hash !== requestHash) {
          throw new AppError(
            'idempotency/key_reused',
            409,
            'This Idempotency-Key was already used for a different request.',
          );
        }
        if (existing.state !== 'completed' || existing.response_status === null || existing.response_body === null) {
          throw new AppError(
            'idempotency/in_progress',
            409,
            'A request with this Idempotency-Key is still being processed; retry in a moment.',
            {
              headers: { 'retry-after': '1' },
            },
          );
        }
        return { kind: 'replay', status: existing.response_status, body: existing.response_body } as const;
      });
    },

    /** Stores the answer to replay. */
    async complete(actor: Actor, key: string, status: number, body: string): Promise<void> {
      await database.withAccount(actor.accountId, (trx) => completeIdempotencyKey(trx, key, status, body));
    },

    /** Forgets a key whose request failed before any change (validation, server error): it can be retried. */
    async release(actor: Actor, key: string): Promise<void> {
      await database.withAccount(actor.accountId, (trx) => deleteIdempotencyKey(trx, key));
    },

    /** Deletes keys past their retention, across accounts (a scheduled job). */
    async purgeExpired(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - IDEMPOTENCY_TTL_MS);
      return database.withSystem((trx) => purgeIdempotencyKeysBefore(trx, cutoff));
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
