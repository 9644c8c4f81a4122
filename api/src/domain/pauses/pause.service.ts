import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { activePause, type Customer, findCustomer, presentCustomer, setCustomerPauseRow } from '../customers/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { CHASED_STATUSES, findInvoice, type Invoice, presentInvoice } from '../invoices/index.ts';
import { accountTime, type Actor, assertWriteAccess, type ReplanInvoices } from '../shared/index.ts';
import { chasedInvoiceIdsOf, setInvoicePause, showCustomerPauseOnInvoices } from './pause.repository.ts';
import { assertInvoiceStatus, assertNotPast } from './pause.rules.ts';
import { PauseCreate, PromiseToPay } from './pause.schemas.ts';
import { recordPromise } from './promise.ts';

const PAUSABLE = ['draft', ...CHASED_STATUSES];

/** What a pause needs from its caller, in the caller's transaction. */
export interface PauseContext {
  actor: Actor;
  now: Date;
  today: string;
  replan: ReplanInvoices;
}

async function lockedInvoice(trx: Db, id: string) {
  const row = await findInvoice(trx, id, { forUpdate: true });
  if (!row) throw notFound('invoice', id);
  return row;
}

const resumeInvoicesIn = (trx: Db, ctx: PauseContext, invoiceIds: string[]) =>
  ctx.replan(trx, {
    accountId: ctx.actor.accountId,
    invoiceIds,
    timeZone: ctx.actor.timeZone,
    now: ctx.now,
    resume: true,
  });

/**
 * Pauses an invoice's reminders until a date or until resumed, in the caller's transaction
 * (the API's pause, and reactions such as an e-invoicing suspension). Replaces a pause.
 */
export async function pauseInvoiceIn(
  trx: Db,
  ctx: PauseContext,
  id: string,
  pause: { until: string | null; reason: string | null },
): Promise<Invoice> {
  const { actor, now, today } = ctx;
  const current = await lockedInvoice(trx, id);
  assertInvoiceStatus(current.status, PAUSABLE, 'pause');
  const row = await setInvoicePause(
    trx,
    id,
    { paused: true, paused_until: pause.until, pause_reason: pause.reason },
    now,
  );
  const invoice = presentInvoice(row, today);
  await recordEvent(trx, {
    accountId: actor.accountId,
    type: 'invoice.paused',
    objectType: 'invoice',
    objectId: id,
    data: invoice,
    at: now,
  });
  await resumeInvoicesIn(trx, ctx, [id]);
  return invoice;
}

/** Lifts an invoice's pause in the caller's transaction; held reminders are released. Not paused: nothing changes. */
export async function resumeInvoiceIn(trx: Db, ctx: PauseContext, id: string): Promise<Invoice> {
  const { actor, now, today } = ctx;
  const current = await lockedInvoice(trx, id);
  if (!current.paused) return presentInvoice(current, today);
  const row = await setInvoicePause(trx, id, { paused: false, paused_until: null, pause_reason: null }, now);
  const invoice = presentInvoice(row, today);
  // A pause that ended on its own was already over: lifting it is no news.
  if (activePause(current, today)) {
    await recordEvent(trx, {
      accountId: actor.accountId,
      type: 'invoice.resumed',
      objectType: 'invoice',
      objectId: id,
      data: invoice,
      at: now,
    });
  }
  await resumeInvoicesIn(trx, ctx, [id]);
  return invoice;
}

/**
 * Pauses and promises to pay: they stop reminders for a while without touching the schedule.
 * Every change replans with `resume`, so held and deferred reminders go back to their planned
 * time and the guard decides again, under the new state, when each is due.
 */
