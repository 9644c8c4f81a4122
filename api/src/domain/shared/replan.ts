import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../store/database.ts';

/**
 * Brings invoices' reminders in line with their state and policy, in the caller's transaction
 * (the reminders module's `replanInvoices`). The modules whose changes must replan (invoices,
 * payments, plans, pauses, disputes, tasks) receive it as a dependency wired in `services.ts`
 * instead of importing the reminders module, which sits above them.
 */
export type ReplanInvoices = (
  trx: Db,
  args: { accountId: string; invoiceIds: string[]; timeZone: string; now: Date; resume?: boolean },
) => Promise<void>;

/**
 * After a reversal reopens invoices, their reminders skipped as paid and still to come become
 * plannable again (the reminders module's `releaseRemindersSkippedAsPaid`, handed to payments).
 */
export type ReleaseRemindersSkippedAsPaid = (trx: Db, invoiceIds: readonly string[], now: Date) => Promise<void>;

/**
 * The conflict clause of every insert into `invoice_replans`, the queue of the invoices the
 * reminder planner is to replan (a row per invoice, deleted by whatever replans it), except a new
 * invoice's, which cannot meet one. DO UPDATE, not DO NOTHING: when a replan holds the row locked,
 * DO UPDATE waits for it and, once the row is deleted, writes a fresh one, so a change made
 * meanwhile is planned again; DO NOTHING does not wait for a lock, and the change would be lost.
 */
export const REPLAN_ON_CONFLICT = 'ON CONFLICT (account_id, invoice_id) DO UPDATE SET flagged_at = excluded.flagged_at';

/**
 * Queues for the planner the invoices `rows` selects (`account_id, invoice_id, flagged_at`, in
 * that order), with `REPLAN_ON_CONFLICT`: one statement, or a CTE of one.
 */
export const queueForReplan = (rows: RawBuilder<unknown>) =>
  sql`INSERT INTO invoice_replans (account_id, invoice_id, flagged_at) ${rows} ${sql.raw(REPLAN_ON_CONFLICT)}`;
