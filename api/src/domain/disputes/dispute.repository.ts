import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Disputes } from '../../store/db-types.ts';
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
  const limit = query.limit ?? 20;
  let q = trx
    .selectFrom('disputes')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.starting_after) q = q.where('id', '<', query.starting_after);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  return q.execute();
}
