import type { Clock } from '../../clock.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { constraintOf, isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import {
  assertLawfulCustomer,
  findCustomer,
  insertCustomerOnce,
  presentCustomer,
  withNormalizedVat,
} from '../customers/index.ts';
import { recordEvent } from '../outbox/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  type Page,
  type ReplanInvoices,
  refuseB2bTermsForConsumer,
  toPage,
} from '../shared/index.ts';
import { dueDateFor, findPaymentTerms, ruleOf } from '../payment-terms/index.ts';
import {
  accountDefaultCurrency,
  defaultTermsOf,
  findInvoice,
  findInvoiceByExternalId,
  insertInvoiceInOneStatement,
  insertInvoiceOnce,
  listInvoices,
  type NewInvoiceValues,
  presentInvoice,
  type InvoiceRow,
  setInvoiceStatus,
  updateInvoice,
} from './invoice.repository.ts';
import {
  type Amounts,
  assertDueNotBeforeIssue,
  computeAmounts,
  type InvoiceAction,
  nextStatus,
} from './invoice.rules.ts';
import { type Invoice, InvoiceCreate, InvoiceListQuery, InvoiceUpdate } from './invoice.schemas.ts';

type References = { payment_terms_id?: string | null; reminder_policy_id?: string | null };

function translate(
  error: unknown,
  input: References & { number?: string; customer_id?: string; customer?: References },
): unknown {
  if (isUniqueViolation(error, 'invoices_number_key')) {
    return new AppError(
      'invoice/number_taken',
      409,
      `An invoice numbered '${input.number}' already exists in this account.`,
      {
        errors: [{ field: '/number', message: 'is already used by another invoice' }],
      },
    );
  }
  if (isUniqueViolation(error, 'invoices_external_id_key')) {
    return new AppError('invoice/external_id_taken', 409, 'Another invoice already has this external_id.');
  }
  if (isForeignKeyViolation(error)) {
    const constraint = constraintOf(error) ?? '';
    // On the customers table, it is a reference of the inline `customer` that does not exist.
    const given = constraint.startsWith('customers_') ? (input.customer ?? {}) : input;
    if (constraint.includes('payment_terms')) return notFound('payment_terms', String(given.payment_terms_id));
    if (constraint.includes('reminder_policy')) return notFound('reminder_policy', String(given.reminder_policy_id));
    if (constraint.includes('customer')) return notFound('customer', String(input.customer_id));
  }
  return error;
}

/**
 * The due date of an invoice without an explicit one: from its own payment terms, else its
 * customer's, else the account's default terms.
 */
/** Terms given for this invoice must not put business-only late fees on a consumer (422). */
async function refuseB2bTermsOfInvoice(trx: Db, customerId: string, termsId: string): Promise<void> {
  const customer = await findCustomer(trx, customerId);
  if (customer?.kind !== 'consumer') return;
  const terms = await findPaymentTerms(trx, termsId);
  refuseB2bTermsForConsumer(customer.kind, terms.late_fee_kind, '/payment_terms_id');
}

async function dueDateFromTerms(
  trx: Db,
  accountId: string,
  customerId: string,
  explicitTermsId: string | null | undefined,
  issueDate: string,
): Promise<{ dueDate: string; termsId: string }> {
  let termsId = explicitTermsId ?? null;
  if (!termsId) {
    const found = await defaultTermsOf(trx, accountId, customerId);
    termsId = found?.customer_terms ?? found?.account_terms ?? null;
  }
  if (!termsId) {
    throw new AppError(
      'invoice/due_date_required',
      422,
      'Give a due_date or payment terms: this account has no default terms.',
      {
        errors: [{ field: '/due_date', message: 'is required without payment terms' }],
      },
    );
  }
  const terms = await findPaymentTerms(trx, termsId);
  return { dueDate: dueDateFor(ruleOf(terms), issueDate), termsId };
}

/** The columns of a new invoice: what was given, and its customer, due date, terms and currency as resolved. */
function newInvoiceValues(
  accountId: string,
  data: InvoiceCreate,
  amounts: Amounts,
  at: { issueDate: string; now: Date },
  parts: { customerId: string; dueDate: string; termsId: string | null; currency: string },
): NewInvoiceValues {
  return {
    account_id: accountId,
    id: newId('invoice'),
    number: data.number,
    external_id: data.external_id ?? null,
    customer_id: parts.customerId,
    status: data.status ?? 'open',
    currency: parts.currency,
    subtotal: amounts.subtotal,
    tax: amounts.tax,
    total: amounts.total,
    issue_date: at.issueDate,
    due_date: parts.dueDate,
    payment_terms_id: parts.termsId,
    reminder_policy_id: data.reminder_policy_id ?? null,
    payment_url: data.payment_url ?? null,
    pdf_url: data.pdf_url ?? null,
    memo: data.memo ?? null,
    metadata: data.metadata ?? {},
    line_items: amounts.line_items,
    finalized_at: (data.status ?? 'open') === 'open' ? at.now : null,
    created_at: at.now,
    updated_at: at.now,
  };
}

