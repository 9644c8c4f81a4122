import { daysBetween } from '../calendar.ts';
import { bucketIndex, bucketNames } from './report.rules.ts';

// A customer's statement of account as pure arithmetic over its ledger: invoices and fees are
// debits, payments are credits, voids, waived fees and reversals undo them, each on its local
// date. What the statement shows is derived here; the service only reads the rows.

export interface LedgerInvoice {
  id: string;
  number: string;
  currency: string;
  issue_date: string;
  due_date: string;
  total: number;
  /** The local day it was voided, or null. */
  voided_on: string | null;
}

export interface LedgerFee {
  invoice_id: string;
  kind: string;
  amount: number;
  period_from: string;
  period_to: string;
  /** The local day it was waived, or null. */
  waived_on: string | null;
}

export interface LedgerPayment {
  id: string;
  reference: string | null;
  currency: string;
  amount: number;
  received_on: string;
  /** The local day it was reversed, or null. */
  reversed_on: string | null;
}

export interface LedgerAllocation {
  payment_id: string;
  invoice_id: string;
  amount: number;
  /** The local day the allocation was undone (its payment reversed), or null. */
  reversed_on: string | null;
}

export type EntryKind =
  | 'invoice'
  | 'interest'
  | 'recovery_fee'
  | 'fee_waived'
  | 'payment'
  | 'payment_reversed'
  | 'invoice_voided';

export interface StatementEntry {
  date: string;
  kind: EntryKind;
  /** The invoice number or the payment's reference. */
  reference: string;
  invoice_id: string | null;
  payment_id: string | null;
  /** For interest: the days it covers. */
  period_from: string | null;
  period_to: string | null;
  debit: number;
  credit: number;
  balance: number;
}

export interface CurrencyStatement {
  currency: string;
  opening_balance: number;
  entries: StatementEntry[];
  closing_balance: number;
  /** The invoices still owed at the end of the period, by days past due then. */
  aging: { buckets: Record<string, number>; total: number; invoices: number };
}

/** The order of entries on one day: what is owed, then what undoes it, then what was paid. */
const KIND_ORDER: Record<EntryKind, number> = {
  invoice: 0,
  interest: 1,
  recovery_fee: 2,
  payment_reversed: 3,
  fee_waived: 4,
  invoice_voided: 5,
  payment: 6,
};

type Movement = Omit<StatementEntry, 'balance'> & { currency: string };

/** Every movement of the ledger; interest days are summed per invoice and calendar month. */
function movements(
  invoices: readonly LedgerInvoice[],
  fees: readonly LedgerFee[],
  payments: readonly LedgerPayment[],
): Movement[] {
  const byId = new Map(invoices.map((i) => [i.id, i]));
  const out: Movement[] = [];
  const base = { payment_id: null, period_from: null, period_to: null, debit: 0, credit: 0 };
  for (const invoice of invoices) {
    const common = { ...base, currency: invoice.currency, reference: invoice.number, invoice_id: invoice.id };
    out.push({ ...common, date: invoice.issue_date, kind: 'invoice', debit: invoice.total });
    if (invoice.voided_on)
      out.push({ ...common, date: invoice.voided_on, kind: 'invoice_voided', credit: invoice.total });
  }
  const interest = new Map<string, Movement>();
  for (const fee of fees) {
    const invoice = byId.get(fee.invoice_id);
    if (!invoice) continue;
    const common = { ...base, currency: invoice.currency, reference: invoice.number, invoice_id: invoice.id };
    if (fee.kind === 'interest') {
      const key = `${fee.invoice_id}/${fee.period_to.slice(0, 7)}/${fee.waived_on ?? ''}`;
      const run = interest.get(key);
      if (run) {
        run.debit += fee.amount;
        if (fee.period_from < (run.period_from ?? fee.period_from)) run.period_from = fee.period_from;
        if (fee.period_to > (run.period_to ?? fee.period_to)) run.period_to = run.date = fee.period_to;
      } else
        interest.set(key, {
          ...common,
          date: fee.period_to,
          kind: 'interest',
          period_from: fee.period_from,
          period_to: fee.period_to,
          debit: fee.amount,
        });
    } else out.push({ ...common, date: fee.period_to, kind: 'recovery_fee', debit: fee.amount });
    if (fee.waived_on) out.push({ ...common, date: fee.waived_on, kind: 'fee_waived', credit: fee.amount });
  }
  out.push(...interest.values());
  for (const payment of payments) {
    const common = {
      ...base,
      currency: payment.currency,
      reference: payment.reference ?? payment.id,
      invoice_id: null,
      payment_id: payment.id,
    };
    out.push({ ...common, date: payment.received_on, kind: 'payment', credit: payment.amount });
    if (payment.reversed_on)
      out.push({ ...common, date: payment.reversed_on, kind: 'payment_reversed', debit: payment.amount });
  }
  return out;
}

