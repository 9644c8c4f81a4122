import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { addDays, addMonths } from '../calendar.ts';
import { accountTime, type Actor } from '../shared/index.ts';
import {
  answerFigures,
  behaviourVersions,
  keptBehaviours,
  paymentFigures,
  raiseBehaviourVersions,
  replaceLateness,
  setKeptVersions,
  upsertBehaviours,
} from './behaviour.repository.ts';
import { BEHAVIOUR_EVENTS } from './behaviour.rules.ts';
import type { CustomerBehaviour } from './behaviour.schemas.ts';

const ratio = (part: number, whole: number, decimals: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10 ** decimals) / 10 ** decimals;

/** One customer's figures from its rows of `answerFigures` and `paymentFigures`. */
function behaviourOf(
  row: Awaited<ReturnType<typeof answerFigures>>[number],
  perCurrency: Awaited<ReturnType<typeof paymentFigures>>,
  window: { today: string; from: string },
): CustomerBehaviour {
  const { today, from } = window;
  const currencies = perCurrency
    .filter((r) => r.customer_id === row.customer_id)
    .map((r) => {
      const paidAmount = Number(r.paid_amount);
      return {
        currency: r.currency,
        paid_invoices: Number(r.paid),
        paid_late_invoices: Number(r.paid_late),
        paid_amount: paidAmount,
        average_days_late:
          paidAmount === 0 ? null : Math.round((Number(r.weighted_days ?? 0) / paidAmount) * 100) / 100,
        overdue_amount: Number(r.overdue_amount),
        overdue_invoices: Number(r.overdue_invoices),
      };
    });
  const paid = currencies.reduce((n, c) => n + c.paid_invoices, 0);
  const late = currencies.reduce((n, c) => n + c.paid_late_invoices, 0);
  const reminders = perCurrency
    .filter((r) => r.customer_id === row.customer_id)
    .reduce((n, r) => n + Number(r.reminders), 0);
  return {
    object: 'customer_behaviour',
    customer_id: row.customer_id,
    as_of: today,
    window_from: from,
    paid_invoices: paid,
    paid_late_invoices: late,
    share_paid_late: ratio(late, paid, 4),
    reminders_on_paid_invoices: reminders,
    reminders_per_paid_invoice: ratio(reminders, paid, 2),
    promises_made: Number(row.promises_made),
    promises_broken: Number(row.promises_broken),
    payment_plans_breached: Number(row.plans_breached),
    firm_reminders: Number(row.firm),
    unanswered_reminders: Number(row.unanswered),
    last_payment_on: row.last_payment_on,
    currencies,
  };
}

/**
 * Keeps computed figures (`customer_behaviours`), the version they are at on the customer
 * (`behaviour_kept_version`: a customer whose figures are behind is in a partial index) and the
 * average lateness per currency the forecast reads (`customer_lateness`, unrounded). The
 * figures' rows are written first, in customer order: they lock the customers' rows of the
 * three tables against a concurrent keeper.
 */
async function keepIn(
  trx: Db,
  actor: Actor,
  behaviours: ReadonlyMap<string, CustomerBehaviour>,
  versions: ReadonlyMap<string, number>,
  now: Date,
  perCurrency: readonly { customer_id: string; currency: string; lateness: string | null }[],
): Promise<void> {
  const account = actor.accountId;
  const ids = [...behaviours.keys()].sort();
  if (ids.length === 0) return;
  await upsertBehaviours(
    trx,
    ids.map((id) => ({
      account_id: account,
      customer_id: id,
      version: versions.get(id) ?? 0,
      as_of: (behaviours.get(id) as CustomerBehaviour).as_of,
      figures: JSON.stringify(behaviours.get(id)),
      computed_at: now,
    })),
  );
  await setKeptVersions(
    trx,
    account,
    ids,
    ids.map((id) => versions.get(id) ?? 0),
  );
  const lateness = perCurrency
    .filter((r) => r.lateness !== null && behaviours.has(r.customer_id))
    .map((r) => ({
      account_id: account,
      customer_id: r.customer_id,
      currency: r.currency,
      average_days_late: r.lateness as string,
    }));
  await replaceLateness(trx, account, ids, lateness);
}

