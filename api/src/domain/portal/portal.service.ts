import type { Clock } from '../../clock.ts';
import { parseInput } from '../../validation.ts';
import { claimPaymentIn, type PaymentClaim, PaymentClaimCreate } from '../claims/index.ts';
import { findInvoice } from '../invoices/index.ts';
import { MAX_AMOUNT_MINOR, parseDecimalAmount } from '../money.ts';
import { agreePlanIn, MAX_INSTALLMENTS, type PaymentPlan, planRefusal, splitMonthly } from '../payment-plans/index.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { SecretBox } from '../../secrets.ts';
import type { Database, Db } from '../../store/database.ts';
import { type FeeParts, feePartsOfMany } from '../documents/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { openPlanRequestOf, openTaskIn } from '../tasks/index.ts';
import { addDays } from '../calendar.ts';
import { accountTime, type Actor, assertWriteAccess, type ReplanInvoices } from '../shared/index.ts';
import {
  allLiveSealedTokens,
  customerBook,
  customerExists,
  customerInvoice,
  customerStanding,
  daysAfterPaidOf,
  findLinkByHash,
  findLiveLink,
  insertLink,
  isCustomersInvoice,
  noteView,
  pageCreditor,
  pageCustomer,
  portalEnabledOf,
  portalPlanRules,
  promiseMaxDaysOf,
  resealToken,
  revokeLiveLink,
} from './portal.repository.ts';
import {
  hashPortalToken,
  newPortalToken,
  planBeyondRules,
  PORTAL_TOKEN,
  portalLinkExpiry,
  portalPath,
  typedAmount,
} from './portal.rules.ts';
import type { PortalLink, PortalLinkRevoked } from './portal.schemas.ts';

export interface PortalConfig {
  /** Seals the tokens at rest (RELANCE_SECRETS_KEY); without a key they are kept as `plain.<token>`. */
  secrets: SecretBox;
  /** The service's public base URL: links are `<publicUrl>/p/<token>`. */
  publicUrl: string;
}

const PLAIN = 'plain.';

const sealToken = (secrets: SecretBox, token: string) => (secrets.enabled ? secrets.seal(token) : `${PLAIN}${token}`);

/** The token of a stored link, or null when no configured key opens it any more (rotate the link). */
function openToken(secrets: SecretBox, sealed: string): string | null {
  if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length);
  try {
    return secrets.open(sealed);
  } catch {
    return null;
  }
}

async function createLink(trx: Db, config: PortalConfig, accountId: string, customerId: string, now: Date) {
  const token = newPortalToken();
  const id = newId('portalLink');
  const inserted = await insertLink(trx, {
    account_id: accountId,
    id,
    customer_id: customerId,
    token_hash: hashPortalToken(token),
    token_sealed: sealToken(config.secrets, token),
    created_at: now,
  });
  return inserted ? { id, token, created_at: now } : null;
}

/**
 * The URL of a customer's page for a message written in this transaction, creating the link on
 * first use; null when the account switched the page off or the stored token cannot be opened.
 */
export async function portalUrlIn(
  trx: Db,
  config: PortalConfig,
  args: { accountId: string; customerId: string; now: Date },
): Promise<string | null> {
  if (!(await portalEnabledOf(trx, args.accountId))) return null;
  const live = await findLiveLink(trx, args.accountId, args.customerId);
  if (live) {
    const token = openToken(config.secrets, live.token_sealed);
    return token === null ? null : `${config.publicUrl}${portalPath(token)}`;
  }
  const created = await createLink(trx, config, args.accountId, args.customerId, args.now);
  if (created) return `${config.publicUrl}${portalPath(created.token)}`;
  // Another transaction created it meanwhile: its link.
  const raced = await findLiveLink(trx, args.accountId, args.customerId);
  const token = raced && openToken(config.secrets, raced.token_sealed);
  return token ? `${config.publicUrl}${portalPath(token)}` : null;
}

/** A visitor's token, resolved: whose page it opens, as a read-only actor of that account. */
export interface PortalVisit {
  actor: Actor;
  customerId: string;
  linkId: string;
  now: Date;
  today: string;
  /** Changes whenever the overview may change (a day passes, an invoice, the account or the customer changes): a cache key. */
  version: string;
  lastViewedAt: Date | null;
}

export type PortalInvoice = Awaited<ReturnType<typeof customerBook>>['open'][number];

