import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { addDays, addMonths } from '../calendar.ts';
import { accountTime, type Actor, CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { CustomerBehaviour } from './behaviour.schemas.ts';

/** A reminder is a firm step when its offset is two weeks or more, or its template is a firm one. */
export const FIRM_MIN_OFFSET_DAYS = 14;
export const FIRM_TEMPLATES = ['overdue_firm', 'final_notice'] as const;
/** Days a customer has to answer a firm step (pay, promise or dispute) before it counts as unanswered. */
export const ANSWER_DAYS = 7;

const ratio = (part: number, whole: number, decimals: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10 ** decimals) / 10 ** decimals;

/**
 * The events after which a customer's figures may have changed (a payment, an invoice falling
 * overdue or paid, a fee, a promise, a breached plan, a dispute). The workers raise the
 * customer's `behaviour_version` as they take these events from the outbox. A reminder sent or a
 * page visited changes nothing until a day has passed (they are judged after 7 days), which the
 * day of the figures (`as_of`) already covers.
 */
export const BEHAVIOUR_EVENTS = [
  'invoice.created',
  'invoice.finalized',
  'invoice.overdue',
  'invoice.partially_paid',
  'invoice.paid',
  'invoice.reopened',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.fee_applied',
  'invoice.fee_waived',
  'promise.made',
  'promise.broken',
  'payment.received',
  'payment.credit_applied',
  'payment.reversed',
  'payment_plan.breached',
  'dispute.opened',
] as const;

const behaviourEventsSql = sql.join(BEHAVIOUR_EVENTS.map((type) => sql.lit(type)));

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
    const firm = sql`(o.offset_days >= ${sql.lit(FIRM_MIN_OFFSET_DAYS)} OR o.template_key IN (${sql.join(FIRM_TEMPLATES.map((k) => sql.lit(k)))}))`;
    return database.withAccount(account, async (trx) => {
      const versions = new Map(
        (
          await trx
            .selectFrom('customers')
            .select(['id', 'behaviour_version'])
            .where('account_id', '=', account)
            .where('id', 'in', ids)
            .execute()
        ).map((row) => [row.id, Number(row.behaviour_version)]),
      );
      if (versions.size === 0) return result;
      const perCurrency = (
        await sql<{
          customer_id: string;
          currency: string;
          paid: string;
          paid_late: string;
          paid_amount: string;
          weighted_days: string | null;
          lateness: string | null;
          reminders: string;
          overdue_amount: string;
          overdue_invoices: string;
        }>`
        WITH inv AS (
          SELECT id, customer_id, currency, total, due_date, status, balance
            FROM invoices WHERE account_id = ${account} AND customer_id = ANY(${ids})
        ), paid AS (
          SELECT i.id, i.customer_id, i.currency, i.total, i.due_date, max(p.received_on) AS paid_on
            FROM inv i
            JOIN payment_allocations a ON a.account_id = ${account} AND a.invoice_id = i.id AND NOT a.reversed
            JOIN payments p ON p.account_id = ${account} AND p.id = a.payment_id AND p.status = 'succeeded'
           WHERE i.status = 'paid'
           GROUP BY 1, 2, 3, 4, 5
          HAVING max(p.received_on) BETWEEN ${from}::date AND ${today}::date
        ), sent AS (
          SELECT o.invoice_id, count(*) AS reminders
            FROM reminder_occurrences o
           WHERE o.account_id = ${account} AND o.invoice_id IN (SELECT id FROM paid) AND o.status = 'sent'
           GROUP BY 1
        ), paid_figures AS (
          SELECT paid.customer_id, paid.currency, count(*) AS paid,
                 count(*) FILTER (WHERE paid_on > due_date) AS paid_late,
                 sum(total) AS paid_amount,
                 sum(total::numeric * greatest(paid_on - due_date, 0)) AS weighted_days,
                 coalesce(sum(sent.reminders), 0) AS reminders
            FROM paid LEFT JOIN sent ON sent.invoice_id = paid.id
           GROUP BY 1, 2
        ), overdue AS (
          SELECT customer_id, currency, sum(balance) AS overdue_amount, count(*) AS overdue_invoices
            FROM inv
           WHERE status IN (${CHASED_STATUSES_SQL}) AND balance > 0 AND due_date < ${today}::date
           GROUP BY 1, 2
        )
        SELECT coalesce(f.customer_id, o.customer_id) AS customer_id, coalesce(f.currency, o.currency) AS currency,
               coalesce(f.paid, 0)::bigint AS paid, coalesce(f.paid_late, 0)::bigint AS paid_late,
               coalesce(f.paid_amount, 0)::bigint AS paid_amount, f.weighted_days::text AS weighted_days,
               (f.weighted_days / nullif(f.paid_amount, 0))::text AS lateness,
               coalesce(f.reminders, 0)::bigint AS reminders,
               coalesce(o.overdue_amount, 0)::bigint AS overdue_amount, coalesce(o.overdue_invoices, 0)::bigint AS overdue_invoices
          FROM paid_figures f FULL JOIN overdue o ON o.customer_id = f.customer_id AND o.currency = f.currency
         ORDER BY 1, 2`.execute(trx)
      ).rows;
      const perCustomer = (
        await sql<{
          customer_id: string;
          promises_made: string;
          promises_broken: string;
          plans_breached: string;
          firm: string;
          unanswered: string;
          last_payment_on: string | null;
        }>`
        WITH inv AS (
          SELECT id, customer_id FROM invoices WHERE account_id = ${account} AND customer_id = ANY(${ids})
        ), promises AS (
          SELECT inv.customer_id, e.type, (e.created_at AT TIME ZONE ${tz})::date AS day
            FROM events e JOIN inv ON inv.id = e.object_id
           WHERE e.account_id = ${account} AND e.object_id IN (SELECT id FROM inv)
             AND e.type IN ('promise.made', 'promise.broken')
        ), visits AS (
          SELECT e.object_id AS customer_id, (e.created_at AT TIME ZONE ${tz})::date AS day
            FROM events e
           WHERE e.account_id = ${account} AND e.object_id = ANY(${ids}) AND e.type = 'portal.viewed'
        ), firm_steps AS (
          SELECT DISTINCT inv.customer_id, o.invoice_id, (o.sent_at AT TIME ZONE ${tz})::date AS day
            FROM reminder_occurrences o JOIN inv ON inv.id = o.invoice_id
           WHERE o.account_id = ${account} AND o.invoice_id IN (SELECT id FROM inv)
             AND o.status = 'sent' AND o.sent_at IS NOT NULL AND ${firm}
        ), judged AS (
          SELECT s.customer_id,
                 EXISTS (SELECT 1 FROM payments p
                          WHERE p.account_id = ${account} AND p.customer_id = s.customer_id AND p.status = 'succeeded'
                            AND p.received_on BETWEEN s.day AND s.day + ${sql.lit(ANSWER_DAYS)})
              OR EXISTS (SELECT 1 FROM promises pr
                          WHERE pr.customer_id = s.customer_id AND pr.type = 'promise.made'
                            AND pr.day BETWEEN s.day AND s.day + ${sql.lit(ANSWER_DAYS)})
              OR EXISTS (SELECT 1 FROM disputes d JOIN inv ON inv.id = d.invoice_id
                          WHERE d.account_id = ${account} AND inv.customer_id = s.customer_id
                            AND (d.opened_at AT TIME ZONE ${tz})::date BETWEEN s.day AND s.day + ${sql.lit(ANSWER_DAYS)})
              OR EXISTS (SELECT 1 FROM visits v
                          WHERE v.customer_id = s.customer_id
                            AND v.day BETWEEN s.day AND s.day + ${sql.lit(ANSWER_DAYS)}) AS answered
            FROM firm_steps s
           WHERE s.day >= ${from}::date AND s.day + ${sql.lit(ANSWER_DAYS)} < ${today}::date
        ), plans AS (
          SELECT inv.customer_id, count(*) AS breached
            FROM payment_plans pp JOIN inv ON inv.id = pp.invoice_id
           WHERE pp.account_id = ${account} AND pp.invoice_id IN (SELECT id FROM inv)
             AND pp.status = 'breached' AND pp.ended_on BETWEEN ${from}::date AND ${today}::date
           GROUP BY 1
        ), last_payment AS (
          SELECT customer_id, max(received_on) AS last_payment_on
            FROM payments WHERE account_id = ${account} AND customer_id = ANY(${ids}) AND status = 'succeeded'
           GROUP BY 1
        )
        SELECT c.id AS customer_id,
               (SELECT count(*) FROM promises pr WHERE pr.customer_id = c.id AND pr.type = 'promise.made' AND pr.day BETWEEN ${from}::date AND ${today}::date) AS promises_made,
               (SELECT count(*) FROM promises pr WHERE pr.customer_id = c.id AND pr.type = 'promise.broken' AND pr.day BETWEEN ${from}::date AND ${today}::date) AS promises_broken,
               coalesce((SELECT breached FROM plans WHERE plans.customer_id = c.id), 0) AS plans_breached,
               (SELECT count(*) FROM judged j WHERE j.customer_id = c.id) AS firm,
               (SELECT count(*) FROM judged j WHERE j.customer_id = c.id AND NOT j.answered) AS unanswered,
               (SELECT to_char(last_payment_on, 'YYYY-MM-DD') FROM last_payment lp WHERE lp.customer_id = c.id) AS last_payment_on
          FROM customers c
         WHERE c.account_id = ${account} AND c.id = ANY(${ids})`.execute(trx)
      ).rows;

      for (const row of perCustomer) {
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
        result.set(row.customer_id, {
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
        });
      }
      await keepIn(trx, actor, result, versions, now, perCurrency);
      return result;
    });
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
    await trx
      .insertInto('customer_behaviours')
      .values(
        ids.map((id) => ({
          account_id: account,
          customer_id: id,
          version: versions.get(id) ?? 0,
          as_of: (behaviours.get(id) as CustomerBehaviour).as_of,
          figures: JSON.stringify(behaviours.get(id)),
          computed_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['account_id', 'customer_id']).doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          as_of: eb.ref('excluded.as_of'),
          figures: eb.ref('excluded.figures'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
    await sql`
      UPDATE customers c SET behaviour_kept_version = k.version
        FROM unnest(${ids}::text[], ${ids.map((id) => versions.get(id) ?? 0)}::bigint[]) AS k(id, version)
       WHERE c.account_id = ${account} AND c.id = k.id`.execute(trx);
    await trx
      .deleteFrom('customer_lateness')
      .where('account_id', '=', account)
      .where('customer_id', 'in', ids)
      .execute();
    const lateness = perCurrency
      .filter((r) => r.lateness !== null && behaviours.has(r.customer_id))
      .map((r) => ({
        account_id: account,
        customer_id: r.customer_id,
        currency: r.currency,
        average_days_late: r.lateness as string,
      }));
    for (let i = 0; i < lateness.length; i += 1000)
      await trx
        .insertInto('customer_lateness')
        .values(lateness.slice(i, i + 1000))
        .execute();
  }

  /**
   * The kept figures of these customers that are still exact: for today, at the customer's
   * current version, and with no event of the account that could change them still waiting in
   * the outbox (taking it would raise a version).
   */
  async function kept(actor: Actor, ids: readonly string[], today: string): Promise<Map<string, CustomerBehaviour>> {
    const account = actor.accountId;
    const rows = await database.withAccount(
      account,
      async (trx) =>
        (
          await sql<{ customer_id: string; figures: CustomerBehaviour }>`
          SELECT b.customer_id, b.figures FROM customer_behaviours b
           WHERE b.account_id = ${account} AND b.customer_id = ANY(${ids}) AND b.as_of = ${today}::date
             AND b.version = (SELECT c.behaviour_version FROM customers c WHERE c.account_id = ${account} AND c.id = b.customer_id)
             AND NOT EXISTS (SELECT 1 FROM events e
                              WHERE e.account_id = ${account} AND NOT e.dispatched AND e.type IN (${behaviourEventsSql}))`.execute(
            trx,
          )
        ).rows,
    );
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
      const result = await sql`
        WITH touched AS (
          SELECT DISTINCT e.account_id,
                 coalesce(e.data->>'customer_id', CASE WHEN e.object_type = 'customer' THEN e.object_id END, i.customer_id) AS customer_id
            FROM unnest(${relevant.map((e) => e.account_id)}::text[], ${relevant.map((e) => e.id)}::text[]) AS t(account_id, id)
            JOIN events e ON e.account_id = t.account_id AND e.id = t.id
            LEFT JOIN invoices i
              ON i.account_id = e.account_id
             AND i.id = coalesce(e.data->>'invoice_id', CASE WHEN e.object_type = 'invoice' THEN e.object_id END)
        ), locked AS (
          SELECT c.account_id, c.id FROM customers c JOIN touched t ON t.account_id = c.account_id AND t.customer_id = c.id
           ORDER BY c.account_id, c.id
             FOR UPDATE OF c
        )
        UPDATE customers c SET behaviour_version = c.behaviour_version + 1, risk_due_at = '-infinity'
          FROM locked
         WHERE c.account_id = locked.account_id AND c.id = locked.id`.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}
export type BehaviourService = ReturnType<typeof createBehaviourService>;
