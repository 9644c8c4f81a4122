import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { CustomerBehaviour } from './behaviour.schemas.ts';
import { ANSWER_DAYS, BEHAVIOUR_EVENTS, FIRM_MIN_OFFSET_DAYS, FIRM_TEMPLATES } from './behaviour.rules.ts';

// The behaviour is computed from invoices, payments, reminders, events, plans and disputes of
// the customers it is for, and kept on them: its queries live here (see the behaviour service).

const behaviourEventsSql = sql.join(BEHAVIOUR_EVENTS.map((type) => sql.lit(type)));

/** The window and customers figures are computed for. */
interface Scope {
  account: string;
  ids: readonly string[];
  /** The first day of the 12 months' window, and its last. */
  from: string;
  today: string;
}

/** The customers' behaviour versions, read before their figures are computed. */
export const behaviourVersions = (trx: Db, account: string, ids: readonly string[]) =>
  trx
    .selectFrom('customers')
    .select(['id', 'behaviour_version'])
    .where('account_id', '=', account)
    .where('id', 'in', ids)
    .execute();

/**
 * Per customer and currency: the invoices paid in the window (late or not, the amount, the
 * days late weighted by amount, the reminders they took) and what is overdue today.
 */
export async function paymentFigures(trx: Db, scope: Scope) {
  const { account, ids, from, today } = scope;
  return (
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
}

/**
 * Per customer: promises made and broken, plans breached, firm reminders and those left
 * unanswered (judged in the customers' time zone `tz`), and the last payment.
 */
export async function answerFigures(trx: Db, scope: Scope & { tz: string }) {
  const { account, ids, from, today, tz } = scope;
  const firm = sql`(o.offset_days >= ${sql.lit(FIRM_MIN_OFFSET_DAYS)} OR o.template_key IN (${sql.join(FIRM_TEMPLATES.map((k) => sql.lit(k)))}))`;
  return (
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
}

/** Keeps computed figures, one row per customer (written in the order given). */
export const upsertBehaviours = (
  trx: Db,
  rows: readonly {
    account_id: string;
    customer_id: string;
    version: number;
    as_of: string;
    figures: string;
    computed_at: Date;
  }[],
) =>
  trx
    .insertInto('customer_behaviours')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['account_id', 'customer_id']).doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        as_of: eb.ref('excluded.as_of'),
        figures: eb.ref('excluded.figures'),
        computed_at: eb.ref('excluded.computed_at'),
      })),
    )
    .execute();

/** Records on the customers the version their kept figures are at. */
export async function setKeptVersions(trx: Db, account: string, ids: readonly string[], versions: readonly number[]) {
  await sql`
      UPDATE customers c SET behaviour_kept_version = k.version
        FROM unnest(${ids}::text[], ${versions}::bigint[]) AS k(id, version)
       WHERE c.account_id = ${account} AND c.id = k.id`.execute(trx);
}

/** Replaces the kept average lateness per currency of these customers. */
export async function replaceLateness(
  trx: Db,
  account: string,
  ids: readonly string[],
  lateness: readonly { account_id: string; customer_id: string; currency: string; average_days_late: string }[],
) {
  await trx.deleteFrom('customer_lateness').where('account_id', '=', account).where('customer_id', 'in', ids).execute();
  for (let i = 0; i < lateness.length; i += 1000)
    await trx
      .insertInto('customer_lateness')
      .values(lateness.slice(i, i + 1000))
      .execute();
}

/**
 * The kept figures of these customers that are still exact: for `today`, at the customer's
 * current version, and with no event of the account that could change them still waiting in
 * the outbox (taking it would raise a version).
 */
export async function keptBehaviours(trx: Db, account: string, ids: readonly string[], today: string) {
  return (
    await sql<{ customer_id: string; figures: CustomerBehaviour }>`
        SELECT b.customer_id, b.figures FROM customer_behaviours b
         WHERE b.account_id = ${account} AND b.customer_id = ANY(${ids}) AND b.as_of = ${today}::date
           AND b.version = (SELECT c.behaviour_version FROM customers c WHERE c.account_id = ${account} AND c.id = b.customer_id)
           AND NOT EXISTS (SELECT 1 FROM events e
                            WHERE e.account_id = ${account} AND NOT e.dispatched AND e.type IN (${behaviourEventsSql}))`.execute(
      trx,
    )
  ).rows;
}

/**
 * Raises the behaviour version of each customer these events (just taken from the outbox)
 * concern and makes its risk due for assessment at once. One statement; the rows are locked in
 * customer order. Returns how many customers it raised.
 */
export async function raiseBehaviourVersions(
  trx: Db,
  events: readonly { account_id: string; id: string }[],
): Promise<number> {
  const result = await sql`
        WITH touched AS (
          SELECT DISTINCT e.account_id,
                 coalesce(e.data->>'customer_id', CASE WHEN e.object_type = 'customer' THEN e.object_id END, i.customer_id) AS customer_id
            FROM unnest(${events.map((e) => e.account_id)}::text[], ${events.map((e) => e.id)}::text[]) AS t(account_id, id)
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
}
