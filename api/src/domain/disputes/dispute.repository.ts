import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Disputes } from '../../store/db-types.ts';
import { keysetPage } from '../shared/index.ts';
import type { Dispute, DisputeListQuery, DisputeResolution, DisputeStatus } from './dispute.schemas.ts';

export type DisputeRow = Selectable<Disputes>;

export const presentDispute = (row: DisputeRow): Dispute => ({
  id: row.id,
  object: 'dispute',
  invoice_id: row.invoice_id,
  status: row.status as DisputeStatus,
  reason: row.reason,
  note: row.note,
  resolution: row.resolution as DisputeResolution | null,
  resolution_note: row.resolution_note,
  opened_at: row.opened_at.toISOString(),
  resolved_at: row.resolved_at?.toISOString() ?? null,
});

export const findDispute = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('disputes').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

/** One page of disputes, newest first, filtered. */
export function listDisputes(trx: Db, query: DisputeListQuery) {
  let q = keysetPage(trx.selectFrom('disputes').selectAll(), query);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  return q.execute();
}

/** The invoice's open dispute, if any. */
export const openDisputeOf = (trx: Db, invoiceId: string) =>
  trx
    .selectFrom('disputes')
    .select('id')
    .where('invoice_id', '=', invoiceId)
    .where('status', '=', 'open')
    .executeTakeFirst();

export const insertDispute = (trx: Db, values: Insertable<Disputes>) =>
  trx.insertInto('disputes').values(values).returningAll().executeTakeFirstOrThrow();

export const resolveDisputeRow = (
  trx: Db,
  id: string,
  resolution: { resolution: string; resolution_note: string | null },
  now: Date,
) =>
  trx
    .updateTable('disputes')
    .set({ status: 'resolved', ...resolution, resolved_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** The invoice is disputed: its reminders stop. */
export async function markInvoiceDisputed(trx: Db, accountId: string, invoiceId: string, now: Date): Promise<void> {
  await trx
    .updateTable('invoices')
    .set({ disputed: true, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .execute();
}

/** The invoice's dispute is over; `voidAs`: the status it takes when the dispute voids it. Returns the row. */
export const clearInvoiceDisputed = (trx: Db, invoiceId: string, now: Date, voidAs: string | null) =>
  trx
    .updateTable('invoices')
    .set({ disputed: false, updated_at: now, ...(voidAs !== null && { status: voidAs, voided_at: now }) })
    .where('id', '=', invoiceId)
    .returningAll()
    .executeTakeFirstOrThrow();
