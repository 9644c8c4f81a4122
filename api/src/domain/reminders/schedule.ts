import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { newId } from '../../ids.ts';
import { insertEvents } from '../outbox/index.ts';
import { CHASED_STATUSES, CHASED_STATUSES_SQL, isChased } from '../invoices/index.ts';
import { type HolidayCalendar, holidayCalendar } from '../holidays.ts';
import { nextSendTime, type PlannedOccurrence, planInstallmentOccurrences, planOccurrences } from './policy.rules.ts';
import { policiesById, policyIdOf } from './policy.repository.ts';
import { planOf } from './policy.service.ts';
import {
  anyText,
  cancelUnplanned,
  heldOccurrenceIds,
  moveScheduledAt,
  type PlannedRow,
  planDigest,
  type PlanKeys,
  skipPendingOfInvoices,
  upsertPlannedOccurrences,
} from './reminder-occurrence.repository.ts';

/**
 * Brings invoices' reminder occurrences in line with their state and policy, in the caller's
 * transaction. One occurrence per (invoice, step, repeat): planning again moves times and cancels
 * removed steps, but never touches a reminder already sent, skipped or failed, so nothing is ever
 * sent twice. A closed invoice's pending reminders are skipped, with its state as the reason.
 * Works on a batch (the planner replans hundreds of invoices per statement).
 *
 * `resume` releases held occurrences (after a dispute is resolved or an open-ended pause lifted).
 */
