import type { Clock } from '../../clock.ts';
import { newId } from '../../ids.ts';
import { buildStatementContext } from '../../mail/context.ts';
import { renderTemplate } from '../../mail/render.ts';
import { STATEMENT_TEMPLATE_KEY } from '../../mail/templates/index.ts';
import { type EmailTransport, TransportError } from '../../mail/transport.ts';
import type { Database, Db } from '../../store/database.ts';
import {
  type AccountRow,
  accountsWithMonthlyStatements,
  findAccount,
  markMonthlyStatementsDone,
  presentAccount,
} from '../accounts/index.ts';
import { todayIn } from '../calendar.ts';
import { customersByIds, findCustomer, presentCustomer } from '../customers/index.ts';
import { documentContent, documentFilename, type StatementRenderer, storeStatement } from '../documents/index.ts';
import { holidayCalendar } from '../holidays.ts';
import {
  findMessage,
  insertPendingMessage,
  isSuppressed,
  markMessageFailed,
  markMessageSent,
  outgoingEmailOf,
} from '../messages/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { DEFAULT_POLICY, mayMessageAt, type PolicyPlan, planOf } from '../reminders/index.ts';
import { resolveTemplate } from '../templates/index.ts';
import { previousMonth, nextMonth, statementMoment, statementPeriod } from './statement-mailing.rules.ts';
import {
  defaultPolicyOf,
  deferMailing,
  insertMailingOnce,
  inScope,
  lockMailing,
  type MailingRow,
  presentMailing,
  setMailingMessage,
  settleMailingRow,
  type StatementScope,
  statementCandidates,
  takeOverMailings,
} from './statement-mailing.repository.ts';

/** Customers taken per account and pass; the next pass (a minute later) goes on. */
const BATCH = 100;
/** How long a claimed statement is left to its worker before another may take it over. */
const LEASE_MS = 5 * 60_000;

/** The account's timing: its default policy's send time and days off (the seed policy's when it has none). */
async function timingOf(trx: Db, account: AccountRow) {
  const policy = account.default_reminder_policy_id
    ? await defaultPolicyOf(trx, account.id, account.default_reminder_policy_id)
    : undefined;
  const plan: PolicyPlan = policy ? planOf(policy) : { ...DEFAULT_POLICY, repeat: null, steps: [] };
  const address = account.billing_address as { country?: string; region?: string } | null;
  const holidays = plan.skip_holidays ? holidayCalendar(address?.country, address?.region) : null;
  return { plan, holidays };
}

/** The months whose statements are due now and not all sent: last month's (sent late) and this one's. */
function dueMonths(account: AccountRow, plan: PolicyPlan, holidays: ReturnType<typeof holidayCalendar>, now: Date) {
  const since = account.monthly_statements_since;
  if (!since || !mayMessageAt(now, account.time_zone, plan, holidays)) return [];
  const month = todayIn(now, account.time_zone).slice(0, 7);
  return [previousMonth(month), month].filter((m) => {
    if (account.monthly_statements_done !== null && account.monthly_statements_done >= m) return false;
    const at = statementMoment(m, account.statement_day, account.time_zone, plan, holidays);
    return at <= now && at >= since;
  });
}

/**
 * The monthly statement (docs/reports.md#statements-by-email): once a month, at the account's
 * default policy's send time on its `statement_day` (moved past weekends and holidays that policy
 * skips, never at night), every customer with an open balance gets its statement of account by
 * email, the PDF attached, through the same transport and message ledger as reminders.
 *
 * Effectively once per customer and month: a row (customer, month) is the arbiter, claimed in a
 * transaction before anything is made; the statement is made and the provider called with no
 * transaction open, under the row's id as idempotency key; the outcome is settled after. A crash
 * or a provider's "not now" leaves the row `sending` with a lease: whoever takes it over after
 * the lease goes on from where it stopped (the same stored message and PDF, the same key).
 */
