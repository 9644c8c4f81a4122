import { decideFormalNotice } from '../../documents/index.ts';
import { invoicesContacted } from '../../messages/index.ts';
import { accrueBeforeSending } from './fees.ts';
import { defineChannel } from './channel.ts';
import { openTask, TASK_PLAN, TASK_SUMMARY } from './task.ts';

/**
 * A formal notice sent by post (registered letter): a `letter` task for a person, with the
 * letter itself as a PDF document (creditor and debtor, each invoice, the fees and their legal
 * basis, the total and the deadline) in the customer's language, stored once. What it states is
 * decided here, under the invoice's lock; the PDF is written right after, out of the claim's
 * transaction, by the workers (documents' `createFormalNoticeWriter`): the task links to a
 * `pending` document until then.
 */
export const letter = defineChannel({
  name: 'letter',
  summary: TASK_SUMMARY,
  // A person posts it, but it reaches the customer from us: it counts as a contact.
  plan: { ...TASK_PLAN, budgeted: true },
  create: ({ letters }) => {
    return {
      preview: async () => null,
      async compose(ctx) {
        const { trx, accountId, account, customer, invoice, occurrence, today, now } = ctx;
        if (!letters) return openTask(ctx, 'letter');
        // The letter states the fees as of today.
        await accrueBeforeSending(ctx, false);
        // It says "despite our reminders" only when a message about the invoice went out before.
        const remindedBefore = (await invoicesContacted(trx, accountId, [invoice.id])).has(invoice.id);
        return openTask(ctx, 'letter', (taskId) =>
          decideFormalNotice(trx, {
            accountId,
            account,
            customer,
            invoice,
            today,
            now,
            remindedBefore,
            occurrenceId: occurrence.id,
            taskId,
            renderer: letters,
          }),
        );
      },
    };
  },
});
