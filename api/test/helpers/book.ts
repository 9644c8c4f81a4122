import type pg from 'pg';

/**
 * A book of invoices written by SQL (as the owner), the way the scale test and `npm run
 * bench:book` build one: `customers` customers and `invoices` invoices issued over the 400 days
 * before `today`, due 30 days after issue, 72 % paid, 24 % open (queued for planning), 4 % void.
 * Ids are zero-padded so their order is the order of issue. Invoice g goes to customer g modulo
 * `customers`, so with a multiple of 100 customers each customer's invoices share one status;
 * `mixed` shifts the customer by one on each round of `customers` invoices instead, so each
 * customer has paid and open invoices (what the forecast's lateness needs).
 */
export async function loadInvoices(
  owner: pg.Client,
  args: { accountId: string; invoices: number; customers: number; today: string; mixed?: boolean },
): Promise<void> {
  const { accountId, invoices, customers, today } = args;
  const customer = args.mixed ? '(g + g / $3::int) % $3::int' : 'g % $3::int';
  await owner.query(
    `INSERT INTO customers (account_id, id, name, email, created_at, updated_at)
     SELECT $1, 'cus_' || lpad(g::text, 9, '0'), 'Customer ' || g, 'billing' || g || '@example.com', now(), now()
       FROM generate_series(1, $2::int) g`,
    [accountId, customers],
  );
  await owner.query(
    `INSERT INTO invoices (account_id, id, number, customer_id, status, currency, subtotal, total, amount_paid,
                           issue_date, due_date, finalized_at, created_at, updated_at)
     SELECT $1, 'inv_' || lpad(g::text, 10, '0'), 'F-' || g, 'cus_' || lpad((1 + ${customer})::text, 9, '0'),
            s.status, 'EUR', s.amount, s.amount, CASE WHEN s.status = 'paid' THEN s.amount ELSE 0 END,
            s.issued, s.issued + 30, now(), now(), now()
       FROM generate_series(1, $2::int) g
      CROSS JOIN LATERAL (SELECT CASE WHEN (g * 37) % 100 < 72 THEN 'paid' WHEN (g * 37) % 100 < 96 THEN 'open' ELSE 'void' END AS status,
                                 10000 + (g::bigint * 7919) % 90000 AS amount,
                                 $4::date - 400 + (g::bigint * 400 / $2::int)::int AS issued) s`,
    [accountId, invoices, customers, today],
  );
  await owner.query(
    `INSERT INTO invoice_replans (account_id, invoice_id, flagged_at)
     SELECT account_id, id, created_at FROM invoices WHERE account_id = $1 AND status = 'open'`,
    [accountId],
  );
}

/**
 * Brings a planned book to the state yesterday's ticks leave (accounts on UTC): reminders whose
 * time passed are sent, open invoices past due are announced overdue, those due within 3 days
 * announced due soon, late fees up to date today. Then VACUUM ANALYZE, as autovacuum would.
 */
export async function settleBook(owner: pg.Client, now: Date): Promise<void> {
  const today = now.toISOString().slice(0, 10);
  await owner.query(
    `UPDATE reminder_occurrences SET status = 'sent', sent_at = scheduled_at WHERE status = 'scheduled' AND scheduled_at < $1`,
    [now],
  );
  // What a running service announced already (reminder.upcoming, 24 hours ahead by default).
  await owner.query(
    `UPDATE reminder_occurrences SET upcoming_notified_at = $1
      WHERE status = 'scheduled' AND scheduled_at <= $1::timestamptz + interval '24 hours'`,
    [now],
  );
  await owner.query(
    `UPDATE invoices SET overdue_notified_at = CASE WHEN due_date < $2::date THEN $1::timestamptz END,
                         due_soon_notified_at = $1::timestamptz,
                         late_fees_accrued_on = CASE WHEN due_date < $2::date THEN $2::date END
      WHERE status IN ('open', 'partially_paid') AND due_date <= $2::date + 3`,
    [now, today],
  );
  await owner.query('VACUUM ANALYZE');
}

/** A plan node of `EXPLAIN (ANALYZE, FORMAT JSON)`. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/**
 * The scans of `tables` in a plan: the index and its condition, rows read (returned plus removed)
 * and returned, over all loops.
 */
export function scansOf(
  plan: PlanNode,
  tables: ReadonlySet<string>,
): Array<{ node: string; relation: string; index?: string; cond?: string; read: number; returned: number }> {
  const out: Array<{ node: string; relation: string; index?: string; cond?: string; read: number; returned: number }> =
    [];
  const walk = (node: PlanNode) => {
    const relation = node['Relation Name'];
    if (relation && tables.has(relation)) {
      const loops = node['Actual Loops'];
      const returned = node['Actual Rows'] * loops;
      const removed = ((node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * loops;
      out.push({
        node: node['Node Type'],
        relation,
        ...(node['Index Name'] && { index: node['Index Name'] }),
        ...(node['Index Cond'] && { cond: node['Index Cond'] }),
        read: returned + removed,
        returned,
      });
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return out;
}

/**
 * Runs `EXPLAIN (ANALYZE, FORMAT JSON)` of every SELECT the pool's clients send that `select`
 * admits, before the statement itself, while `on()` is true; hands each plan to `record`.
 */
export function explainStatements(
  pool: pg.Pool,
  select: (text: string) => boolean,
  record: (text: string, plan: PlanNode, ms: number) => void,
  on: () => boolean,
): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (text: unknown, values?: unknown) => Promise<unknown>;
    (client as { query: unknown }).query = (text: unknown, values?: unknown) => {
      if (!on() || typeof text !== 'string' || !/^\s*\(?\s*(select|with)\b/i.test(text) || !select(text))
        return query(text, values);
      return (
        query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values) as Promise<{
          rows: Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>;
        }>
      ).then((result) => {
        const explained = result.rows[0]!['QUERY PLAN'][0]!;
        record(text, explained.Plan, explained['Execution Time']);
        return query(text, values);
      });
    };
  });
}
