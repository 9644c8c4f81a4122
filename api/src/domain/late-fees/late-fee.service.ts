import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { addDays, compareDates, daysBetween, isValidIsoDate } from '../calendar.ts';
import { recordEvent } from '../outbox/index.ts';
import { CHASED_STATUSES, findInvoice, type InvoiceRow } from '../invoices/index.ts';
import { suspendedPeriod, withoutSuspendedDays } from '../payment-plans/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  isB2bPreset,
  type Page,
  PageQuery,
  pageSize,
  toPage,
} from '../shared/index.ts';
import {
  addLateFeesToInvoice,
  feesOfInvoice,
  findFeeOfInvoice,
  type InvoiceFeeRow,
  insertFee,
  insertRateAlertOnce,
  lateFeeSettings,
  listFeesOfInvoice,
  listReferenceRates,
  loadReferenceRates,
  markLateFeesSkipped,
  presentFee,
  presentRate,
  principalReductions,
  removeLateFeeFromInvoice,
  suspendingPlansOf,
  upsertReferenceRate,
  waiveFee,
} from './late-fee.repository.ts';
import {
  balanceHistory,
  type Fee,
  firstInterestDay,
  fixedRecoveryFee,
  interestFor,
  type InterestInput,
  type LateFeePreset,
  presetRateArgs,
  presetReference,
  type ReferenceRate as Rate,
  type ReferenceUse,
} from './late-fee.rules.ts';
import {
  type AssumedRate,
  assumedRatesIn,
  describeAssumedRate,
  missingReferencePeriods,
} from './reference-periods.rules.ts';
import {
  type InvoiceFee,
  InvoiceFeeWaive,
  type ReferenceRate,
  ReferenceRateCreate,
  ReferenceRateListQuery,
} from './late-fee.schemas.ts';

/** The late-fee rule an invoice follows, resolved from its payment terms, else its account. */
export interface LateFeeRule {
  kind: Exclude<LateFeePreset, 'none'> | 'custom';
  rate: Pick<InterestInput, 'annualRateFor' | 'fixedRate'> | null;
  fixedFee: (debtMinor: number, currency: string) => Fee | null;
  graceDays: number;
  /** Cap on the interest, in basis points of the invoice total. */
  capBps: number | null;
  /** `fee_step`: the fixed fee waits for a reminder step with `applies_late_fees`. */
  fixedFeeAt: 'overdue' | 'fee_step';
  /** The reference rate each day late takes (presets only; a custom rate has none). */
  reference: ((day: string) => ReferenceUse) | null;
}

/** The rule for `invoice`: its terms' own rule (`late_fee_kind`), else the account preset; null for none. */
export async function resolveLateFeeRule(
  trx: Db,
  invoice: InvoiceRow,
  rates: () => Promise<Rate[]>,
  /** Told when a business-only preset is not applied because the customer is a consumer. */
  onSkipped?: (skipped: { reason: 'consumer'; preset: string }) => void,
): Promise<LateFeeRule | null> {
  const { preset, terms, consumer } = await lateFeeSettings(trx, invoice);
  const kind = terms?.late_fee_kind ?? preset;
  // The statutory B2B fees exist between businesses only: never on a consumer's invoice, whatever
  // the account's default says (explicit terms were refused when they were set).
  if (consumer && isB2bPreset(kind)) {
    onSkipped?.({ reason: 'consumer', preset: kind });
    return null;
  }
  const graceDays = terms?.late_fee_grace_days ?? 0;
  const capBps = terms?.late_fee_cap_bps ?? null;
  const fixedFeeAt = terms?.late_fee_fixed_at === 'fee_step' ? 'fee_step' : 'overdue';
  if (kind === 'none') return null;
  if (kind === 'custom') {
    const fixed = terms?.late_fee_fixed_amount ?? null;
    const fixedCurrency = terms?.late_fee_fixed_currency ?? null;
    return {
      kind,
      rate: terms?.late_fee_rate_bps ? { fixedRate: terms.late_fee_rate_bps } : null,
      // A custom fixed fee is in one currency: invoices in another get none (no exchange rates here).
      fixedFee: (_debt, currency) => (fixed && fixedCurrency === currency ? { amount: fixed, currency } : null),
      graceDays,
      capBps,
      fixedFeeAt,
      reference: null,
    };
  }
  const presetKind = kind as Exclude<LateFeePreset, 'none'>;
  return {
    kind: presetKind,
    rate: presetRateArgs(presetKind, await rates(), invoice.due_date),
    fixedFee: (debt, currency) => fixedRecoveryFee(presetKind, debt, currency),
    graceDays,
    capBps,
    fixedFeeAt,
    reference: presetReference(presetKind, invoice.due_date),
  };
}