export async function replanInvoices(
  trx: Db,
  args: { accountId: string; invoiceIds: string[]; timeZone: string; now: Date; resume?: boolean },
): Promise<void> {
  const { accountId, invoiceIds, now } = args;
  if (invoiceIds.length === 0) return;
  const invoices = await trx
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
    // The plan keys of reminders purged by the retention (sent, skipped or failed): never planned again.
    .leftJoin('reminder_plan_tombstones as purged', (j) =>
      j.onRef('purged.account_id', '=', 'invoices.account_id').onRef('purged.invoice_id', '=', 'invoices.id'),
    )
    .select([
      'invoices.id',
      'purged.digests as purged_digests',
      'invoices.status',
      'invoices.due_date',
      'invoices.balance',
      'invoices.active_payment_plan_id',
      // Whose public holidays apply: the customer's country, else the account's.
      sql<string | null>`coalesce(customers.billing_address->>'country', accounts.billing_address->>'country')`.as(
        'holiday_country',
      ),
      sql<
        string | null
      >`CASE WHEN customers.billing_address->>'country' IS NOT NULL THEN customers.billing_address->>'region' ELSE accounts.billing_address->>'region' END`.as(
        'holiday_region',
      ),
      policyIdOf({ invoice: 'invoices', customer: 'customers', account: 'accounts' }).as('policy_id'),
    ])
    .where('invoices.account_id', '=', accountId)
    .where('invoices.id', '=', anyText(invoiceIds))
    .execute();

  const closed = invoices.filter((i) => !isChased(i));
  const open = invoices.filter((i) => isChased(i));
  const events: Array<{
    account_id: string;
    id: string;
    type: string;
    object_type: string;
    object_id: string;
    data: string;
    created_at: Date;
  }> = [];
  const event = (type: string, objectType: string, objectId: string, data: unknown) =>
    events.push({
      account_id: accountId,
      id: newId('event'),
      type,
      object_type: objectType,
      object_id: objectId,
      data: JSON.stringify(data),
      created_at: now,
    });

  const closedByReason = Map.groupBy(closed, (i) => (CHASED_STATUSES.includes(i.status) ? 'paid' : i.status));
  for (const [reason, group] of closedByReason) {
    const skipped = await skipPendingOfInvoices(
      trx,
      accountId,
      group.map((i) => i.id),
      reason,
      now,
    );
    for (const o of skipped) event('reminder.skipped', 'reminder', o.id, { ...o, reason });
  }

  const policyIds = [...new Set(open.map((i) => i.policy_id).filter((id): id is string => id !== null))];
  const policies = await policiesById(trx, accountId, policyIds);
  // While a payment plan is active, reminders follow its installments still unpaid.
  const planIds = open.map((i) => i.active_payment_plan_id).filter((id): id is string => id !== null);
  const installments = Map.groupBy(
    planIds.length === 0
      ? []
      : await trx
          .selectFrom('payment_plan_installments')
          .select(['plan_id', 'number', 'due_date'])
          .where('plan_id', 'in', planIds)
          .where('status', '<>', 'paid')
          .orderBy('number')
          .execute(),
    (i) => i.plan_id,
  );
  const calendars = new Map<string, HolidayCalendar | null>();
  const calendarOf = (country: string | null, region: string | null) => {
    const key = `${country}/${region}`;
    if (!calendars.has(key)) calendars.set(key, holidayCalendar(country, region));
    return calendars.get(key) ?? null;
  };
  const keep: PlanKeys = { invoice: [], step: [], repeat: [], plan: [], installment: [] };
  /** When each invoice's released reminders may go out: the policy's next send time from now. */
  const releaseAt = new Map<string, Date>();
  const rows: PlannedRow[] = open.flatMap((invoice) => {
    const policy = invoice.policy_id ? policies.get(invoice.policy_id) : undefined;
    if (!policy) return [];
    const planId = invoice.active_payment_plan_id;
    const holidays = policy.skip_holidays ? calendarOf(invoice.holiday_country, invoice.holiday_region) : null;
    if (args.resume) releaseAt.set(invoice.id, nextSendTime(now, args.timeZone, planOf(policy), holidays));
    const planned: Array<PlannedOccurrence & { installment_number?: number; installment_due_on?: string }> = planId
      ? planInstallmentOccurrences(planOf(policy), installments.get(planId) ?? [], args.timeZone, holidays)
      : planOccurrences(planOf(policy), invoice.due_date, args.timeZone, holidays);
    const purged = invoice.purged_digests ? new Set(invoice.purged_digests) : null;
    const toPlan = purged
      ? planned.filter(
          (p) =>
            !purged.has(
              planDigest({
                invoice_id: invoice.id,
                step_id: p.step_id,
                repeat_index: p.repeat_index,
                payment_plan_id: planId,
                installment_number: p.installment_number ?? 0,
              }),
            ),
        )
      : planned;
    return toPlan.map((p) => {
      keep.invoice.push(invoice.id);
      keep.step.push(p.step_id);
      keep.repeat.push(p.repeat_index);
      keep.plan.push(planId ?? '');
      keep.installment.push(p.installment_number ?? 0);
      return {
        account_id: accountId,
        id: newId('occurrence'),
        invoice_id: invoice.id,
        policy_id: policy.id,
        step_id: p.step_id,
        repeat_index: p.repeat_index,
        offset_days: p.offset_days,
        channel: p.channel,
        template_key: p.template_key,
        applies_late_fees: p.applies_late_fees,
        status: 'scheduled',
        scheduled_at: p.scheduled_at,
        moved_from: p.moved_from,
        moved_for: p.moved_for,
        payment_plan_id: planId,
        installment_number: p.installment_number ?? 0,
        installment_due_on: p.installment_due_on ?? null,
        created_at: now,
        updated_at: now,
      };
    });
  });

  if (rows.length > 0) {
    const resume = args.resume ?? false;
    const held = resume
      ? await heldOccurrenceIds(
          trx,
          accountId,
          open.map((i) => i.id),
        )
      : new Set<string>();
    const upserted = await upsertPlannedOccurrences(trx, rows, resume);
    // A reminder released after its time (a dispute resolved, a pause lifted) goes out at the
    // policy's next send time, never at whatever hour the release happened.
    const late = upserted.filter(
      (o) => held.has(o.id) && o.status === 'scheduled' && o.scheduled_at !== null && o.scheduled_at < now,
    );
    for (const [invoiceId, group] of Map.groupBy(late, (o) => o.invoice_id)) {
      const at = releaseAt.get(invoiceId);
      if (!at) continue;
      await moveScheduledAt(
        trx,
        accountId,
        group.map((o) => o.id),
        at,
      );
      for (const o of group) o.scheduled_at = at;
    }
    const byInvoice = Map.groupBy(upserted, (o) => o.invoice_id);
    // What a subscriber needs: how many are still to come and the next one. The whole schedule
    // is the invoice's timeline; repeating it in every planning's event cost most of the events table.
    for (const [invoiceId, occurrences] of byInvoice) {
      let next: { o: (typeof occurrences)[number]; at: Date } | undefined;
      for (const o of occurrences)
        if (o.status === 'scheduled' && o.scheduled_at && (!next || o.scheduled_at < next.at))
          next = { o, at: o.scheduled_at };
      event('reminder.scheduled', 'invoice', invoiceId, {
        invoice_id: invoiceId,
        pending: occurrences.filter((o) => o.status === 'scheduled' || o.status === 'held').length,
        next_reminder: next
          ? {
              id: next.o.id,
              step_id: next.o.step_id,
              repeat_index: next.o.repeat_index,
              channel: next.o.channel,
              scheduled_at: next.at.toISOString(),
              ...(next.o.installment_number > 0 && { installment_number: next.o.installment_number }),
            }
          : null,
      });
    }
  }

  if (open.length > 0) {
    await cancelUnplanned(
      trx,
      accountId,
      open.map((i) => i.id),
      keep,
      now,
    );
  }
  await trx
    .updateTable('invoices')
    .set({ needs_replan: false })
    .where('account_id', '=', accountId)
    .where('id', '=', anyText(invoiceIds))
    .where('needs_replan', '=', true)
    .execute();
  if (events.length > 0) await insertEvents(trx, events);
}

