import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { todayIn } from '../calendar.ts';
import { testClockOf } from './account-clock.repository.ts';
import type { Actor } from './actor.ts';

export interface AccountTime {
  now: Date;
  /** The calendar date in the account's time zone. */
  today: string;
}

/**
 * "Now" as an account sees it: the system clock, or for a test-mode account its own test clock
 * (moved by `POST /v1/test_clock/advance`), so a whole follow-up can be simulated.
 */
export function accountTime(database: Database, clock: Clock): (actor: Actor) => Promise<AccountTime> {
  return async (actor) => {
    let now = clock.now();
    if (actor.mode === 'test') {
      const row = await database.withAccount(actor.accountId, testClockOf);
      if (row) now = row.now;
    }
    return { now, today: todayIn(now, actor.timeZone) };
  };
}
