import { newId } from '../../../ids.ts';
import { TransportError } from '../../../mail/transport.ts';
import { createSmsOutbox, type SmsTransport, TWILIO_OPTED_OUT } from '../../../sms/transport.ts';
import { type Delivery, type DeliveryResult, defineChannel } from './channel.ts';
import { accrueBeforeSending } from './fees.ts';

/**
 * Text messages have no idempotency key (Twilio and the others take none): the ledger states
 * the message `sending` before the call, and an attempt whose outcome is unknown is never made
 * again (see `mayAttempt` and docs/sms.md#effectively-once).
 */
function deliveryOf(transport: SmsTransport): Delivery {
  return {
    idempotent: false,
    local: transport.local,
    maxBatch: 1,
    transport: transport.name,
    async send(dispatches) {
      const results: DeliveryResult[] = [];
      for (const { message } of dispatches) {
        const to = message.to_addresses[0];
        if (!to) {
          results.push({ ok: false, failure: 'the message has no recipient', retryable: false });
          continue;
        }
        try {
          const { providerMessageId } = await transport.send({
            messageId: message.id,
            from: message.from_address,
            to,
            body: message.text,
          });
          results.push({ ok: true, providerMessageId });
        } catch (error) {
          const failure = error instanceof Error ? error.message : String(error);
          results.push(
            error instanceof TransportError
              ? {
                  ok: false,
                  failure,
                  retryable: error.retryable,
                  retryAfterMs: error.retryAfterMs,
                  outcomeUnknown: error.retryable && error.outcomeUnknown,
                  optedOut: error.providerCode === String(TWILIO_OPTED_OUT),
                }
              : { ok: false, failure, retryable: false },
          );
        }
      }
      return results;
    },
  };
}

/**
 * Relance texts the customer's mobile number: the step's template's `sms` in the customer's
 * language (one line, at most 3 segments), with one link (the customer's page, else the payment
 * page), from the account's `sms_sender` (else the service's `SMS_SENDER`), only in daytime.
 */
export const sms = defineChannel({
  name: 'sms',
  summary: 'Relance sends the message.',
  plan: { rank: 0, repeats: false, needsTemplate: true, contact: 'message', budgeted: true, daytimeOnly: true },
  create: ({ composer, sms }) => {
    const outbox = createSmsOutbox();
    return {
      async compose(ctx) {
        const { trx, accountId, account, customer, invoice, occurrence, today, now, suppressedPhones } = ctx;
        if (!customer.mobile) return { kind: 'skip', reason: 'no_recipient' };
        if (suppressedPhones.has(customer.mobile)) return { kind: 'skip', reason: 'suppressed' };
        const transport = sms?.transport ?? outbox;
        // The outbox sends nothing: a placeholder sender will do there.
        const sender = account.sms_sender ?? sms?.sender ?? (transport.local ? 'Relance' : null);
        if (!sender)
          return { kind: 'fail', failure: "no text message sender: set the account's `sms_sender` (or SMS_SENDER)" };
        if (occurrence.applies_late_fees) await accrueBeforeSending(ctx, true);
        let composed: Awaited<ReturnType<typeof composer.composeSms>>;
        try {
          composed = await composer.composeSms(trx, { account, customer, invoice, occurrence, today, now });
        } catch (error) {
          return { kind: 'fail', failure: error instanceof Error ? error.message : String(error) };
        }
        return {
          kind: 'message',
          message: {
            account_id: accountId,
            id: newId('message'),
            occurrence_id: occurrence.id,
            invoice_id: invoice.id,
            customer_id: customer.id,
            channel: 'sms',
            transport: transport.name,
            status: 'pending',
            from_address: sender,
            reply_to: null,
            to_addresses: [customer.mobile],
            cc_addresses: [],
            subject: '',
            html: '',
            text: composed.text,
            template_key: composed.templateKey,
            locale: composed.locale,
            created_at: now,
            updated_at: now,
          },
        };
      },

      preview: async (trx, input) => (await composer.composeSms(trx, input)).text,

      delivery: deliveryOf(sms?.transport ?? outbox),
    };
  },
});
