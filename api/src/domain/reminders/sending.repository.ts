import type { Db } from '../../store/database.ts';

// The engine's and the sender's reads and writes on the invoices, suppressions and documents of
// the reminders they send, with the caller's transaction first.

/** Which of these addresses (lower-cased) are suppressed in the transaction's account. */
export async function suppressedEmails(trx: Db, recipients: string[]): Promise<string[]> {
  return (await trx.selectFrom('email_suppressions').select('email').where('email', 'in', recipients).execute()).map(
    (r) => r.email,
  );
}

/** Forgets an invoice's promise to pay, once broken. */
export async function clearBrokenPromise(trx: Db, accountId: string, invoiceId: string, now: Date): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ promise_to_pay_on: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}

/** After a catch-up, the day until which the invoice's next reminders wait. */
export async function setCatchUpGap(trx: Db, accountId: string, invoiceId: string, until: Date): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ catch_up_gap_until: until })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}

/** The invoice as it is now (after late fees were added). */
export const reloadInvoice = (trx: Db, invoiceId: string) =>
  trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow();

/** The invoice's number (its PDF's file name). */
export const invoiceNumber = (trx: Db, accountId: string, invoiceId: string) =>
  trx
    .selectFrom('invoices')
    .select('number')
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .executeTakeFirstOrThrow();

/** A stored document's file name. */
export async function attachmentFilename(trx: Db, accountId: string, documentId: string) {
  return (
    await trx
      .selectFrom('documents')
      .select('filename')
      .where('account_id', '=', accountId)
      .where('id', '=', documentId)
      .executeTakeFirst()
  )?.filename;
}
