import { sql } from 'kysely';

/**
 * Invoices Relance chases: open, possibly with part paid (also those a payment can be allocated
 * to). Here, below every module, because customers, which sits below invoices, needs it too.
 */
export const CHASED_STATUSES: readonly string[] = ['open', 'partially_paid'];

/** `CHASED_STATUSES` as a list of SQL literals, for `status IN (${CHASED_STATUSES_SQL})`. */
export const CHASED_STATUSES_SQL = sql.join(CHASED_STATUSES.map((status) => sql.lit(status)));