/**
 * The statement from `from` to `to` (both included), one per currency the customer has
 * movements in: the balance before `from`, each movement of the period with the running
 * balance, the balance at the end, and the aging of the invoices still owed at `to`.
 */
export function buildStatement(
  ledger: {
    invoices: readonly LedgerInvoice[];
    fees: readonly LedgerFee[];
    payments: readonly LedgerPayment[];
    allocations: readonly LedgerAllocation[];
  },
  period: { from: string; to: string },
  edges: readonly number[],
): CurrencyStatement[] {
  const all = movements(ledger.invoices, ledger.fees, ledger.payments).filter((m) => m.date <= period.to);
  const names = bucketNames(edges);
  const statements: CurrencyStatement[] = [];
  for (const [currency, list] of [...Map.groupBy(all, (m) => m.currency)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const opening = list.filter((m) => m.date < period.from).reduce((sum, m) => sum + m.debit - m.credit, 0);
    let balance = opening;
    const entries = list
      .filter((m) => m.date >= period.from)
      .sort(
        (a, b) =>
          (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
          KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
          (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0),
      )
      .map(({ currency: _, ...m }) => {
        balance += m.debit - m.credit;
        return { ...m, balance };
      });
    statements.push({
      currency,
      opening_balance: opening,
      entries,
      closing_balance: balance,
      aging: agingAt(ledger, currency, period.to, edges, names),
    });
  }
  return statements;
}

/** What each invoice still owed at the end of `to`, bucketed by its days past due then. */
function agingAt(
  ledger: Parameters<typeof buildStatement>[0],
  currency: string,
  to: string,
  edges: readonly number[],
  names: readonly string[],
): CurrencyStatement['aging'] {
  const buckets = Object.fromEntries(names.map((n) => [n, 0]));
  const receivedOn = new Map(ledger.payments.map((p) => [p.id, p.received_on]));
  let total = 0;
  let invoices = 0;
  for (const invoice of ledger.invoices) {
    if (invoice.currency !== currency || invoice.issue_date > to || (invoice.voided_on && invoice.voided_on <= to))
      continue;
    const fees = ledger.fees
      .filter((f) => f.invoice_id === invoice.id && f.period_to <= to && !(f.waived_on && f.waived_on <= to))
      .reduce((sum, f) => sum + f.amount, 0);
    const paid = ledger.allocations
      .filter(
        (a) =>
          a.invoice_id === invoice.id &&
          (receivedOn.get(a.payment_id) ?? to) <= to &&
          !(a.reversed_on && a.reversed_on <= to),
      )
      .reduce((sum, a) => sum + a.amount, 0);
    const due = invoice.total + fees - paid;
    if (due <= 0) continue;
    const name = names[bucketIndex(daysBetween(invoice.due_date, to), edges)] ?? 'current';
    buckets[name] = (buckets[name] ?? 0) + due;
    total += due;
    invoices++;
  }
  return { buckets, total, invoices };
}
