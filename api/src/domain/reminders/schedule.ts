import type { Db } from '../../store/database.ts';
import { newId } from '../../ids.ts';
import { insertEvents } from '../outbox/index.ts';
import { CHASED_STATUSES, isChased } from '../invoices/index.ts';
import { type HolidayCalendar, holidayCalendar } from '../holidays.ts';
import { nextSendTime, type PlannedOccurrence, planInstallmentOccurrences, planOccurrences } from './policy.rules.ts';
import { policiesById } from './policy.repository.ts';
import { invoicesToPlan, unpaidInstallmentsOfPlans, unqueueInvoices } from './planning.repository.ts';
import { planOf } from './policy.service.ts';
import {
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
 * The invoices leave the planner's queue first, so a flag written while they are planned stays.
 */
export async function replanInvoices(
  trx: Db,
  args: { accountId: string; invoiceIds: string[]; timeZone: string; now: Date; resume?: boolean },
): Promise<void> {
  const { accountId, invoiceIds, now } = args;
  if (invoiceIds.length === 0) return;
  await unqueueInvoices(trx, accountId, invoiceIds);
  const invoices = await invoicesToPlan(trx, accountId, invoiceIds);

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
    planIds.length === 0 ? [] : await unpaidInstallmentsOfPlans(trx, planIds),
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

  // Before the upsert, not after: the steps the plan no longer has are the same either way (the
  // upsert writes only the plan's keys), but before it an invoice planned for the first time has
  // no reminders yet, so its probe ends in the index instead of reading back the rows just written.
  if (open.length > 0) {
    await cancelUnplanned(
      trx,
      accountId,
      open.map((i) => i.id),
      keep,
      now,
    );
  }
  if (rows.length > 0) {
    const resume = args.resume ?? false;
    const held = resume
      ? await heldOccurrenceIds(
          trx,
          accountId,
          open.map((i) => i.id),
        )
      : new Set<string>();
    const upserted = await upsertPlannedOccurrences(trx, accountId, rows, resume);
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

  if (events.length > 0) await insertEvents(trx, events);
}

/** Replans one invoice (see `replanInvoices`). */
export function replanInvoice(
  trx: Db,
  args: { accountId: string; invoiceId: string; timeZone: string; now: Date; resume?: boolean },
): Promise<void> {
  return replanInvoices(trx, { ...args, invoiceIds: [args.invoiceId] });
}