/**
 * Registers an invoice in the account's transaction (the general path): its inline customer if
 * given, its due date from terms if none was given, the account's currency if it names none.
 * An external_id already registered returns that invoice, `created: false`.
 */
async function registerInvoice(
  trx: Db,
  accountId: string,
  data: InvoiceCreate,
  amounts: Amounts,
  at: { issueDate: string; today: string; now: Date },
): Promise<{ invoice: Invoice; created: boolean }> {
  if (data.external_id) {
    // Checked first so a repeated registration creates nothing, not even its inline customer.
    const registered = await findInvoiceByExternalId(trx, data.external_id);
    if (registered) return { invoice: presentInvoice(registered, at.today), created: false };
  }
  let customerId = data.customer_id;
  if (data.customer) {
    const { metadata, ...fields } = withNormalizedVat(data.customer);
    const { row, created } = await insertCustomerOnce(trx, {
      ...fields,
      account_id: accountId,
      id: newId('customer'),
      metadata: JSON.stringify(metadata ?? {}),
      created_at: at.now,
      updated_at: at.now,
    });
    if (created) {
      await assertLawfulCustomer(trx, row, '/customer');
      await recordEvent(trx, {
        accountId,
        type: 'customer.created',
        objectType: 'customer',
        objectId: row.id,
        data: presentCustomer(row),
        at: at.now,
      });
    }
    customerId = row.id;
  }
  if (!customerId) throw new Error('unreachable: customer resolved above');
  let termsId = data.payment_terms_id ?? null;
  if (termsId) await refuseB2bTermsOfInvoice(trx, customerId, termsId);
  let dueDate = data.due_date;
  if (!dueDate) ({ dueDate, termsId } = await dueDateFromTerms(trx, accountId, customerId, termsId, at.issueDate));
  let currency = data.currency;
  if (!currency) currency = await accountDefaultCurrency(trx);
  const values = newInvoiceValues(accountId, data, amounts, at, { customerId, dueDate, termsId, currency });
  const row = await insertInvoiceOnce(
    trx,
    { ...values, metadata: JSON.stringify(values.metadata), line_items: JSON.stringify(values.line_items) },
    (r) => presentInvoice(r, at.today),
  );
  if (row) return { invoice: presentInvoice(row, at.today), created: true };
  const existing = await findInvoiceByExternalId(trx, String(data.external_id));
  if (!existing) throw new Error('unreachable: the external_id that blocked the insert is registered');
  return { invoice: presentInvoice(existing, at.today), created: false };
}

/**
 * What closing an invoice asks of the payment plans module (ending its active plan), handed in by
 * `services.ts` so that invoices, which plans build on, need not import them.
 */
export type CancelPlanOfClosedInvoice = (
  trx: Db,
  ctx: { accountId: string; timeZone: string; now: Date; today: string },
  invoice: { active_payment_plan_id: string | null; status: string },
) => Promise<void>;

