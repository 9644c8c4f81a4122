import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { type Actor, assertWriteAccess, type Page, pageOf } from '../shared/index.ts';
import {
  accountsThatTexted,
  deletePhoneSuppression,
  findPhoneSuppression,
  listPhoneSuppressions,
  messagesByProviderId,
  presentMessage,
  presentPhoneSuppression,
  setTextDeliveryStatus,
  suppressPhone,
} from './message.repository.ts';
import { type PhoneSuppression, PhoneSuppressionListQuery, type PhoneSuppressionRemoved } from './message.schemas.ts';

/**
 * Words that end text messages from a sender: the carriers' and Twilio's standard opt-out
 * keywords (twilio.com/docs/messaging/tutorials/advanced-opt-out), and the French `ARRET`.
 * `START` and `UNSTOP` opt back in.
 */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'ARRÊT', 'OPTOUT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

/** A provider's delivery report of one text message, as the SMS adapter read it. */
export interface SmsStatusReport {
  providerMessageId: string;
  /** Twilio's `MessageStatus`: queued, sent, delivered, undelivered, failed… */
  status: string;
  /** Twilio's `ErrorCode`, when the message failed. */
  errorCode: string | null;
}

/** A text a customer sent to an account's sender number (Twilio's inbound message). */
export interface SmsReply {
  from: string;
  to: string;
  body: string;
  /** Twilio's `OptOutType` when its Advanced Opt-Out recognised a keyword (`STOP`, `START`, `HELP`). */
  optOutType: string | null;
}

/** Twilio's code for a text refused because the number opted out of the sender. */
const OPTED_OUT_CODE = '21610';

/** Suppresses a number in an account and writes `phone_suppression.created`; false if it already was. */
async function suppress(
  trx: Db,
  clock: Clock,
  accountId: string,
  phone: string,
  reason: 'stop' | 'opted_out',
  messageId: string | null,
) {
  const now = clock.now();
  if (!(await suppressPhone(trx, { accountId, phone, reason, messageId, at: now }))) return false;
  const row = await findPhoneSuppression(trx, accountId, phone);
  await recordEvent(trx, {
    accountId,
    type: 'phone_suppression.created',
    objectType: 'phone_suppression',
    objectId: phone,
    data: presentPhoneSuppression(row),
    at: now,
  });
  return true;
}

/**
 * What comes back from an SMS provider (delivery reports, replies) and the numbers it leaves
 * suppressed. The adapter has verified the provider's signature before calling.
 */
export function createSmsService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  return {
    /**
     * A delivery report: `delivered` marks the message delivered, `undelivered` or `failed` marks
     * it failed with the provider's code (21610, the number opted out: it is suppressed). A report
     * of a message Relance does not know is acknowledged and ignored.
     */
    async applyStatus(report: SmsStatusReport): Promise<{ received: true; outcome: 'applied' | 'ignored' }> {
      const next =
        report.status === 'delivered'
          ? 'delivered'
          : report.status === 'undelivered' || report.status === 'failed'
            ? 'failed'
            : null;
      if (!next) return { received: true, outcome: 'ignored' };
      const targets = await database.withSystem((trx) =>
        messagesByProviderId(trx, report.providerMessageId, { channel: 'sms' }),
      );
      let applied = false;
      for (const target of targets) {
        const done = await database.withAccount(target.account_id, async (trx) => {
          const now = clock.now();
          const error = next === 'failed' ? `undelivered (provider error ${report.errorCode ?? 'unknown'})` : null;
          const row = await setTextDeliveryStatus(trx, target.account_id, target.id, { status: next, error, now });
          if (!row) return false;
          await recordEvent(trx, {
            accountId: target.account_id,
            type: `message.${next}`,
            objectType: 'message',
            objectId: row.id,
            data: presentMessage(row, { bodies: false }),
            at: now,
          });
          const phone = row.to_addresses[0];
          if (report.errorCode === OPTED_OUT_CODE && phone)
            await suppress(trx, clock, target.account_id, phone, 'opted_out', row.id);
          return true;
        });
        applied ||= done;
      }
      return { received: true, outcome: applied ? 'applied' : 'ignored' };
    },

    /**
     * A customer's text to a sender: STOP (or another opt-out word) suppresses the number in every
     * account that texted it from that sender (the provider blocks the pair, sender and number,
     * for all of them); START lets it be texted again where a STOP had suppressed it. Any other
     * text is acknowledged and ignored.
     */
    async applyReply(reply: SmsReply): Promise<{ received: true; outcome: 'stopped' | 'started' | 'ignored' }> {
      const word = reply.body.trim().toUpperCase();
      const type = reply.optOutType?.toUpperCase() ?? null;
      const stop = type === 'STOP' || STOP_WORDS.has(word);
      const start = !stop && (type === 'START' || START_WORDS.has(word));
      if (!stop && !start) return { received: true, outcome: 'ignored' };
      const accounts = await database.withSystem((trx) => accountsThatTexted(trx, reply.to, reply.from));
      let changed = false;
      for (const { account_id: accountId } of accounts) {
        changed =
          (await database.withAccount(accountId, async (trx) => {
            if (stop) return suppress(trx, clock, accountId, reply.from, 'stop', null);
            const row = await deletePhoneSuppression(trx, accountId, reply.from, 'stop');
            if (row)
              await recordEvent(trx, {
                accountId,
                type: 'phone_suppression.removed',
                objectType: 'phone_suppression',
                objectId: row.phone,
                data: presentPhoneSuppression(row),
                at: clock.now(),
              });
            return row !== undefined;
          })) || changed;
      }
      return { received: true, outcome: changed ? (stop ? 'stopped' : 'started') : 'ignored' };
    },

    /** Numbers text messages are not sent to, in number order. */
    listSuppressions(actor: Actor, input: PhoneSuppressionListQuery): Promise<Page<PhoneSuppression>> {
      const query = parseInput<PhoneSuppressionListQuery>(PhoneSuppressionListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const fetched = await listPhoneSuppressions(trx, actor.accountId, query);
        return pageOf(fetched, fetched.rows.map(presentPhoneSuppression));
      });
    },

    /** Lets text messages go to a number again (the customer asked for them back). */
    async removeSuppression(actor: Actor, phone: string): Promise<PhoneSuppressionRemoved> {
      assertWriteAccess(actor);
      const now = clock.now();
      await database.withAccount(actor.accountId, async (trx) => {
        const row = await deletePhoneSuppression(trx, actor.accountId, phone);
        if (!row)
          throw new AppError('phone_suppression/not_found', 404, `No suppression for '${phone}' in this account.`);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'phone_suppression.removed',
          objectType: 'phone_suppression',
          objectId: phone,
          data: presentPhoneSuppression(row),
          at: now,
        });
      });
      return { object: 'phone_suppression', phone, deleted: true };
    },
  };
}

export type SmsService = ReturnType<typeof createSmsService>;
