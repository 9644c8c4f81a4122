import { sql } from 'kysely';
import type { Db } from '../store/database.ts';

// The statements of a provider credential's shared request budget (`provider_rate_budgets`, one
// row per credential), run in a system transaction: see rate-budget.ts. Times are the database's.

/** Reserves the credential's next slot, `interval` seconds after the last; the seconds to wait for it (0 or less: now). */
export async function reserveSlot(trx: Db, credential: string, ratePerSecond: number, interval: number) {
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
}

/** Seconds until the credential's pause ends (0 or less: none). */
export async function pausedFor(trx: Db, credential: string) {
  const { rows } = await sql<{ wait: number | null }>`
        SELECT extract(epoch FROM blocked_until - clock_timestamp())::float8 AS wait FROM provider_rate_budgets WHERE credential = ${credential}`.execute(
    trx,
  );
  return rows[0]?.wait ?? 0;
}

/** Pushes the credential's next slot, and its pause, at least `ms` from now. */
export async function pauseBudget(trx: Db, credential: string, ratePerSecond: number, ms: number) {
  await sql`
          INSERT INTO provider_rate_budgets AS b (credential, rate_per_second, next_at, blocked_until, updated_at)
          VALUES (${credential}, ${ratePerSecond}, clock_timestamp() + make_interval(secs => ${ms / 1000}), clock_timestamp() + make_interval(secs => ${ms / 1000}), clock_timestamp())
          ON CONFLICT (credential) DO UPDATE
            SET blocked_until = greatest(b.blocked_until, excluded.blocked_until),
                next_at = greatest(b.next_at, excluded.next_at),
                updated_at = clock_timestamp()`.execute(trx);
}