export function createStatementMailer(deps: {
  database: Database;
  clock: Clock;
  renderStatement: StatementRenderer;
  /** The account's email transport: its own Resend key, else the service's. */
  transportFor: (accountId: string) => Promise<EmailTransport>;
  /** The customer page's URL for a message (null: none), created on first use. */
  portalUrl?: (trx: Db, args: { accountId: string; customerId: string; now: Date }) => Promise<string | null>;
}) {
  const { database } = deps;

  /** Claims a statement of `month` for each of these customers that has none (the unique row decides). */
  async function claim(account: AccountRow, month: string, customerIds: string[], now: Date): Promise<MailingRow[]> {
    const period = statementPeriod(month, account.statement_day);
    return database.withAccount(account.id, async (trx) => {
      const claimed: MailingRow[] = [];
      const customers = await customersByIds(trx, customerIds);
      for (const customer of customers) {
        const recipients = customer.email ? await isSuppressed(trx, [customer.email]) : [];
        const reason = !customer.email ? 'no_recipient' : recipients.length > 0 ? 'suppressed' : null;
        const row = await insertMailingOnce(trx, {
          account_id: account.id,
          id: newId('statementMailing'),
          customer_id: customer.id,
          month,
          period_from: period.from,
          period_to: period.to,
          status: reason ? 'skipped' : 'sending',
          reason,
          claimed_until: reason ? null : new Date(now.getTime() + LEASE_MS),
          created_at: now,
          updated_at: now,
        });
        if (row?.status === 'sending') claimed.push(row);
      }
      return claimed;
    });
  }

  /** Statements left `sending` past their lease (a crash, a provider's "not now"): taken over, one owner at a time. */
  async function takeOver(accountId: string, now: Date): Promise<MailingRow[]> {
    return database.withAccount(accountId, (trx) =>
      takeOverMailings(trx, accountId, now, new Date(now.getTime() + LEASE_MS), BATCH),
    );
  }

  /** Makes the statement (no transaction open), then stores it with its email, `pending`. Returns the message id, or null when it could not be made. */
  async function compose(account: AccountRow, mailing: MailingRow, now: Date, transport: EmailTransport) {
    let made: Awaited<ReturnType<StatementRenderer>> | null = null;
    let problem = '';
    try {
      made = await deps.renderStatement({
        accountId: account.id,
        customerId: mailing.customer_id,
        from: mailing.period_from,
        to: mailing.period_to,
      });
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    return database.withAccount(account.id, async (trx) => {
      if (!made) {
        await settleMailing(trx, mailing, 'failed', `the statement could not be made (${problem})`, now);
        return null;
      }
      const customer = await findCustomer(trx, mailing.customer_id);
      if (!customer) throw new Error(`customer ${mailing.customer_id} of statement ${mailing.id} not found`);
      const locale = made.locale === 'fr' ? 'fr' : 'en';
      const context = buildStatementContext({
        account: presentAccount(account),
        customer: presentCustomer(customer),
        today: todayIn(now, account.time_zone),
        statement: { from: mailing.period_from, to: mailing.period_to, balances: made.balances },
        portalUrl: deps.portalUrl
          ? await deps.portalUrl(trx, { accountId: account.id, customerId: customer.id, now })
          : null,
        locale,
      });
      let rendered: ReturnType<typeof renderTemplate>;
      try {
        rendered = renderTemplate(await resolveTemplate(trx, STATEMENT_TEMPLATE_KEY, locale), context);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        await settleMailing(trx, mailing, 'failed', `the statement email could not be written (${reason})`, now);
        return null;
      }
      const document = await storeStatement(trx, {
        accountId: account.id,
        customerId: customer.id,
        invoiceId: null,
        occurrenceId: null,
        locale,
        filename: made.filename,
        content: made.content,
        now,
      });
      const suppressedCc = new Set((await isSuppressed(trx, customer.cc_emails)).map((e) => e.toLowerCase()));
      const message = await insertPendingMessage(trx, {
        account_id: account.id,
        id: newId('message'),
        occurrence_id: null,
        invoice_id: null,
        customer_id: customer.id,
        transport: transport.name,
        from_address: `${account.sender_name ?? account.name} <${account.sender_email ?? 'reminders@relance.invalid'}>`,
        reply_to: account.reply_to,
        to_addresses: [customer.email ?? ''],
        cc_addresses: customer.cc_emails.filter((e) => !suppressedCc.has(e.toLowerCase())),
        ...rendered,
        template_key: STATEMENT_TEMPLATE_KEY,
        attachment_kind: 'statement',
        attachment_document_id: document.id,
        locale,
        created_at: now,
        updated_at: now,
      });
      await setMailingMessage(trx, account.id, mailing.id, message.id, now);
      return message.id;
    });
  }

  async function settleMailing(
    trx: Db,
    mailing: MailingRow,
    status: 'sent' | 'failed',
    reason: string | null,
    now: Date,
  ) {
    const row = await settleMailingRow(trx, mailing, status, reason, now);
    if (row?.status !== 'sent') return;
    const message = row.message_id ? await findMessage(trx, row.message_id) : undefined;
    await recordEvent(trx, {
      accountId: row.account_id,
      type: 'statement.sent',
      objectType: 'statement_mailing',
      objectId: row.id,
      data: presentMailing(row, message?.attachment_document_id ?? null),
      at: now,
    });
  }

  /** One statement to its end: made and stored if it is not yet, handed to the provider, settled. */
  async function send(account: AccountRow, mailing: MailingRow, now: Date): Promise<boolean> {
    const transport = await deps.transportFor(account.id);
    const messageId = mailing.message_id ?? (await compose(account, mailing, now, transport));
    if (!messageId) return false;
    const stored = await database.withAccount(account.id, async (trx) => {
      const message = await findMessage(trx, messageId);
      const content = message?.attachment_document_id
        ? await documentContent(trx, message.attachment_document_id)
        : null;
      const filename = message?.attachment_document_id
        ? await documentFilename(trx, message.attachment_document_id)
        : undefined;
      return { message, content, filename };
    });
    if (!stored.message) return false;
    const attachments = stored.content
      ? [{ filename: stored.filename ?? 'statement.pdf', contentType: 'application/pdf', content: stored.content }]
      : undefined;
    let outcome:
      | { ok: true; id: string }
      | { ok: false; error: string; retryAfterMs: number | null; retryable: boolean };
    try {
      // No transaction is open: the claim committed, the settle has not begun.
      const sent = await transport.send(
        outgoingEmailOf(stored.message, { statement: mailing.id.replace(/[^\w-]/g, '_') }, attachments),
        mailing.id,
      );
      outcome = { ok: true, id: sent.providerMessageId };
    } catch (error) {
      const retryable = error instanceof TransportError && error.retryable;
      outcome = {
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        retryAfterMs: error instanceof TransportError ? error.retryAfterMs : null,
        retryable,
      };
    }
    await database.withAccount(account.id, async (trx) => {
      const current = await lockMailing(trx, account.id, mailing.id);
      if (current.status !== 'sending') return;
      if (outcome.ok) {
        await markMessageSent(trx, messageId, outcome.id, now);
        await settleMailing(trx, current, 'sent', null, now);
      } else if (outcome.retryable) {
        // "Not now" is never a failure: asked again under the same key once the provider's wait is over.
        await markMessageFailed(trx, messageId, outcome.error, now);
        await deferMailing(trx, account.id, mailing.id, {
          attempts: current.attempts + 1,
          reason: outcome.error,
          until: new Date(now.getTime() + (outcome.retryAfterMs ?? 60_000 * 2 ** Math.min(current.attempts, 6))),
          now,
        });
      } else {
        await markMessageFailed(trx, messageId, outcome.error, now);
        await settleMailing(trx, current, 'failed', outcome.error, now);
      }
    });
    return outcome.ok;
  }

  /** Customers of the account with an open balance and no statement of `month` yet, in id order. */
  async function candidates(accountId: string, month: string): Promise<string[]> {
    return database.withAccount(accountId, (trx) => statementCandidates(trx, accountId, month, BATCH));
  }

  return {
    /**
     * Whether a pass of `run` could hand anything over: an account in scope has monthly
     * statements on (its first read, in the caller's transaction).
     */
    async runDue(trx: Db, scope: StatementScope): Promise<boolean> {
      return (await accountsWithMonthlyStatements(trx, inScope(scope))).length > 0;
    },

    /**
     * One pass over the accounts in scope: statements left on their way are taken up again, then
     * the due month's statements go to the next customers. Returns how many were handed over
     * (sent or not); safe in several processes at once.
     */
    async run(scope: StatementScope): Promise<number> {
      const accounts = await database.withSystem((trx) => accountsWithMonthlyStatements(trx, inScope(scope)));
      const now = scope.now;
      let handled = 0;
      for (const account of accounts) {
        for (const mailing of await takeOver(account.id, now)) {
          await send(account, mailing, now);
          handled++;
        }
        const { plan, holidays } = await database.withAccount(account.id, (trx) => timingOf(trx, account));
        for (const month of dueMonths(account, plan, holidays, now)) {
          const ids = await candidates(account.id, month);
          for (const mailing of await claim(account, month, ids, now)) {
            await send(account, mailing, now);
            handled++;
          }
          // Everyone with a balance has this month's statement (or is on its way): done.
          if (ids.length < BATCH)
            await database.withAccount(account.id, (trx) => markMonthlyStatementsDone(trx, account.id, month));
        }
      }
      return handled;
    },

    /** The next moment after `after` a statement of this account falls due (the test clock stops there), or null. */
    async nextAfter(accountId: string, after: Date): Promise<Date | null> {
      return database.withAccount(accountId, async (trx) => {
        const account = await findAccount(trx, accountId);
        if (!account?.monthly_statements) return null;
        const { plan, holidays } = await timingOf(trx, account);
        let month = todayIn(after, account.time_zone).slice(0, 7);
        for (let i = 0; i < 3; i++, month = nextMonth(month)) {
          const at = statementMoment(month, account.statement_day, account.time_zone, plan, holidays);
          if (at > after) return at;
        }
        return null;
      });
    },
  };
}

export type StatementMailer = ReturnType<typeof createStatementMailer>;
