import type { Db } from '../../store/database.ts';

/** The time of the account's test clock, if it has one (the transaction's account). */
export const testClockOf = (trx: Db) => trx.selectFrom('account_clocks').select('now').executeTakeFirst();
