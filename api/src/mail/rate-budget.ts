import type { Database } from '../store/database.ts';
import { pauseBudget, pausedFor, reserveSlot } from './rate-budget.repository.ts';
import type { RateBudget } from './transport.ts';

/**
 * A provider credential's request budget, kept in PostgreSQL so that every worker process shares
 * it (`provider_rate_budgets`, one row per credential). Each call reserves the next free slot in
 * one atomic statement: `next_at` moves on by 1/rate, and the caller sleeps until its slot (a
 * generic cell rate algorithm: no burst, no lost update, fair in arrival order). When the provider
 * says "not now" (a 429's `retry-after`, or `ratelimit-remaining: 0` with its `ratelimit-reset`),
 * `pause` pushes the row past that moment: every worker waits, instead of each one finding out
 * with a 429 of its own. Times are the database's (`clock_timestamp()`), the one clock all
 * processes share. Run as the system role: the row belongs to no account.
 */
export function createRateBudget(
  database: Pick<Database, 'withSystem'>,
  options: { credential: string; ratePerSecond: number; sleep?: (ms: number) => Promise<void> },
): RateBudget {
  const { credential, ratePerSecond } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = 1 / ratePerSecond;

  /** Reserves a slot; the seconds to wait for it (0 or less: now). */
  const reserve = () => database.withSystem((trx) => reserveSlot(trx, credential, ratePerSecond, interval));

  /** Seconds until a pause set after our reservation ends (0 or less: none). */
  const pauseLeft = () => database.withSystem((trx) => pausedFor(trx, credential));

  return {
    async take() {
      for (;;) {
        const wait = await reserve();
        if (wait <= 0) return;
        await sleep(wait * 1000);
        // A 429 seen by another worker while this one slept: its slot is void, take a new one.
        if ((await pauseLeft()) <= 0) return;
      }
    },
    async pause(ms) {
      await database.withSystem((trx) => pauseBudget(trx, credential, ratePerSecond, ms));
    },
  };
}