/** Replans one invoice (see `replanInvoices`). */
export function replanInvoice(
  trx: Db,
  args: { accountId: string; invoiceId: string; timeZone: string; now: Date; resume?: boolean },
): Promise<void> {
  return replanInvoices(trx, { ...args, invoiceIds: [args.invoiceId] });
}

/**
 * Marks every policy of the account for a replan of the open invoices it now applies to, with
 * their count, in one pass over the account's open invoices: after its policy rules changed,
 * an invoice may follow another policy, whose replan (by the workers, in batches) picks it up.
 */
export async function markPoliciesForReplan(trx: Db, accountId: string): Promise<void> {
  await sql`
    WITH counts AS (
      SELECT ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} AS policy_id, count(*)::int AS n
        FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
        JOIN accounts a ON a.id = i.account_id
       WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.status IN (${CHASED_STATUSES_SQL})
       GROUP BY 1)
    UPDATE reminder_policies p
       SET replan_after = '', invoices_to_replan = coalesce((SELECT n FROM counts WHERE counts.policy_id = p.id), 0)
     WHERE p.account_id = ${accountId}`.execute(trx);
}

/** The open invoices a policy applies to (its own, their customer's, or the account default): what a change replans. */
export async function countInvoicesOfPolicy(trx: Db, accountId: string, policyId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n
      FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
      JOIN accounts a ON a.id = i.account_id
     WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.status IN (${CHASED_STATUSES_SQL})
       AND ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} = ${policyId}`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * Flags the next `limit` open invoices a policy applies to, in id order after `after`, so the
 * planner replans them. Returns the ids flagged (fewer than `limit`: the last batch).
 */
export async function flagNextInvoicesOfPolicy(
  trx: Db,
  args: { accountId: string; policyId: string; after: string; limit: number },
): Promise<string[]> {
  const { accountId, policyId, after, limit } = args;
  const { rows } = await sql<{ id: string }>`
    WITH batch AS (
      SELECT i.id, i.needs_replan
        FROM invoices i JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
        JOIN accounts a ON a.id = i.account_id
       WHERE i.account_id = ${accountId} AND a.id = ${accountId} AND i.id > ${after} AND i.status IN (${CHASED_STATUSES_SQL})
         AND ${policyIdOf({ invoice: 'i', customer: 'c', account: 'a' })} = ${policyId}
       ORDER BY i.id
       LIMIT ${limit}),
    flagged AS (
      UPDATE invoices i SET needs_replan = true FROM batch
       WHERE i.account_id = ${accountId} AND i.id = batch.id AND NOT batch.needs_replan)
    SELECT id FROM batch ORDER BY id`.execute(trx);
  return rows.map((r) => r.id);
}
