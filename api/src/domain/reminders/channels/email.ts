import { newId } from '../../../ids.ts';
import { TransportError } from '../../../mail/transport.ts';
import { outgoingEmailOf } from '../../messages/index.ts';
import type { OccurrenceRow } from '../reminder-occurrence.repository.ts';
import type { EmailTransport } from '../../../mail/transport.ts';
import { accrueBeforeSending } from './fees.ts';
import {
  type ChannelContext,
  type ComposedEmail,
  type Composition,
  type Delivery,
  defineChannel,
  type DeliveryResult,
} from './channel.ts';

/** A transport's failure as the ledger settles it. */
function failureOf(error: unknown): DeliveryResult & { ok: false } {
  const failure = error instanceof Error ? error.message : String(error);
  if (!(error instanceof TransportError)) return { ok: false, failure, retryable: false };
  return {
    ok: false,
    failure,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    outcomeUnknown: error.retryable && error.outcomeUnknown,
  };
}

/** What the email of a step carries: the invoice's PDF from its URL, the customer's statement, or nothing. */
function attachmentOf(ctx: Pick<ChannelContext, 'attachInvoicePdf' | 'attachStatement' | 'invoice'>) {
  if (ctx.attachStatement) return { attachment_kind: 'statement', attachment_url: null };
  if (ctx.attachInvoicePdf && ctx.invoice.pdf_url)
    return { attachment_kind: 'invoice_pdf', attachment_url: ctx.invoice.pdf_url };
  return { attachment_kind: null, attachment_url: null };
}

/** The provider keeps these with the email and echoes them in its events. */
const tagsOf = (occurrence: OccurrenceRow) => ({ occurrence: occurrence.id.replace(/[^\w-]/g, '_') });

/** How emails reach one transport: one by one, or in the provider's batches. */
function deliveryOf(transport: EmailTransport): Delivery {
  const batch = transport.sendBatch?.bind(transport);
  return {
    idempotent: true,
    local: transport.local ?? false,
    maxBatch: transport.sendBatch ? (transport.maxBatch ?? 1) : 1,
    transport: transport.name,
    async send(dispatches) {
      const results: DeliveryResult[] = [];
      for (const { occurrence, message, idempotencyKey, attachments } of dispatches) {
        try {
          const { providerMessageId } = await transport.send(
            outgoingEmailOf(message, tagsOf(occurrence), attachments),
            idempotencyKey,
          );
          results.push({ ok: true, providerMessageId });
        } catch (error) {
          results.push(failureOf(error));
        }
      }
      return results;
    },
    ...(batch && {
      async sendBatch(dispatches, idempotencyKey) {
        try {
          const answers = await batch(
            dispatches.map((d) => outgoingEmailOf(d.message, tagsOf(d.occurrence))),
            idempotencyKey,
          );
          return dispatches.map((_, i): DeliveryResult => {
            const answer = answers[i];
            if (!answer)
              return {
                ok: false,
                failure: 'the provider gave no result for this email',
                retryable: true,
                outcomeUnknown: true,
              };
            return answer instanceof TransportError
              ? failureOf(answer)
              : { ok: true, providerMessageId: answer.providerMessageId };
          });
        } catch (error) {
          // The call as a whole: the same outcome for each email of the batch.
          return dispatches.map(() => failureOf(error));
        }
      },
    }),
  };
}

/**
 * The service's delivery, which an account with its own provider credential (its own Resend
 * key, see domain/senders) replaces with one through that credential, paced on its own.
 */
function withAccounts(
  base: Delivery,
  transportFor: ((accountId: string) => Promise<EmailTransport | null>) | undefined,
): Delivery {
  if (!transportFor) return base;
  const byTransport = new WeakMap<EmailTransport, Delivery>();
  return {
    ...base,
    async forAccount(accountId) {
      const own = await transportFor(accountId);
      if (!own) return base;
      let delivery = byTransport.get(own);
      if (!delivery) {
        delivery = deliveryOf(own);
        byTransport.set(own, delivery);
      }
      return delivery;
    },
  };
}