export function createPauseService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  const resumeInvoices = (trx: Db, actor: Actor, now: Date, invoiceIds: string[]) =>
    replan(trx, { accountId: actor.accountId, invoiceIds, timeZone: actor.timeZone, now, resume: true });

  /** Sets or lifts a customer's pause; its open invoices are replanned. */
  async function setCustomerPause(
    actor: Actor,
    id: string,
    pause: { until: string | null; reason: string | null } | null,
  ): Promise<Customer> {
    const { now, today } = await timeFor(actor);
    return database.withAccount(actor.accountId, async (trx) => {
      const current = await findCustomer(trx, id);
      if (!current) throw notFound('customer', id);
      const wasPaused = activePause(current, today) !== null;
      const columns = {
        paused: pause !== null,
        paused_until: pause?.until ?? null,
        pause_reason: pause?.reason ?? null,
      };
      const row = await setCustomerPauseRow(trx, id, columns, now);
      const customer = presentCustomer(row, today);
      if (pause || wasPaused) {
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: pause ? 'customer.paused' : 'customer.resumed',
          objectType: 'customer',
          objectId: id,
          data: customer,
          at: now,
        });
      }
      // Every invoice of the customer shows its pause.
      await showCustomerPauseOnInvoices(trx, id, columns);
      const invoices = await chasedInvoiceIdsOf(trx, id);
      await resumeInvoices(
        trx,
        actor,
        now,
        invoices.map((i) => i.id),
      );
      return customer;
    });
  }

  return {
    /**
     * Pauses an invoice's reminders until a date (its last day, today or later) or, without one,
     * until resumed. Pausing a paused invoice replaces its pause.
     */
    async pauseInvoice(actor: Actor, id: string, input: PauseCreate): Promise<Invoice> {
      assertWriteAccess(actor);
      const data = parseInput<PauseCreate>(PauseCreate, input ?? {});
      const { now, today } = await timeFor(actor);
      if (data.until)
        assertNotPast(data.until, today, { code: 'pause/invalid_until', field: '/until', what: 'The end of a pause' });
      return database.withAccount(actor.accountId, (trx) =>
        pauseInvoiceIn(trx, { actor, now, today, replan }, id, {
          until: data.until ?? null,
          reason: data.reason ?? null,
        }),
      );
    },

    /** Lifts an invoice's pause: reminders held by it are released. Resuming an invoice that is not paused changes nothing. */
    async resumeInvoice(actor: Actor, id: string): Promise<Invoice> {
      assertWriteAccess(actor);
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, (trx) => resumeInvoiceIn(trx, { actor, now, today, replan }, id));
    },

    /** Pauses every invoice of a customer (until a date, or until resumed). */
    async pauseCustomer(actor: Actor, id: string, input: PauseCreate): Promise<Customer> {
      assertWriteAccess(actor);
      const data = parseInput<PauseCreate>(PauseCreate, input ?? {});
      const { today } = await timeFor(actor);
      if (data.until)
        assertNotPast(data.until, today, { code: 'pause/invalid_until', field: '/until', what: 'The end of a pause' });
      return setCustomerPause(actor, id, { until: data.until ?? null, reason: data.reason ?? null });
    },

    /** Lifts a customer's pause; the reminders of its open invoices are released. */
    async resumeCustomer(actor: Actor, id: string): Promise<Customer> {
      assertWriteAccess(actor);
      return setCustomerPause(actor, id, null);
    },

    /**
     * Records the date a customer promised to pay an open invoice (today or later), or clears the
     * promise with `date: null`. Reminders wait until two days after that date.
     */
    async setPromise(actor: Actor, id: string, input: PromiseToPay): Promise<Invoice> {
      assertWriteAccess(actor);
      const data = parseInput<PromiseToPay>(PromiseToPay, input);
      const { now, today } = await timeFor(actor);
      if (data.date)
        assertNotPast(data.date, today, {
          code: 'invoice/invalid_promise',
          field: '/date',
          what: 'A promised payment date',
        });
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await lockedInvoice(trx, id);
        if (data.date) assertInvoiceStatus(current.status, CHASED_STATUSES, 'record a promise on');
        const row = await recordPromise(trx, {
          accountId: actor.accountId,
          timeZone: actor.timeZone,
          now,
          replan,
          invoice: current,
          date: data.date,
          note: data.note ?? null,
        });
        return presentInvoice(row, today);
      });
    },
  };
}

export type PauseService = ReturnType<typeof createPauseService>;
