import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { AccountSenders } from '../../store/db-types.ts';

export type SenderRow = Selectable<AccountSenders>;

export const findSender = (trx: Db, accountId: string): Promise<SenderRow | undefined> =>
  trx.selectFrom('account_senders').selectAll().where('account_id', '=', accountId).executeTakeFirst();

/** When the account's credential last changed, or undefined: it has none (a cheap check before each batch). */
export const senderStamp = async (trx: Db, accountId: string): Promise<Date | undefined> =>
  (await trx.selectFrom('account_senders').select('updated_at').where('account_id', '=', accountId).executeTakeFirst())
    ?.updated_at;

export async function saveSender(trx: Db, row: SenderRow): Promise<SenderRow> {
  const { account_id, created_at, ...changes } = row;
  return trx
    .insertInto('account_senders')
    .values(row)
    .onConflict((oc) => oc.column('account_id').doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const deleteSender = async (trx: Db, accountId: string): Promise<boolean> =>
  (await trx.deleteFrom('account_senders').where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows > 0n;

/** Every stored credential, across accounts (system role): for re-encryption under a new key. */
export const allSenders = (trx: Db): Promise<SenderRow[]> =>
  trx.selectFrom('account_senders').selectAll().orderBy('account_id').execute();

export const resealSender = (
  trx: Db,
  accountId: string,
  sealed: { api_key_ciphertext: string; webhook_secret_ciphertext: string | null },
) => trx.updateTable('account_senders').set(sealed).where('account_id', '=', accountId).execute();

/** The account's sender address (its domain is the one a provider key is checked against). */
export const accountSenderEmail = (trx: Db, accountId: string) =>
  trx.selectFrom('accounts').select(['sender_email']).where('id', '=', accountId).executeTakeFirstOrThrow();