/** The email row of a composed message, to the customer (and its copies not suppressed). */
function messageOf(
  ctx: Pick<ChannelContext, 'accountId' | 'account' | 'customer' | 'now' | 'suppressed'>,
  composed: ComposedEmail,
  about: {
    occurrenceId: string | null;
    invoiceId: string | null;
    templateKey: string | null;
    attachment: { attachment_kind: string | null; attachment_url: string | null };
    groupKey?: string;
    transport: string;
  },
): Composition {
  const { accountId, account, customer, now, suppressed } = ctx;
  return {
    kind: 'message',
    message: {
      account_id: accountId,
      id: newId('message'),
      occurrence_id: about.occurrenceId,
      invoice_id: about.invoiceId,
      customer_id: customer.id,
      channel: 'email',
      transport: about.transport,
      status: 'pending',
      from_address: `${account.sender_name ?? account.name} <${account.sender_email ?? 'reminders@relance.invalid'}>`,
      reply_to: account.reply_to,
      to_addresses: customer.email ? [customer.email] : [],
      cc_addresses: customer.cc_emails.filter((e) => !suppressed.has(e.toLowerCase())),
      subject: composed.subject,
      html: composed.html,
      text: composed.text,
      template_key: about.templateKey,
      ...about.attachment,
      group_key: about.groupKey ?? null,
      locale: composed.locale,
      created_at: now,
      updated_at: now,
    },
  };
}

/**
 * Relance sends the message: rendered from the step's template in the customer's language,
 * stored, then handed to the email transport (Resend, or the local outbox) under the occurrence
 * id as idempotency key.
 */
export const email = defineChannel({
  name: 'email',
  summary: 'Relance sends the message.',
  plan: { rank: 0, repeats: true, needsTemplate: true, contact: 'message', budgeted: true },
  create: ({ transport, composer, transportFor }) => {
    return {
      async compose(ctx) {
        const { trx, account, customer, invoice, occurrence, today, now, suppressed } = ctx;
        if (!customer.email) return { kind: 'skip', reason: 'no_recipient' };
        if (suppressed.has(customer.email.toLowerCase())) return { kind: 'skip', reason: 'suppressed' };
        // A step that applies late fees brings them up to date first, so the email states the amount now due.
        if (occurrence.applies_late_fees) await accrueBeforeSending(ctx, true);
        let composed: ComposedEmail;
        try {
          composed = await composer.compose(trx, { account, customer, invoice, occurrence, today, now });
        } catch (error) {
          return { kind: 'fail', failure: error instanceof Error ? error.message : String(error) };
        }
        return messageOf(ctx, composed, {
          occurrenceId: occurrence.id,
          invoiceId: invoice.id,
          templateKey: composed.templateKey ?? occurrence.template_key,
          // Fetched (the invoice's PDF) or made (the statement) when it is handed to the
          // provider, outside any transaction (see sender.ts).
          attachment: attachmentOf(ctx),
          transport: transport.name,
        });
      },

      async composeGroup(ctx) {
        const { trx, customer, suppressed } = ctx;
        if (!customer.email) return { kind: 'skip', reason: 'no_recipient' };
        if (suppressed.has(customer.email.toLowerCase())) return { kind: 'skip', reason: 'suppressed' };
        let composed: ComposedEmail;
        try {
          composed = await composer.composeGrouped(trx, ctx);
        } catch (error) {
          return { kind: 'fail', failure: error instanceof Error ? error.message : String(error) };
        }
        return messageOf(ctx, composed, {
          // About several reminders: each names it (`message_id`).
          occurrenceId: null,
          invoiceId: null,
          templateKey: composed.templateKey ?? null,
          attachment: { attachment_kind: null, attachment_url: null },
          groupKey: ctx.groupKey,
          transport: transport.name,
        });
      },

      preview: async (trx, input) => (await composer.compose(trx, input)).subject,

      delivery: withAccounts(deliveryOf(transport), transportFor),
    };
  },
});
