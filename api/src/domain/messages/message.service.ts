import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import {
  type DeliveryEvent,
  toDeliveryEvent,
  verifyResendWebhook,
  type WebhookHeaders,
} from '../../mail/resend-events.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { type Actor, assertWriteAccess, type Page, pageOf, toPage } from '../shared/index.ts';
import {
  deleteSuppression,
  findMessage,
  listMessages,
  listSuppressions,
  lockMessage,
  messagesByProviderId,
  presentMessage,
  presentSuppression,
  setDeliveryStatus,
  suppressAddresses,
} from './message.repository.ts';
import { normalizeEmail, statusAfter, suppressesRecipients } from './message.rules.ts';
import {
  type Message,
  MessageListQuery,
  type ProviderEventReceipt,
  type Suppression,
  SuppressionListQuery,
  type SuppressionRemoved,
} from './message.schemas.ts';

const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** Applies one delivery event to one message, in its account's transaction; true if anything changed. */
async function applyDeliveryEvent(
  trx: Db,
  clock: Clock,
  accountId: string,
  messageId: string,
  event: DeliveryEvent,
): Promise<boolean> {
  const row = await lockMessage(trx, messageId);
  if (!row) return false;
  const now = clock.now();
  let changed = false;

  const next = statusAfter(row.status, event);
  if (next) {
    const bounce = event.bounce;
    const updated = await setDeliveryStatus(trx, messageId, {
      status: next,
      ...(next === 'delivered' && { deliveredAt: event.occurredAt ?? now }),
      ...(bounce && {
        error:
          `${bounce.permanent ? 'Hard' : 'Soft'} bounce (${bounce.type}${bounce.subType ? `/${bounce.subType}` : ''})${bounce.message ? `: ${bounce.message}` : ''}`.slice(
            0,
            1000,
          ),
      }),
      now,
    });
    await recordEvent(trx, {
      accountId,
      type: `message.${next}`,
      objectType: 'message',
      objectId: messageId,
      data: {
        ...presentMessage(updated, { bodies: false }),
        ...(bounce && {
          bounce: {
            type: bounce.type,
            sub_type: bounce.subType,
            message: bounce.message,
            permanent: bounce.permanent,
          },
        }),
      },
      at: now,
    });
    changed = true;
  }

  const reason = suppressesRecipients(event);
  if (reason) {
    // Only the message's own recipients: an event cannot suppress an address the account never wrote to.
    const ours = new Set([...row.to_addresses, ...row.cc_addresses].map(normalizeEmail));
    const named = event.recipients.map(normalizeEmail).filter((e) => ours.has(e));
    const emails = named.length > 0 ? named : row.to_addresses;
    const added = await suppressAddresses(trx, { accountId, emails, reason, messageId, at: now });
    for (const suppression of added) {
      await recordEvent(trx, {
        accountId,
        type: 'suppression.created',
        objectType: 'suppression',
        objectId: suppression.email,
        data: presentSuppression(suppression),
        at: now,
      });
    }
    changed ||= added.length > 0;
  }
  return changed;
}

export function createMessageService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  return {
    /** Messages sent (or kept in the outbox), newest first, without their bodies. */
    list(actor: Actor, input: MessageListQuery): Promise<Page<Message>> {
      const query = parseInput<MessageListQuery>(MessageListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage(
          (await listMessages(trx, query)).map((row) => presentMessage(row, { bodies: false })),
          query.limit ?? 20,
        ),
      );
    },

    /** One message with its subject, HTML and text bodies as sent. */
    get(actor: Actor, id: string): Promise<Message> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findMessage(trx, id);
        if (!row) throw notFound('message', id);
        return presentMessage(row, { bodies: true });
      });
    },

    /** Addresses reminders are not sent to, in address order. */
    listSuppressions(actor: Actor, input: SuppressionListQuery): Promise<Page<Suppression>> {
      const query = parseInput<SuppressionListQuery>(SuppressionListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const fetched = await listSuppressions(trx, query);
        return pageOf(fetched, fetched.rows.map(presentSuppression));
      });
    },

    /** Lets reminders go to an address again (after the customer fixed their mailbox, say). */
    async removeSuppression(actor: Actor, email: string): Promise<SuppressionRemoved> {
      assertWriteAccess(actor);
      const address = normalizeEmail(email);
      const now = clock.now();
      await database.withAccount(actor.accountId, async (trx) => {
        const row = await deleteSuppression(trx, address);
        if (!row) throw new AppError('suppression/not_found', 404, `No suppression for '${email}' in this account.`);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'suppression.removed',
          objectType: 'suppression',
          objectId: address,
          data: presentSuppression(row),
          at: now,
        });
      });
      return { object: 'suppression', email: address, deleted: true };
    },

    /**
     * A Resend webhook call: verifies its signature over the raw body, then applies a delivered,
     * bounced or complained event to the message it names (in that message's account). A hard
     * bounce or a complaint suppresses the recipients. Events Relance does not follow, and
     * emails it does not know, are acknowledged and ignored, so the provider does not retry.
     */
    async handleProviderEvent(
      rawBody: string,
      headers: WebhookHeaders,
      secret: string | undefined,
      /** An account's own Resend webhook: its events may only touch that account's messages. */
      onlyAccountId?: string,
    ): Promise<ProviderEventReceipt> {
      if (!secret || !WEBHOOK_SECRET.test(secret)) {
        throw new AppError(
          'webhook/not_configured',
          503,
          onlyAccountId
            ? "Provider events are not accepted here: this account's sender has no webhook_secret (PUT /v1/account/sender)."
            : 'Provider events are not accepted: RESEND_WEBHOOK_SECRET is not set to a whsec_… signing secret.',
        );
      }
      const event = toDeliveryEvent(verifyResendWebhook(rawBody, headers, secret));
      if (!event) return { received: true, outcome: 'ignored' };
      // The provider's id is all the event carries: find its account across accounts, then work as that account.
      const targets = await database.withSystem((trx) =>
        messagesByProviderId(trx, event.providerMessageId, { onlyAccountId }),
      );
      if (targets.length === 0) return { received: true, outcome: 'ignored' };
      let changed = false;
      for (const target of targets) {
        const applied = await database.withAccount(target.account_id, (trx) =>
          applyDeliveryEvent(trx, clock, target.account_id, target.id, event),
        );
        changed ||= applied;
      }
      return { received: true, outcome: changed ? 'applied' : 'duplicate' };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
