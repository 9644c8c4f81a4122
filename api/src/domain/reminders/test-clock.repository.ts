import type { Db } from '../../store/database.ts';

// Every query on `account_clocks`, a test account's own "now", with the caller's transaction first.

/** A test account's clock, if it was set. */
export const testClockOf = (trx: Db, accountId: string) =>
  trx.selectFrom('account_clocks').select('now').where('account_id', '=', accountId).executeTakeFirst();

/** Sets a test account's clock to `at`. */
export function setTestClock(trx: Db, accountId: string, at: Date, now: () => Date) {
  return trx
    .insertInto('account_clocks')
    .values({ account_id: accountId, now: at, updated_at: now() })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ now: at, updated_at: now() }))
    .execute();
}

/** Drops a test account's clock: it follows real time again. */
export async function dropTestClock(trx: Db, accountId: string): Promise<void> {
  await trx.deleteFrom('account_clocks').where('account_id', '=', accountId).execute();
}