/**
 * Payment behaviour of customers, kept per customer (`customer_behaviours`) and brought up to
 * date as events happen:
 * - the workers raise a customer's `behaviour_version` when they take an event that concerns it
 *   from the outbox (`noteEventsIn`, in the same transaction that marks the events taken), and
 *   make its risk due for assessment at once; the assessment computes the figures and keeps them;
 * - a read uses the kept figures while they are for today, at the customer's current version,
 *   and no event of the account that could change them is still waiting in the outbox; otherwise
 *   it computes them (and keeps them), so what is read is always exact.
 * Computing starts from `invoices (account_id, customer_id)` and reaches payments, reminders,
 * events, plans and disputes through their per-invoice (or per-customer) indexes, so its cost
 * grows with the customers' own history, never with the account's.
 */
export function createBehaviourService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);

  /**
   * Computes the figures of these customers now and keeps them, in one transaction. The versions
   * are read first: an event taken from the outbox after that raises the version past the one kept,
   * so figures computed before it are never taken for current.
   */
  async function compute(actor: Actor, customerIds: readonly string[]): Promise<Map<string, CustomerBehaviour>> {
    const result = new Map<string, CustomerBehaviour>();
    if (customerIds.length === 0) return result;
    const { today, now } = await timeFor(actor);
    const from = addDays(addMonths(today, -12), 1);
    const account = actor.accountId;
    const tz = actor.timeZone;
    const ids = [...new Set(customerIds)];
    return database.withAccount(account, async (trx) => {
      const versions = new Map(
        (await behaviourVersions(trx, account, ids)).map((row) => [row.id, Number(row.behaviour_version)]),
      );
      if (versions.size === 0) return result;
      const perCurrency = await paymentFigures(trx, { account, ids, from, today });
      const perCustomer = await answerFigures(trx, { account, ids, from, today, tz });

      for (const row of perCustomer) {
        result.set(row.customer_id, behaviourOf(row, perCurrency, { today, from }));
      }
      await keepIn(trx, actor, result, versions, now, perCurrency);
      return result;
    });
  }

  /**
   * The kept figures of these customers that are still exact: for today, at the customer's
   * current version, and with no event of the account that could change them still waiting in
   * the outbox (taking it would raise a version).
   */
  async function kept(actor: Actor, ids: readonly string[], today: string): Promise<Map<string, CustomerBehaviour>> {
    const account = actor.accountId;
    const rows = await database.withAccount(account, (trx) => keptBehaviours(trx, account, ids, today));
    return new Map(rows.map((row) => [row.customer_id, row.figures]));
  }

  /** Kept figures where they are exact, computed (and kept) for the others. */
  async function many(actor: Actor, customerIds: readonly string[]): Promise<Map<string, CustomerBehaviour>> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return new Map();
    const { today } = await timeFor(actor);
    const found = await kept(actor, ids, today);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) for (const [id, behaviour] of await compute(actor, missing)) found.set(id, behaviour);
    return found;
  }

  return {
    /** The payment behaviour of one customer; another account's customer is `customer/not_found`. */
    async get(actor: Actor, customerId: string): Promise<CustomerBehaviour> {
      const behaviour = (await many(actor, [customerId])).get(customerId);
      if (!behaviour) throw notFound('customer', customerId);
      return behaviour;
    },

    /** The payment behaviour of several customers (GraphQL lists batch through it): kept, or computed. */
    many,

    /** Computes the figures of these customers now and keeps them (the risk assessment). */
    refresh: compute,

    /**
     * Events just taken from the outbox (in the transaction that takes them): raises the version
     * of each customer one of them concerns and makes its risk due for assessment at once, so
     * the workers' next assessment pass computes and keeps its figures. One statement; the rows
     * are locked in customer order.
     */
    async noteEventsIn(trx: Db, events: readonly { account_id: string; id: string; type: string }[]): Promise<number> {
      const relevant = events.filter((e) => (BEHAVIOUR_EVENTS as readonly string[]).includes(e.type));
      if (relevant.length === 0) return 0;
      return raiseBehaviourVersions(trx, relevant);
    },
  };
}
export type BehaviourService = ReturnType<typeof createBehaviourService>;