export function createInvoiceService(deps: {
  database: Database;
  clock: Clock;
  replan: ReplanInvoices;
  cancelPlanOfClosedInvoice: CancelPlanOfClosedInvoice;
  /** The one-statement insert when everything is given (default); false: always the general path. */
  fastPaths?: boolean;
}) {
  const { database, clock, replan, cancelPlanOfClosedInvoice } = deps;
  const fastPaths = deps.fastPaths ?? true;
  const timeFor = accountTime(database, clock);

  async function transition(actor: Actor, id: string, action: Exclude<InvoiceAction, 'update'>): Promise<Invoice> {
    assertWriteAccess(actor);
    const { now, today } = await timeFor(actor);
    const stamp = {
      finalize: 'finalized_at',
      void: 'voided_at',
      mark_uncollectible: 'marked_uncollectible_at',
    } as const;
    const eventType = {
      finalize: 'invoice.finalized',
      void: 'invoice.voided',
      mark_uncollectible: 'invoice.marked_uncollectible',
    } as const;
    return database.withAccount(actor.accountId, async (trx) => {
      const current = await findInvoice(trx, id, { forUpdate: true });
      if (!current) throw notFound('invoice', id);
      const status = nextStatus(current.status as Invoice['status'], action);
      const row = await setInvoiceStatus(trx, id, { status, stampColumn: stamp[action], now });
      const invoice = presentInvoice(row, today);
      await recordEvent(trx, {
        accountId: actor.accountId,
        type: eventType[action],
        objectType: 'invoice',
        objectId: id,
        data: invoice,
        at: now,
      });
      // A voided or written-off invoice ends its payment plan.
      await cancelPlanOfClosedInvoice(trx, { accountId: actor.accountId, timeZone: actor.timeZone, now, today }, row);
      // Opening plans the follow-up; closing skips what was still to come.
      await replan(trx, { accountId: actor.accountId, invoiceIds: [id], timeZone: actor.timeZone, now });
      return invoice;
    });
  }

  return {
    /**
     * Registers an invoice (open by default). An invoice whose external_id is already registered
     * is returned as it is, with `created: false`: the same order never makes two invoices.
     */
    async create(actor: Actor, input: InvoiceCreate): Promise<{ invoice: Invoice; created: boolean }> {
      assertWriteAccess(actor);
      const data = parseInput<InvoiceCreate>(InvoiceCreate, input);
      if ((data.customer_id === undefined) === (data.customer === undefined)) {
        throw validationFailed([{ field: '/customer_id', message: 'give exactly one of customer_id or customer' }]);
      }
      const amounts = computeAmounts(data);
      const { now, today } = await timeFor(actor);
      const issueDate = data.issue_date ?? today;
      if (data.due_date) assertDueNotBeforeIssue(issueDate, data.due_date);
      const at = { issueDate, now };
      try {
        // Everything given (the usual integration): one statement, one round trip.
        // (Terms given explicitly take the general path: they are checked against the customer's kind.)
        if (fastPaths && data.customer_id && data.due_date && data.currency && !data.payment_terms_id) {
          const values = newInvoiceValues(actor.accountId, data, amounts, at, {
            customerId: data.customer_id,
            dueDate: data.due_date,
            termsId: data.payment_terms_id ?? null,
            currency: data.currency,
          });
          const row = await insertInvoiceInOneStatement(database, values, { id: newId('event'), today });
          if (row) return { invoice: presentInvoice(row, today), created: true };
          // The external_id is already registered: the general path below returns that invoice.
        }
        return await database.withAccount(actor.accountId, (trx) =>
          registerInvoice(trx, actor.accountId, data, amounts, { ...at, today }),
        );
      } catch (error) {
        throw translate(error, data);
      }
    },

    async get(actor: Actor, id: string): Promise<Invoice> {
      const { today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findInvoice(trx, id);
        if (!row) throw notFound('invoice', id);
        return presentInvoice(row, today);
      });
    },

    async list(actor: Actor, input: InvoiceListQuery): Promise<Page<Invoice>> {
      const query = parseInput<InvoiceListQuery>(InvoiceListQuery, input);
      const { today: day } = await timeFor(actor);
      // One statement, one round trip: a page read needs no transaction of its own.
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        listInvoices(db, actor.accountId, query, day, accountSet),
      );
      return toPage(
        rows.map((row) => presentInvoice(row, day)),
        query.limit ?? 20,
      );
    },

    /** Edits a draft; amounts and the due date are recomputed from what changed. */
    async update(actor: Actor, id: string, patch: InvoiceUpdate): Promise<Invoice> {
      assertWriteAccess(actor);
      const data = parseInput<InvoiceUpdate>(InvoiceUpdate, patch);
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const current = await findInvoice(trx, id, { forUpdate: true });
          if (!current) throw notFound('invoice', id);
          nextStatus(current.status as Invoice['status'], 'update');
          const amountsChanged = ['subtotal', 'tax', 'total', 'line_items'].some((k) => k in data);
          const amounts = amountsChanged
            ? computeAmounts({
                subtotal: data.subtotal ?? (data.line_items ? undefined : current.subtotal),
                tax: data.tax ?? current.tax,
                total: data.total,
                line_items: data.line_items ?? (current.line_items as InvoiceRow['line_items'] as never),
              })
            : undefined;
          const issueDate = data.issue_date ?? current.issue_date;
          const customerId = data.customer_id ?? current.customer_id;
          let dueDate = data.due_date ?? current.due_date;
          let termsId = data.payment_terms_id === undefined ? current.payment_terms_id : data.payment_terms_id;
          // A due date computed from terms follows the terms; one given explicitly (no terms) stays.
          const termsChanged = data.payment_terms_id !== undefined && data.payment_terms_id !== null;
          const followsTerms =
            current.payment_terms_id !== null && (data.issue_date !== undefined || data.customer_id !== undefined);
          if (data.payment_terms_id === null && !data.due_date) termsId = null;
          if (!data.due_date && (termsChanged || followsTerms)) {
            ({ dueDate, termsId } = await dueDateFromTerms(trx, actor.accountId, customerId, termsId, issueDate));
          }
          assertDueNotBeforeIssue(issueDate, dueDate);
          if (termsId && data.payment_terms_id) await refuseB2bTermsOfInvoice(trx, customerId, termsId);
          const { line_items: _lines, metadata, ...scalars } = data;
          const row = await updateInvoice(trx, id, {
            scalars,
            amounts,
            metadata,
            newCustomerId: data.customer_id,
            issue_date: issueDate,
            due_date: dueDate,
            payment_terms_id: termsId,
            now,
          });
          const invoice = presentInvoice(row, today);
          await recordEvent(trx, {
            accountId: actor.accountId,
            type: 'invoice.updated',
            objectType: 'invoice',
            objectId: id,
            data: invoice,
            at: now,
          });
          return invoice;
        });
      } catch (error) {
        throw translate(error, data);
      }
    },

    /** draft → open: the follow-up starts. */
    finalize: (actor: Actor, id: string) => transition(actor, id, 'finalize'),
    /** draft or open → void: never owed, never chased again. */
    void: (actor: Actor, id: string) => transition(actor, id, 'void'),
    /** open or partially paid → uncollectible: written off, no longer chased. */
    markUncollectible: (actor: Actor, id: string) => transition(actor, id, 'mark_uncollectible'),
  };
}

export type InvoiceService = ReturnType<typeof createInvoiceService>;
