import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { metrics } from '../../metrics.ts';
import { lockInvoices } from '../invoices/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { cancelMessage, findMessage, markMessageFailed, markMessageSent } from '../messages/index.ts';
import { type Delivery, type DeliveryResult, type Dispatch, mayAttempt, type ReminderChannel } from './channels/channel.ts';
import { reasonToStopDelivery } from './guard.rules.ts';
import { MAX_SEND_ATTEMPTS, nowFor, type Outcome, reminderData, skipOccurrence } from './ledger.ts';
import { lockOccurrences, markAttemptFailed, markClaimed, markFailed, markSent, type OccurrenceRow, peekInFlight } from './reminder-occurrence.repository.ts';

/** What was said of an attempt the provider may or may not have taken, on a channel that cannot ask again safely. */
export const OUTCOME_UNKNOWN = 'delivery outcome unknown: the last attempt was never settled and the provider has no idempotency key, so it is not made again';

/**
 * Hands stored messages to their channel's provider, effectively once, with no database
 * transaction open during the call:
 *
 * 1. claim, in a transaction with the invoices' rows locked: a last check (a payment, a void or
 *    a dispute committed since phase one stops it), then the attempt is counted on the reminder;
 * 2. the provider is called, the message's stored bytes under the occurrence id as idempotency key;
 * 3. settle, in another transaction: sent, or to retry later, or failed; the attempt is counted
 *    on the message.
 *
 * A crash between 2 and 3 leaves the reminder `sending` with one attempt claimed and not settled:
 * it is due again after its back-off and, through a provider with idempotency keys, asked again
 * under the same key (the provider answers with the first email, nothing is sent twice); through
 * one without, it is failed with `OUTCOME_UNKNOWN` for a person to look at.
 */
export function createSender(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  async function claim(accountId: string, delivery: Delivery, ids: string[], outcomes: Map<string, Outcome>) {
    return database.withAccount(accountId, async (trx) => {
      const claimed: Dispatch[] = [];
      const peeks = await peekInFlight(trx, ids);
      if (peeks.length === 0) return { claimed, now: clock.now() };
      const invoiceIds = [...new Set(peeks.map((p) => p.invoice_id))].sort();
      const invoices = await lockInvoices(trx, invoiceIds);
      const invoiceById = new Map(invoices.map((i) => [i.id, i]));
      const occurrences = await lockOccurrences(trx, peeks.map((p) => p.id));
      const account = await trx.selectFrom('accounts').select(['id', 'mode']).executeTakeFirstOrThrow();
      const now = await nowFor(trx, account, clock);
      for (const occurrence of occurrences) {
        const invoice = invoiceById.get(occurrence.invoice_id);
        if (occurrence.status !== 'sending' || !occurrence.message_id || !invoice) continue;
        const stop = reasonToStopDelivery(invoice);
        if (stop) {
          await cancelMessage(trx, occurrence.message_id, now);
          outcomes.set(occurrence.id, await skipOccurrence(trx, accountId, occurrence, stop, now));
          continue;
        }
        const message = await findMessage(trx, occurrence.message_id);
        if (!message) throw new Error(`reminder ${occurrence.id} is sending a message that does not exist`);
        if (!mayAttempt(delivery, occurrence.attempts, message.attempts)) {
          await markMessageFailed(trx, message.id, OUTCOME_UNKNOWN, now);
          await markFailed(trx, occurrence.id, OUTCOME_UNKNOWN, now);
          await recordEvent(trx, { accountId, type: 'reminder.failed', objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: message.id, error: OUTCOME_UNKNOWN }), at: now });
          outcomes.set(occurrence.id, 'failed');
          metrics.reminder(occurrence.channel, 'failed');
          continue;
        }
        const attempts = occurrence.attempts + 1;
        await markClaimed(trx, occurrence.id, attempts, now);
        claimed.push({ occurrence: { ...occurrence, attempts }, message, idempotencyKey: occurrence.id });
      }
      return { claimed, now };
    });
  }

  async function settle(accountId: string, claimed: readonly Dispatch[], results: readonly DeliveryResult[], now: Date, outcomes: Map<string, Outcome>) {
    await database.withAccount(accountId, async (trx) => {
      const current = new Map((await lockOccurrences(trx, claimed.map((d) => d.occurrence.id))).map((o) => [o.id, o]));
      for (const [i, dispatch] of claimed.entries()) {
        const occurrence: OccurrenceRow | undefined = current.get(dispatch.occurrence.id);
        // Settled meanwhile by another attempt under the same key (a job that failed over).
        if (!occurrence || occurrence.status !== 'sending') continue;
        const result = results[i] ?? { ok: false, failure: 'the provider gave no result for this message', retryable: true };
        const event = (type: string, extra: Record<string, unknown> = {}) =>
          recordEvent(trx, { accountId, type, objectType: 'reminder', objectId: occurrence.id, data: reminderData(occurrence, { message_id: occurrence.message_id, ...extra }), at: now });
        let outcome: Outcome;
        if (result.ok) {
          await markMessageSent(trx, dispatch.message.id, result.providerMessageId, now);
          await markSent(trx, occurrence.id, now, { attempts: occurrence.attempts });
          await event('reminder.sent');
          outcome = 'sent';
        } else {
          const retry = result.retryable && occurrence.attempts < MAX_SEND_ATTEMPTS;
          // A failed attempt is recorded as such; a later attempt may still send it.
          await markMessageFailed(trx, dispatch.message.id, result.failure, now);
          await markAttemptFailed(trx, occurrence.id, occurrence.attempts, result.failure, retry, now);
          if (!retry) await event('reminder.failed', { error: result.failure });
          outcome = retry ? 'retry' : 'failed';
        }
        outcomes.set(occurrence.id, outcome);
        metrics.reminder(occurrence.channel, outcome);
      }
    });
  }

  return {
    /** Claims, delivers and settles reminders of one account left `sending` by phase one, in the channel's batches. */
    async deliver(accountId: string, channel: ReminderChannel, ids: readonly string[]): Promise<Map<string, Outcome>> {
      const delivery = channel.delivery;
      if (!delivery) throw new Error(`channel '${channel.name}' has no delivery`);
      const outcomes = new Map<string, Outcome>(ids.map((id) => [id, 'noop']));
      for (let i = 0; i < ids.length; i += delivery.maxBatch) {
        const { claimed, now } = await claim(accountId, delivery, ids.slice(i, i + delivery.maxBatch), outcomes);
        if (claimed.length === 0) continue;
        // No transaction is open here: the claim committed, the settle has not begun.
        const results = await delivery.send(claimed);
        await settle(accountId, claimed, results, now, outcomes);
      }
      return outcomes;
    },
  };
}