/** The creditor as the page shows it. */
export interface PortalCreditor {
  name: string;
  legal_name: string | null;
  locale: string;
  brand_colour: string | null;
  logo_url: string | null;
  checkout_url_template: string | null;
  payment_instructions: string | null;
  contact_phone: string | null;
  contact_email: string | null;
}

export interface PortalCustomer {
  id: string;
  name: string;
  locale: string | null;
  external_id: string | null;
}

export interface PortalOverview {
  account: PortalCreditor;
  customer: PortalCustomer;
  open: PortalInvoice[];
  paid: Array<Awaited<ReturnType<typeof customerBook>>['paid'][number]>;
  today: string;
}

/** One invoice's page: what is owed on it and where it stands, and what the forms may offer. */
export interface PortalInvoicePage {
  account: PortalCreditor;
  customer: PortalCustomer;
  invoice: NonNullable<Awaited<ReturnType<typeof customerInvoice>>> & { fees: FeeParts | null };
  today: string;
  /** The last day a promise may name. */
  promiseMax: string;
}

/** What came of a plan asked for on the page: agreed at once, or a task for a person. */
export type PlanAnswer = { kind: 'agreed'; plan: PaymentPlan } | { kind: 'requested'; taskId: string };

const formError = (code: string, field: string, message: string, detail: string) =>
  new AppError(code, 422, detail, { errors: [{ field, message }] });

/** The creditor and the customer as the page shows them, and the account's promise horizon. */
async function whoIn(trx: Db, accountId: string, customerId: string) {
  const row = await pageCreditor(trx, accountId);
  const customer: PortalCustomer = await pageCustomer(trx, accountId, customerId);
  const { reply_to, sender_email, portal_promise_max_days, ...rest } = row;
  const account: PortalCreditor = { ...rest, contact_email: reply_to ?? sender_email };
  return { account, customer, promiseDays: portal_promise_max_days };
}

async function requireCustomer(trx: Db, accountId: string, customerId: string) {
  if (!(await customerExists(trx, accountId, customerId))) throw notFound('customer', customerId);
  if (!(await portalEnabledOf(trx, accountId)))
    throw new AppError(
      'portal/disabled',
      409,
      'The customer page is switched off for this account (`portal_enabled`).',
    );
}

/**
 * The debtor's page behind the API: one link per customer (a 256-bit token, looked up by its
 * SHA-256 and kept sealed so that reminders can carry it), rotated and revoked through the API,
 * opening while the customer owes something and for the account's `portal_days_after_paid`
 * after. Everything a visitor sees is read for that customer of that account only.
 */
