import { newId } from '../../../ids.ts';
import { TransportError } from '../../../mail/transport.ts';
import { createSmsOutbox, type SmsTransport, TWILIO_OPTED_OUT } from '../../../sms/transport.ts';
import {
  type ChannelContext,
  type ComposedSms,
  type Composition,
  type Delivery,
  type DeliveryResult,
  defineChannel,
} from './channel.ts';
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
    const transport = sms?.transport ?? outbox;
    // The outbox sends nothing: a placeholder sender will do there.
    const senderOf = (account: ChannelContext['account']) =>
      account.sms_sender ?? sms?.sender ?? (transport.local ? 'Relance' : null);

    /** Why no text can go to the customer, or null. */
    const refusal = (ctx: Pick<ChannelContext, 'account' | 'customer' | 'suppressedPhones'>): Composition | null => {
      if (!ctx.customer.mobile) return { kind: 'skip', reason: 'no_recipient' };
      if (ctx.suppressedPhones.has(ctx.customer.mobile)) return { kind: 'skip', reason: 'suppressed' };
      if (!senderOf(ctx.account))
        return { kind: 'fail', failure: "no text message sender: set the account's `sms_sender` (or SMS_SENDER)" };
      return null;
    };

    const textOf = (
      ctx: Pick<ChannelContext, 'accountId' | 'account' | 'customer' | 'now'>,
      composed: ComposedSms,
      about: { occurrenceId: string | null; invoiceId: string | null; groupKey?: string },
    ): Composition => ({
      kind: 'message',
      message: {
        account_id: ctx.accountId,
        id: newId('message'),
        occurrence_id: about.occurrenceId,
        invoice_id: about.invoiceId,
        customer_id: ctx.customer.id,
        channel: 'sms',
        transport: transport.name,
        status: 'pending',
        from_address: senderOf(ctx.account) ?? '',
        reply_to: null,
        to_addresses: [ctx.customer.mobile ?? ''],
        cc_addresses: [],
        subject: '',
        html: '',
        text: composed.text,
        template_key: composed.templateKey,
        group_key: about.groupKey ?? null,
        locale: composed.locale,
        created_at: ctx.now,
        updated_at: ctx.now,
      },
    });

    return {
      async compose(ctx) {
        const { trx, account, customer, invoice, occurrence, today, now } = ctx;
        const refused = refusal(ctx);
        if (refused) return refused;
        if (occurrence.applies_late_fees) await accrueBeforeSending(ctx, true);
        let composed: ComposedSms;
        try {
          composed = await composer.composeSms(trx, { account, customer, invoice, occurrence, today, now });
        } catch (error) {
          return { kind: 'fail', failure: error instanceof Error ? error.message : String(error) };
        }
        return textOf(ctx, composed, { occurrenceId: occurrence.id, invoiceId: invoice.id });
      },

      async composeGroup(ctx) {
        const refused = refusal(ctx);
        if (refused) return refused;
        let composed: ComposedSms;
        try {
          composed = await composer.composeGroupedSms(ctx.trx, ctx);
        } catch (error) {
          return { kind: 'fail', failure: error instanceof Error ? error.message : String(error) };
        }
        return textOf(ctx, composed, {
          // About several reminders: each names it (`message_id`).
          occurrenceId: null,
          invoiceId: null,
          groupKey: ctx.groupKey,
        });
      },

      preview: async (trx, input) => (await composer.composeSms(trx, input)).text,

      delivery: deliveryOf(transport),
    };
  },
});
