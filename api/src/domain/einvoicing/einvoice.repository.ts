import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { EinvoiceStatuses } from '../../store/db-types.ts';
import { EINVOICE_STATUSES, type EinvoiceCode } from './einvoice.rules.ts';
import type { EinvoiceStatus } from './einvoice.schemas.ts';

export type EinvoiceStatusRow = Selectable<EinvoiceStatuses>;

export const presentEinvoiceStatus = (row: EinvoiceStatusRow): EinvoiceStatus => ({
  id: row.id,
  object: 'einvoice_status',
  invoice_id: row.invoice_id,
  code: row.code,
  label: EINVOICE_STATUSES[row.code as EinvoiceCode]?.fr ?? String(row.code),
  label_en: EINVOICE_STATUSES[row.code as EinvoiceCode]?.en ?? String(row.code),
  status_on: row.status_on,
  reason_code: row.reason_code,
  reason: row.reason,
  platform_ref: row.platform_ref,
  reaction: row.reaction as EinvoiceStatus['reaction'],
  created_at: row.created_at.toISOString(),
});

/** Inserts a status unless the same one (code, date, platform reference) is already recorded. */
export const insertStatusOnce = (trx: Db, row: Insertable<EinvoiceStatuses>) =>
  trx
    .insertInto('einvoice_statuses')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();

export const findSameStatus = (
  trx: Db,
  accountId: string,
  key: { invoiceId: string; code: number; statusOn: string; platformRef: string | null },
) =>
  trx
    .selectFrom('einvoice_statuses')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', key.invoiceId)
    .where('code', '=', key.code)
    .where('status_on', '=', key.statusOn)
    .where((eb) =>
      key.platformRef === null ? eb('platform_ref', 'is', null) : eb('platform_ref', '=', key.platformRef),
    )
    .executeTakeFirstOrThrow();

export const setReaction = (trx: Db, accountId: string, id: string, reaction: EinvoiceStatus['reaction']) =>
  trx
    .updateTable('einvoice_statuses')
    .set({ reaction })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

export const statusesOfInvoice = (trx: Db, accountId: string, invoiceId: string) =>
  trx
    .selectFrom('einvoice_statuses')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', invoiceId)
    .orderBy('status_on')
    .orderBy('id')
    .execute();

/** The invoice shows the status of the latest date (the latest recorded on a tie). */
export const setInvoiceStatus = (trx: Db, accountId: string, invoiceId: string, code: number, on: string) =>
  trx
    .updateTable('invoices')
    .set({ einvoice_status: code, einvoice_status_on: on })
    .where('account_id', '=', accountId)
    .where('id', '=', invoiceId)
    .where((eb) => eb.or([eb('einvoice_status_on', 'is', null), eb('einvoice_status_on', '<=', on)]))
    .execute();