export function createPortalService(deps: {
  database: Database;
  clock: Clock;
  replan: ReplanInvoices;
  portal: PortalConfig;
}) {
  const { database, clock, replan, portal: config } = deps;
  const timeFor = accountTime(database, clock);

  async function present(
    trx: Db,
    accountId: string,
    customerId: string,
    link: { id: string; token: string; created_at: Date },
  ) {
    const daysAfterPaid = await daysAfterPaidOf(trx, accountId);
    const standing = await customerStanding(trx, accountId, customerId);
    const expires = portalLinkExpiry({
      owes: standing.owes,
      lastInvoiceChange: standing.lastChange,
      daysAfterPaid,
      createdAt: link.created_at,
    });
    const result: PortalLink = {
      object: 'portal_link',
      id: link.id,
      customer_id: customerId,
      url: `${config.publicUrl}${portalPath(link.token)}`,
      expires_at: expires?.toISOString() ?? null,
      created_at: link.created_at.toISOString(),
    };
    return result;
  }

  async function rotateIn(trx: Db, actor: Actor, customerId: string, now: Date, eventType: string | null) {
    const previous = await revokeLiveLink(trx, actor.accountId, customerId, now);
    const created = await createLink(trx, config, actor.accountId, customerId, now);
    if (!created) throw new AppError('portal_link/conflict', 409, 'The link changed meanwhile: try again.');
    if (eventType && previous)
      await recordEvent(trx, {
        accountId: actor.accountId,
        type: eventType,
        objectType: 'customer',
        objectId: customerId,
        data: { customer_id: customerId, link_id: created.id, at: now.toISOString() },
        at: now,
      });
    return created;
  }

  return {
    /** The customer's link, created on first request. */
    async link(actor: Actor, customerId: string): Promise<PortalLink> {
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        await requireCustomer(trx, actor.accountId, customerId);
        const live = await findLiveLink(trx, actor.accountId, customerId);
        if (live) {
          const token = openToken(config.secrets, live.token_sealed);
          if (token === null)
            throw new AppError(
              'portal_link/unreadable',
              409,
              'No configured secrets key opens this link any more (RELANCE_SECRETS_KEY changed without a rotation): rotate it.',
            );
          return present(trx, actor.accountId, customerId, { id: live.id, token, created_at: live.created_at });
        }
        if (actor.readOnly) throw notFound('portal_link', customerId);
        const created = await rotateIn(trx, actor, customerId, now, null);
        return present(trx, actor.accountId, customerId, created);
      });
    },

    /** A new token; the old link stops opening at once (`portal_link.rotated`). */
    async rotate(actor: Actor, customerId: string): Promise<PortalLink> {
      assertWriteAccess(actor);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        await requireCustomer(trx, actor.accountId, customerId);
        const created = await rotateIn(trx, actor, customerId, now, 'portal_link.rotated');
        return present(trx, actor.accountId, customerId, created);
      });
    },

    /** The link stops opening (`portal_link.revoked`); the next reminder or request creates a new one. */
    async revoke(actor: Actor, customerId: string): Promise<PortalLinkRevoked> {
      assertWriteAccess(actor);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        if (!(await customerExists(trx, actor.accountId, customerId))) throw notFound('customer', customerId);
        const revoked = await revokeLiveLink(trx, actor.accountId, customerId, now);
        if (!revoked) throw notFound('portal_link', customerId);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'portal_link.revoked',
          objectType: 'customer',
          objectId: customerId,
          data: { customer_id: customerId, link_id: revoked, at: now.toISOString() },
          at: now,
        });
        return { object: 'portal_link', customer_id: customerId, revoked: true };
      });
    },

    /** Whose page a token opens, or null (malformed, unknown, revoked, switched off or expired: all alike). */
    async resolve(token: string): Promise<PortalVisit | null> {
      if (!PORTAL_TOKEN.test(token)) return null;
      const link = await findLinkByHash(database.pool, hashPortalToken(token));
      if (!link?.portal_enabled) return null;
      const actor: Actor = {
        accountId: link.account_id,
        keyId: null,
        readOnly: true,
        mode: link.mode === 'test' ? 'test' : 'live',
        timeZone: link.time_zone,
      };
      const { now, today } = await timeFor(actor);
      const expires = portalLinkExpiry({
        owes: link.owing > 0,
        lastInvoiceChange: link.last_change,
        daysAfterPaid: link.portal_days_after_paid,
        createdAt: link.created_at,
      });
      if (expires && expires <= now) return null;
      return {
        actor,
        customerId: link.customer_id,
        linkId: link.id,
        now,
        today,
        version: `${today}|${link.version}`,
        lastViewedAt: link.last_viewed_at,
      };
    },

    /**
     * The visitor as a writer, for the answers of its page (promise, dispute, message): the same
     * services as the API, under an actor of the account, after `ownInvoice` checked the invoice.
     */
    writer(visit: PortalVisit): Actor {
      return { ...visit.actor, readOnly: false };
    },

    /** Whether the invoice is one of this customer's (an id from elsewhere is refused as not found). */
    async ownInvoice(visit: PortalVisit, invoiceId: string): Promise<boolean> {
      const { accountId } = visit.actor;
      return database.withAccount(accountId, (trx) => isCustomersInvoice(trx, accountId, visit.customerId, invoiceId));
    },

    /** The last day a promise made from the page may name: today + the account's `portal_promise_max_days`. */
    async promiseHorizon(visit: PortalVisit): Promise<string> {
      const { accountId } = visit.actor;
      const days = await database.withAccount(accountId, (trx) => promiseMaxDaysOf(trx, accountId));
      return addDays(visit.today, days);
    },

    /**
     * A promise made on the page names a day up to the account's `portal_promise_max_days` ahead
     * (the promise service checks the rest: a date, not in the past).
     */
    async checkPromiseDate(visit: PortalVisit, date: string): Promise<void> {
      const horizon = await this.promiseHorizon(visit);
      if (/^\d{4}-\d{2}-\d{2}$/.test(date) && date > horizon)
        throw new AppError('portal/promise_too_far', 422, `A promise made here may name a day up to ${horizon}.`, {
          errors: [{ field: '/date', message: `must be on or before ${horizon}` }],
        });
    },

    /** A message of the customer about an invoice: a task of kind `message` for a person, due today (`task.created`). */
    async message(visit: PortalVisit, invoiceId: string, text: string): Promise<string> {
      const body = text.trim();
      if (body.length === 0 || body.length > 2000)
        throw new AppError('portal/invalid_message', 422, 'A message is 1 to 2000 characters.', {
          errors: [{ field: '/message', message: 'must be 1 to 2000 characters' }],
        });
      const { accountId } = visit.actor;
      return database.withAccount(accountId, async (trx) => {
        const task = await openTaskIn(trx, {
          accountId,
          kind: 'message',
          invoiceId,
          customerId: visit.customerId,
          dueOn: visit.today,
          now: visit.now,
          note: body,
        });
        return task.id;
      });
    },

    /**
     * Re-seals every live link's token under the current RELANCE_SECRETS_KEY (after a rotation,
     * with the old key in RELANCE_SECRETS_KEY_PREVIOUS), and seals those kept in clear before a key
     * was set. Operator-level (`secrets rotate`). A token no configured key opens is left as is
     * (`unreadable`: rotate those links).
     */
    async reseal(): Promise<{ resealed: number; current: number; unreadable: number }> {
      const counts = { resealed: 0, current: 0, unreadable: 0 };
      if (!config.secrets.enabled) return counts;
      await database.withSystem(async (trx) => {
        for (const link of await allLiveSealedTokens(trx)) {
          if (!link.token_sealed.startsWith(PLAIN) && config.secrets.isCurrent(link.token_sealed)) {
            counts.current++;
            continue;
          }
          const token = openToken(config.secrets, link.token_sealed);
          if (token === null) {
            counts.unreadable++;
            continue;
          }
          await resealToken(trx, link.account_id, link.id, config.secrets.seal(token));
          counts.resealed++;
        }
      });
      return counts;
    },

    /** Records a visit (`portal.viewed`, at most once an hour per link). */
    async viewed(visit: PortalVisit): Promise<void> {
      const { accountId } = visit.actor;
      // Seen within the hour (as the link was read): nothing to write.
      if (visit.lastViewedAt && visit.now.getTime() - visit.lastViewedAt.getTime() < 3_600_000) return;
      await database.withAccount(accountId, async (trx) => {
        if (!(await noteView(trx, accountId, visit.linkId, visit.now))) return;
        await recordEvent(trx, {
          accountId,
          type: 'portal.viewed',
          objectType: 'customer',
          objectId: visit.customerId,
          data: { customer_id: visit.customerId, link_id: visit.linkId, at: visit.now.toISOString() },
          at: visit.now,
        });
      });
    },

    /** What the page shows: the creditor, the customer, its open invoices, those paid in 12 months. */
    async overview(visit: PortalVisit): Promise<PortalOverview> {
      const { accountId } = visit.actor;
      return database.withAccount(accountId, async (trx) => {
        const { account, customer } = await whoIn(trx, accountId, visit.customerId);
        const book = await customerBook(trx, accountId, visit.customerId, visit.now);
        return { account, customer, open: book.open, paid: book.paid, today: visit.today };
      });
    },

    /** One invoice of the customer with its fees, plan and standing, or null when it is not one of its. */
    async invoicePage(visit: PortalVisit, invoiceId: string): Promise<PortalInvoicePage | null> {
      const { accountId } = visit.actor;
      return database.withAccount(accountId, async (trx) => {
        const invoice = await customerInvoice(trx, accountId, visit.customerId, invoiceId);
        if (!invoice) return null;
        const { account, customer, promiseDays } = await whoIn(trx, accountId, visit.customerId);
        const fees = invoice.late_fees > 0 ? ((await feePartsOfMany(trx, [invoice])).get(invoice.id) ?? null) : null;
        return {
          account,
          customer,
          invoice: { ...invoice, fees },
          today: visit.today,
          promiseMax: addDays(visit.today, promiseDays),
        };
      });
    },

    /**
     * "I have already paid": a payment claim (as `POST /v1/payment_claims`, source `page`) from
     * the form's date, amount as typed ("1 234,56") and reference.
     */
    async claimPayment(
      visit: PortalVisit,
      invoiceId: string,
      form: { paid_on?: string | undefined; amount?: string | undefined; reference?: string | undefined },
    ): Promise<PaymentClaim> {
      const typed = typedAmount(form.amount ?? '');
      if (typed === null)
        throw formError(
          'portal/invalid_amount',
          '/amount',
          'must be an amount such as 120.50',
          'The amount is not a number such as 120.50.',
        );
      const { accountId } = visit.actor;
      return database.withAccount(accountId, async (trx) => {
        const invoice = await findInvoice(trx, invoiceId);
        if (!invoice) throw notFound('invoice', invoiceId);
        const amount = parseDecimalAmount(typed, invoice.currency);
        const data = parseInput<PaymentClaimCreate>(PaymentClaimCreate, {
          invoice_id: invoiceId,
          paid_on: form.paid_on ?? '',
          amount: amount > 0 && amount <= MAX_AMOUNT_MINOR ? amount : 0,
          ...(form.reference?.trim() ? { reference: form.reference.trim() } : {}),
        });
        return claimPaymentIn(trx, { accountId, now: visit.now, today: visit.today, source: 'page' }, data);
      });
    },

    /**
     * A payment plan asked for on the page: `count` equal monthly installments from
     * `first_due_date`. Within the account's rules (`portal_plan_max_installments`,
     * `portal_plan_max_days`, `portal_plan_min_installment`) it is agreed at once, as
     * `POST /v1/invoices/{id}/payment_plans` would; beyond them a `plan_request` task carries the
     * terms for a person, who approves them by completing it with `approve_plan: true`.
     */
    async requestPlan(
      visit: PortalVisit,
      invoiceId: string,
      form: { count?: string | undefined; first_due_date?: string | undefined },
    ): Promise<PlanAnswer> {
      const count = Number(form.count);
      if (!Number.isInteger(count) || count < 2 || count > MAX_INSTALLMENTS)
        throw formError(
          'portal/invalid_plan',
          '/count',
          `must be 2 to ${MAX_INSTALLMENTS}`,
          `A plan has 2 to ${MAX_INSTALLMENTS} installments.`,
        );
      const first = form.first_due_date ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(first) || Number.isNaN(Date.parse(`${first}T00:00:00Z`)))
        throw formError(
          'portal/invalid_plan',
          '/first_due_date',
          'must be a date',
          'The first installment needs a date.',
        );
      if (first < visit.today)
        throw formError(
          'portal/invalid_plan',
          '/first_due_date',
          `must be today (${visit.today}) or later`,
          'The first installment cannot be in the past.',
        );
      const { accountId } = visit.actor;
      const { now, today } = visit;
      return database.withAccount(accountId, async (trx) => {
        const invoice = await findInvoice(trx, invoiceId, { forUpdate: true });
        if (!invoice) throw notFound('invoice', invoiceId);
        const refused = planRefusal(invoice);
        if (refused) throw refused;
        const rules = await portalPlanRules(trx, accountId);
        const installments = splitMonthly(invoice.balance, count, first);
        const beyond = planBeyondRules(installments, {
          maxInstallments: rules.portal_plan_max_installments,
          lastDay: addDays(today, rules.portal_plan_max_days),
          minInstallment: (rules.portal_plan_min_installment as Record<string, number>)[invoice.currency] ?? 0,
        });
        if (beyond.length === 0) {
          const plan = await agreePlanIn(
            trx,
            { accountId, timeZone: visit.actor.timeZone, now, today, replan },
            invoice,
            { count, first_due_date: first, note: 'Agreed by the customer on its page' },
          );
          return { kind: 'agreed', plan };
        }
        const pending = await openPlanRequestOf(trx, accountId, invoice.id);
        if (pending)
          throw new AppError(
            'portal/plan_already_requested',
            409,
            'A payment plan for this invoice is already waiting for an answer.',
          );
        const task = await openTaskIn(trx, {
          accountId,
          kind: 'plan_request',
          invoiceId: invoice.id,
          customerId: visit.customerId,
          dueOn: today,
          now,
          requestedPlan: { count, first_due_date: first },
          note: `The customer asks for ${count} monthly installments from ${first}, beyond the account's rules: ${beyond.join('; ')}. Approve by completing this task with approve_plan: true, or cancel it.`,
        });
        return { kind: 'requested', taskId: task.id };
      });
    },
  };
}

export type PortalService = ReturnType<typeof createPortalService>;
