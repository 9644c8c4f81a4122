import { sql } from 'kysely';
import type { Database } from '../store/database.ts';
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
  const reserve = () =>
    database.withSystem(async (trx) => {
      const { rows } = await sql<{ wait: number }>`
        INSERT INTO provider_rate_budgets AS b (credential, rate_per_second, next_at, updated_at)
        VALUES (${credential}, ${ratePerSecond}, clock_timestamp() + make_interval(secs => ${interval}), clock_timestamp())
        ON CONFLICT (credential) DO UPDATE
          SET next_at = greatest(b.next_at, b.blocked_until, clock_timestamp()) + make_interval(secs => ${interval}),
              rate_per_second = excluded.rate_per_second,
              updated_at = clock_timestamp()
        RETURNING extract(epoch FROM b.next_at - make_interval(secs => ${interval}) - clock_timestamp())::float8 AS wait`.execute(
        trx,
      );
      return rows[0]?.wait ?? 0;
    });

  /** Seconds until a pause set after our reservation ends (0 or less: none). */
  const pausedFor = () =>
    database.withSystem(async (trx) => {
      const { rows } = await sql<{ wait: number | null }>`
        SELECT extract(epoch FROM blocked_until - clock_timestamp())::float8 AS wait FROM provider_rate_budgets WHERE credential = ${credential}`.execute(
        trx,
      );
      return rows[0]?.wait ?? 0;
    });

  return {
    async take() {
      for (;;) {
        const wait = await reserve();
        if (wait <= 0) return;
        await sleep(wait * 1000);
        // A 429 seen by another worker while this one slept: its slot is void, take a new one.
        if ((await pausedFor()) <= 0) return;
      }
    },
    async pause(ms) {
      await database.withSystem(async (trx) => {
        await sql`
          INSERT INTO provider_rate_budgets AS b (credential, rate_per_second, next_at, blocked_until, updated_at)
          VALUES (${credential}, ${ratePerSecond}, clock_timestamp() + make_interval(secs => ${ms / 1000}), clock_timestamp() + make_interval(secs => ${ms / 1000}), clock_timestamp())
          ON CONFLICT (credential) DO UPDATE
            SET blocked_until = greatest(b.blocked_until, excluded.blocked_until),
                next_at = greatest(b.next_at, excluded.next_at),
                updated_at = clock_timestamp()`.execute(trx);
      });
    },
  };
}