/**
 * Brings an invoice's late fees up to `today` in the caller's transaction: the fixed recovery
 * fee once, and the interest owed from the day after the due date (plus grace) through the day
 * before `today` (the last day that is over: the payment day is never charged) on the
 * principal outstanding each day, minus what was already accrued (waived lines included, so a
 * waiver is never undone). Inserts only the difference, raises `invoices.late_fees`, and
 * writes `invoice.fee_applied` per new line. Returns the new lines (none when nothing is owed).
 * Workers call this daily per overdue invoice, and reminder steps with `applies_late_fees`
 * (`atFeeStep`: only then is a fixed fee of terms with `fixed_fee_at: fee_step` added).
 */
export async function accrueLateFees(
  trx: Db,
  input: { accountId: string; invoiceId: string; today: string; now: Date; atFeeStep?: boolean },
): Promise<InvoiceFee[]> {
  const invoice = await findInvoice(trx, input.invoiceId, { forUpdate: true });
  if (!invoice || !CHASED_STATUSES.includes(invoice.status)) return [];
  let rates: Rate[] | undefined;
  let skipped: { reason: 'consumer'; preset: string } | undefined;
  const rule = await resolveLateFeeRule(
    trx,
    invoice,
    async () => (rates ??= await loadReferenceRates(trx)),
    (s) => {
      skipped = s;
    },
  );
  if (skipped && invoice.late_fees_skipped === null) {
    await markLateFeesSkipped(trx, invoice.id, skipped);
  }
  if (!rule) return [];
  const start = firstInterestDay(invoice.due_date, rule.graceDays);
  if (compareDates(input.today, start) < 0) return [];
  // Payment plans with suspended fees: nothing accrues while one is active, and the days one
  // covered are never charged, even after it is breached or cancelled.
  const suspending = await suspendingPlansOf(trx, invoice.id);
  if (suspending.some((p) => p.ended_on === null)) return [];
  const suspended = suspending.map((p) => suspendedPeriod(p, input.today)).filter((p) => p !== null);

  const principalNow = Math.max(0, invoice.total - invoice.amount_credited - invoice.amount_paid);
  const reductions = await principalReductions(trx, invoice.id);
  const principalAtStart =
    principalNow + reductions.filter((r) => compareDates(r.on, start) > 0).reduce((n, r) => n + r.amount, 0);
  const existing = await feesOfInvoice(trx, invoice.id);
  const lines: {
    kind: 'recovery_fee' | 'interest';
    amount: number;
    from: string;
    to: string;
    rate: number | null;
    assumed: AssumedRate[];
  }[] = [];

  const fixedFeeDue = rule.fixedFeeAt === 'overdue' || input.atFeeStep === true;
  if (fixedFeeDue && principalAtStart > 0 && !existing.some((f) => f.kind === 'recovery_fee')) {
    const fee = rule.fixedFee(principalAtStart, invoice.currency);
    if (fee && fee.amount > 0)
      lines.push({ kind: 'recovery_fee', amount: fee.amount, from: start, to: start, rate: null, assumed: [] });
  }
  // Interest runs through the last day that is over: today is still open, and a payment
  // received later today must find it uncharged (the payment day is not charged on what it
  // pays), whatever the hour the payment is recorded. Today is charged by tomorrow's accrual.
  const through = addDays(input.today, -1);
  if (rule.rate && compareDates(through, start) >= 0) {
    const cap = rule.capBps === null ? null : Math.floor((invoice.total * rule.capBps) / 10_000);
    const result = interestFor({
      balances: withoutSuspendedDays(balanceHistory(principalNow, reductions, start, through), suspended),
      dueDate: invoice.due_date,
      asOf: through,
      graceDays: rule.graceDays,
      cap,
      ...rule.rate,
    });
    const interest = existing.filter((f) => f.kind === 'interest');
    const accrued = interest.reduce((n, f) => n + f.amount, 0);
    const last = interest.reduce<string | null>(
      (d, f) => (d === null || compareDates(f.period_to, d) > 0 ? f.period_to : d),
      null,
    );
    const from = last === null ? start : daysBetween(last, through) > 0 ? addDays(last, 1) : through;
    if (result.amount > accrued) {
      lines.push({
        kind: 'interest',
        amount: result.amount - accrued,
        from,
        to: through,
        rate: result.pieces.at(-1)?.rate_bps ?? null,
        // Days of this line whose reference rate was never recorded, long enough ago to say so.
        assumed: rule.reference
          ? assumedRatesIn(rates ?? [], result.pieces, { from, to: through }, rule.reference, input.today)
          : [],
      });
    }
  }
  if (lines.length === 0) return [];

  const rows: InvoiceFeeRow[] = [];
  for (const line of lines) {
    rows.push(
      await insertFee(trx, {
        account_id: input.accountId,
        id: newId('invoiceFee'),
        invoice_id: invoice.id,
        kind: line.kind,
        amount: line.amount,
        currency: invoice.currency,
        period_from: line.from,
        period_to: line.to,
        rate_bps: line.rate,
        rate_assumed: line.assumed.length > 0,
        rate_note: line.assumed.length > 0 ? line.assumed.map(describeAssumedRate).join(' ') : null,
        created_at: input.now,
      }),
    );
  }
  const added = (kind: InvoiceFeeRow['kind']) => rows.filter((r) => r.kind === kind).reduce((n, r) => n + r.amount, 0);
  const interest = added('interest');
  const recovery = added('recovery_fee');
  await addLateFeesToInvoice(trx, input.accountId, invoice.id, { interest, recovery, now: input.now });
  const fees = rows.map(presentFee);
  for (const fee of fees) {
    await recordEvent(trx, {
      accountId: input.accountId,
      type: 'invoice.fee_applied',
      objectType: 'invoice',
      objectId: invoice.id,
      data: fee,
      at: input.now,
    });
  }
  for (const [i, line] of lines.entries()) {
    for (const assumed of line.assumed) {
      await announceMissingRate(trx, {
        accountId: input.accountId,
        invoiceId: invoice.id,
        feeId: rows[i]?.id ?? '',
        assumed,
        now: input.now,
      });
    }
  }
  return fees;
}

