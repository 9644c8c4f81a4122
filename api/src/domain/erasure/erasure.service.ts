import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import { type Customer, findCustomer, presentCustomer } from '../customers/index.ts';
import { purgeDocumentsOfCustomer } from '../documents/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { skipPendingOfInvoices } from '../reminders/index.ts';
import { accountTime, type Actor, assertWriteAccess } from '../shared/index.ts';
import {
  eraseCustomerRow,
  eraseMessagesOf,
  eraseNotesOf,
  forgetPhoneSuppression,
  forgetSuppressions,
  invoiceIdsOf,
  purgeBodiesBefore,
  relatedObjectIds,
  rewriteCustomerEvents,
  scrubEventsOf,
} from './erasure.repository.ts';

const PURGE_BATCH = 1000;

/**
 * Erasure of a debtor's personal data (GDPR art. 17), keeping what accounting law requires:
 * invoices (numbers, dates, amounts), payments, fees and the history of what was sent when.
 * One transaction, irreversible. See docs/erasure.md.
 */
export function createErasureService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);
  return {
    /** Erases a customer's personal data; erasing an erased customer changes nothing and answers the same. */
    async anonymize(actor: Actor, customerId: string): Promise<Customer> {
      assertWriteAccess(actor);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await findCustomer(trx, customerId, { forUpdate: true });
        if (!current) throw notFound('customer', customerId);
        if (current.erased_at !== null) return presentCustomer(current, today);
        const { accountId } = actor;
        const invoiceIds = await invoiceIdsOf(trx, accountId, customerId);
        await scrubEventsOf(trx, accountId, await relatedObjectIds(trx, accountId, customerId, invoiceIds));
        const erased = await eraseCustomerRow(trx, accountId, customerId, now);
        const customer = presentCustomer(erased, today);
        await eraseMessagesOf(trx, accountId, customerId, now);
        await purgeDocumentsOfCustomer(trx, accountId, customerId, now);
        await eraseNotesOf(trx, accountId, customerId, invoiceIds);
        await forgetSuppressions(
          trx,
          accountId,
          [current.email, ...current.cc_emails].filter((e): e is string => Boolean(e)),
        );
        await forgetPhoneSuppression(trx, accountId, current.mobile);
        await rewriteCustomerEvents(trx, accountId, customerId, customer);
        // Nobody is left to remind: its pending reminders end here.
        if (invoiceIds.length > 0) await skipPendingOfInvoices(trx, accountId, invoiceIds, 'erased', now);
        await recordEvent(trx, {
          accountId,
          type: 'customer.anonymized',
          objectType: 'customer',
          objectId: customerId,
          data: customer,
          at: now,
        });
        return customer;
      });
    },

    /** Blanks message bodies older than the retention (months), every account; returns how many. */
    async purgeMessageBodies(retentionMonths: number): Promise<number> {
      const now = clock.now();
      const cutoff = new Date(now);
      cutoff.setUTCMonth(cutoff.getUTCMonth() - retentionMonths);
      let purged = 0;
      for (;;) {
        const done = await database.withSystem((trx) => purgeBodiesBefore(trx, cutoff, PURGE_BATCH, now));
        purged += done;
        if (done < PURGE_BATCH) return purged;
      }
    },
  };
}
