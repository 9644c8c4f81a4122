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