/**
 * Writes `reference_rate.missing` for a reference period the first time one of the account's
 * interest lines is computed without its rate: once per account, source and reference date
 * (reference_rate_alerts; a concurrent accrual waits on the key and then writes nothing).
 */
async function announceMissingRate(
  trx: Db,
  input: { accountId: string; invoiceId: string; feeId: string; assumed: AssumedRate; now: Date },
): Promise<void> {
  const { assumed } = input;
  const first = await insertRateAlertOnce(trx, {
    account_id: input.accountId,
    source: assumed.source,
    reference_date: assumed.reference_date,
    invoice_id: input.invoiceId,
    created_at: input.now,
  });
  if (!first) return;
  await recordEvent(trx, {
    accountId: input.accountId,
    type: 'reference_rate.missing',
    objectType: 'reference_rate',
    objectId: `${assumed.source}:${assumed.period}`,
    data: {
      object: 'reference_rate_missing',
      ...assumed,
      first_invoice_id: input.invoiceId,
      first_fee_id: input.feeId,
    },
    at: input.now,
  });
}

export function createLateFeeService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);

  return {
    /** The fee lines of an invoice, oldest first (waived ones included, marked `waived`). */
    async listFees(actor: Actor, invoiceId: string, input: PageQuery = {}): Promise<Page<InvoiceFee>> {
      const query = parseInput<PageQuery>(PageQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        if (!(await findInvoice(trx, invoiceId))) throw notFound('invoice', invoiceId);
        return toPage((await listFeesOfInvoice(trx, invoiceId, query)).map(presentFee), pageSize(query));
      });
    },

    /** Accrues an invoice's late fees up to the account's today (what the workers do daily). */
    async accrue(actor: Actor, invoiceId: string): Promise<InvoiceFee[]> {
      assertWriteAccess(actor);
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          if (!(await findInvoice(trx, invoiceId))) throw notFound('invoice', invoiceId);
          return accrueLateFees(trx, { accountId: actor.accountId, invoiceId, today, now });
        });
      } catch (error) {
        // A concurrent accrual added the recovery fee first: nothing more to add now.
        if (isUniqueViolation(error, 'invoice_fees_one_recovery_fee')) return [];
        throw error;
      }
    },

    /** Forgives one fee line: it stays listed, marked waived with the reason, and leaves the balance. */
    async waive(actor: Actor, invoiceId: string, feeId: string, input: InvoiceFeeWaive): Promise<InvoiceFee> {
      assertWriteAccess(actor);
      const data = parseInput<InvoiceFeeWaive>(InvoiceFeeWaive, input);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const invoice = await findInvoice(trx, invoiceId, { forUpdate: true });
        if (!invoice) throw notFound('invoice', invoiceId);
        const fee = await findFeeOfInvoice(trx, invoiceId, feeId);
        if (!fee) throw notFound('invoice_fee', feeId);
        if (fee.waived_at) throw new AppError('invoice_fee/already_waived', 409, `Fee '${feeId}' was already waived.`);
        if (invoice.balance < fee.amount) {
          throw new AppError(
            'invoice_fee/not_waivable',
            409,
            'This fee is already paid: refund or credit it instead of waiving it.',
          );
        }
        const row = await waiveFee(trx, feeId, now, data.reason);
        await removeLateFeeFromInvoice(trx, actor.accountId, invoiceId, fee, now);
        const waived = presentFee(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'invoice.fee_waived',
          objectType: 'invoice',
          objectId: invoiceId,
          data: waived,
          at: now,
        });
        return waived;
      });
    },

    /** Every known reference rate (global data, the same for every account). */
    listReferenceRates(actor: Actor, input: ReferenceRateListQuery = {}): Promise<Page<ReferenceRate>> {
      const query = parseInput<ReferenceRateListQuery>(ReferenceRateListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => ({
        object: 'list' as const,
        data: (await listReferenceRates(trx, query.source)).map(presentRate),
        has_more: false,
        next_cursor: null,
      }));
    },

    /**
     * Refused to every API key: reference rates are shared by all accounts, so no tenant may
     * change them. Operators record them with {@link recordReferenceRateAsOperator} (CLI).
     */
    async recordReferenceRate(_actor: Actor, _input: ReferenceRateCreate): Promise<ReferenceRate> {
      throw new AppError(
        'reference_rate/operator_only',
        403,
        'Reference rates are shared by every account and are recorded by the operator (`relance rates add`).',
      );
    },

    /**
     * The reference periods whose rate is missing as of `today` (default: the clock's UTC day):
     * per source, every reference date after the last recorded rate that passed more than 30
     * days ago, oldest first. Empty when every rate is current. For `relance rates check` and `/ready`.
     */
    async checkReferenceRates(
      today?: string,
    ): Promise<{ today: string; missing: (AssumedRate & { message: string })[] }> {
      const day = today ?? clock.now().toISOString().slice(0, 10);
      if (!isValidIsoDate(day)) throw new RangeError(`'${day}' is not a calendar date (YYYY-MM-DD)`);
      const rates = await database.withSystem((trx) => loadReferenceRates(trx));
      const missing = missingReferencePeriods(rates, day).map((m) => ({ ...m, message: describeAssumedRate(m) }));
      return { today: day, missing };
    },

    /** Every reference rate, for the operator's command line. */
    listReferenceRatesAsOperator(): Promise<ReferenceRate[]> {
      return database.withSystem(async (trx) => (await listReferenceRates(trx)).map(presentRate));
    },

    /** Records (or corrects) a rate and the day it took effect. Operator-level: never reachable with an API key. */
    recordReferenceRateAsOperator(input: ReferenceRateCreate): Promise<ReferenceRate> {
      const data = parseInput<ReferenceRateCreate>(ReferenceRateCreate, input);
      return database.withSystem(async (trx) => presentRate(await upsertReferenceRate(trx, data, clock.now())));
    },
  };
}

export type LateFeeService = ReturnType<typeof createLateFeeService>;
