/**
 * Proposing matches for a bank line: which open invoices (and amounts) a payment of it would go
 * to, with a score made of the reasons. Pure functions over what the repository found for the
 * line's batch.
 */
import { toDecimalString } from '../money.ts';
import type { NameMatch, NumberFound } from './labels.ts';

/** An open invoice as matching sees it. */
export interface OpenInvoice {
  id: string;
  number: string;
  customer_id: string;
  currency: string;
  balance: number;
  due_date: string;
  /** Under an active payment plan: what is still due on its next unpaid installment. */
  next_installment_due?: number | null;
}

/** What a credit line says: its amount (positive) and currency. */
export interface LineAmount {
  amount: number;
  currency: string;
}

export const REASON_CODES = [
  'invoice_number_in_label',
  'amount_equals_balance',
  'amount_equals_installment',
  'combination_sums_to_amount',
  'counterparty_matches_customer',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  /** What this reason adds to the score. */
  points: number;
  invoice_ids: string[];
  detail: string;
}

export interface ProposedAllocation {
  invoice_id: string;
  invoice_number: string;
  amount: number;
}

export interface Proposal {
  customer_id: string;
  score: number;
  allocations: ProposedAllocation[];
  /** Left as the customer's credit when the line is more than the invoices owe. */
  unallocated: number;
  reasons: Reason[];
}

/** Points per reason; the score is their sum, at most 100. */
export const POINTS = {
  numberExact: 50,
  numberDigits: 40,
  /** The only open invoice in the currency with this amount. */
  amountUnique: 30,
  /** One of several open invoices with this amount. */
  amountShared: 20,
  combination: 25,
  nameFull: 25,
  namePartial: 15,
} as const;

/** Proposals kept per line, and the least score worth showing. */
export const MAX_PROPOSALS = 3;
export const MIN_SCORE = 15;
/** Beyond this many open invoices with the line's amount, the amount alone proposes nothing. */
export const MAX_SHARED_AMOUNT = 5;

/** An amount that pays an invoice: its balance, and (once payment plans exist) its next installment. */
export interface AmountCandidate {
  invoice: OpenInvoice;
  kind: 'balance' | 'installment';
  amount: number;
}

/**
 * The amounts a payment of this invoice may have: its balance, and under a payment plan what is
 * still due on its next unpaid installment (the repository's `findOpenInvoicesByAmounts` finds
 * invoices by either).
 */
export function amountCandidates(invoice: OpenInvoice): AmountCandidate[] {
  const candidates: AmountCandidate[] = [{ invoice, kind: 'balance', amount: invoice.balance }];
  const installment = invoice.next_installment_due;
  if (installment != null && installment > 0 && installment !== invoice.balance)
    candidates.push({ invoice, kind: 'installment', amount: installment });
  return candidates;
}

/** What the batch's lookups found for one line. */
export interface LineEvidence {
  /** Invoices (in the line's currency) whose number is in the label. */
  numbers: ReadonlyArray<{ invoice: OpenInvoice; found: NumberFound }>;
  /** Amount candidates equal to the line's amount, and how many open invoices share that amount. */
  amounts: readonly AmountCandidate[];
  amountShared: number;
  /** Customers whose name the payer's matches, strongest first. */
  payers: ReadonlyArray<{ customer_id: string; match: NameMatch }>;
  /** A customer's open invoices in the line's currency. */
  invoicesOf(customerId: string): readonly OpenInvoice[];
}

// Calendar dates as YYYY-MM-DD sort as strings (no parsing: this runs for every pair compared).
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byDueDate = (a: OpenInvoice, b: OpenInvoice) => compareKeys(a.due_date, b.due_date) || compareKeys(a.id, b.id);

/**
 * Subsets of 2 to 4 invoices whose balances add up to exactly `amount`, smallest first, at most
 * `limit` of them. Bounded: the 24 oldest-due invoices not above the amount, and at most 20,000
 * steps, so a customer with many invoices costs no more than one with 24.
 */
export function combinationsSummingTo(amount: number, invoices: readonly OpenInvoice[], limit = 3): OpenInvoice[][] {
  const pool = invoices
    .filter((i) => i.balance > 0 && i.balance <= amount)
    .toSorted(byDueDate)
    .slice(0, 24);
  const found: OpenInvoice[][] = [];
  let steps = 0;
  for (let size = 2; size <= 4 && found.length < limit; size++) {
    const pick: OpenInvoice[] = [];
    const search = (from: number, left: number): void => {
      if (found.length >= limit || ++steps > 20_000) return;
      if (pick.length === size) {
        if (left === 0) found.push([...pick]);
        return;
      }
      for (let i = from; i < pool.length; i++) {
        const invoice = pool[i] as OpenInvoice;
        if (invoice.balance > left) continue;
        pick.push(invoice);
        search(i + 1, left - invoice.balance);
        pick.pop();
        if (found.length >= limit) return;
      }
    };
    search(0, amount);
  }
  return found;
}

/** Splits the line's amount over invoices in the order given: each takes at most its balance. */
function allocationsFor(
  amount: number,
  invoices: readonly OpenInvoice[],
): { allocations: ProposedAllocation[]; unallocated: number } {
  let left = amount;
  const allocations: ProposedAllocation[] = [];
  for (const invoice of invoices) {
    if (left === 0) break;
    const take = Math.min(left, invoice.balance);
    allocations.push({ invoice_id: invoice.id, invoice_number: invoice.number, amount: take });
    left -= take;
  }
  return { allocations, unallocated: left };
}

/** The reasons a set of invoices of one customer pays the line, from the evidence. */
function reasonsFor(line: LineAmount, invoices: readonly OpenInvoice[], evidence: LineEvidence): Reason[] {
  const reasons: Reason[] = [];
  const ids = new Set(invoices.map((i) => i.id));
  const named = evidence.numbers.filter((n) => ids.has(n.invoice.id));
  if (named.length > 0) {
    const best = named.every((n) => n.found === 'exact') ? POINTS.numberExact : POINTS.numberDigits;
    const points = Math.round((best * named.length) / invoices.length);
    const numbers = named
      .map((n) => `${n.invoice.number} (${n.found === 'exact' ? 'as written' : 'its digits'})`)
      .join(', ');
    reasons.push({
      code: 'invoice_number_in_label',
      points,
      invoice_ids: named.map((n) => n.invoice.id),
      detail: `The label names ${numbers}.`,
    });
  }
  const only = invoices.length === 1 ? invoices[0] : undefined;
  if (only) {
    const hit = evidence.amounts.find((a) => a.invoice.id === only.id);
    if (hit) {
      const unique = evidence.amountShared <= 1;
      const code = hit.kind === 'balance' ? 'amount_equals_balance' : 'amount_equals_installment';
      const what = hit.kind === 'balance' ? 'balance' : 'installment due';
      reasons.push({
        code,
        points: unique ? POINTS.amountUnique : POINTS.amountShared,
        invoice_ids: [only.id],
        detail: `The amount ${toDecimalString(line.amount, line.currency)} ${line.currency} equals the ${what} of ${only.number}${unique ? ', the only open invoice with this amount' : `, one of ${evidence.amountShared} open invoices with this amount`}.`,
      });
    }
  } else if (invoices.reduce((sum, i) => sum + i.balance, 0) === line.amount) {
    reasons.push({
      code: 'combination_sums_to_amount',
      points: POINTS.combination,
      invoice_ids: invoices.map((i) => i.id),
      detail: `The balances of ${invoices.map((i) => i.number).join(' + ')} add up to the amount ${toDecimalString(line.amount, line.currency)} ${line.currency}.`,
    });
  }
  const customerId = invoices[0]?.customer_id;
  const payer = evidence.payers.find((p) => p.customer_id === customerId);
  if (payer) {
    reasons.push({
      code: 'counterparty_matches_customer',
      points: payer.match === 'full' ? POINTS.nameFull : POINTS.namePartial,
      invoice_ids: [],
      detail:
        payer.match === 'full'
          ? "The payer's name is the customer's."
          : "The payer's name shares words with the customer's.",
    });
  }
  return reasons;
}

/**
 * The best matches of a credit line (at most three, best first): each a set of one customer's
 * invoices the line would pay, found by the invoice numbers in its label, an amount equal to an
 * invoice's balance, the payer's name, and combinations of that customer's invoices adding up
 * to the amount. Score = the reasons' points (at most 100); below 15 nothing is proposed.
 */
export function proposeMatches(line: LineAmount, evidence: LineEvidence): Proposal[] {
  const drafts = new Map<string, OpenInvoice[]>();
  const add = (invoices: readonly OpenInvoice[]) => {
    const usable: OpenInvoice[] = [];
    let left = line.amount;
    // Only the invoices the money reaches, in the order given.
    for (const invoice of invoices) {
      if (left <= 0) break;
      if (invoice.currency !== line.currency || invoice.balance <= 0) continue;
      usable.push(invoice);
      left -= invoice.balance;
    }
    if (usable.length === 0 || usable.some((i) => i.customer_id !== usable[0]?.customer_id)) return;
    const key = usable
      .map((i) => i.id)
      .toSorted()
      .join(',');
    if (!drafts.has(key)) drafts.set(key, [...usable]);
  };

  const named = evidence.numbers.map((n) => n.invoice);
  for (const invoice of named) add([invoice]);
  const namedByCustomer = Map.groupBy(named, (i) => i.customer_id);
  for (const invoices of namedByCustomer.values()) if (invoices.length > 1) add(invoices.toSorted(byDueDate));

  const payerIds = new Set(evidence.payers.map((p) => p.customer_id));
  for (const hit of evidence.amounts) {
    if (
      evidence.amountShared <= MAX_SHARED_AMOUNT ||
      payerIds.has(hit.invoice.customer_id) ||
      namedByCustomer.has(hit.invoice.customer_id)
    )
      add([hit.invoice]);
  }

  for (const payer of evidence.payers.slice(0, 5)) {
    const invoices = evidence.invoicesOf(payer.customer_id);
    const before = drafts.size;
    for (const combination of combinationsSummingTo(line.amount, invoices)) add(combination);
    const hasDraft = [...drafts.values()].some((d) => d[0]?.customer_id === payer.customer_id);
    if (drafts.size === before && !hasDraft) add(invoices.toSorted(byDueDate));
  }

  const proposals: Array<Proposal & { due: string }> = [];
  for (const invoices of drafts.values()) {
    const reasons = reasonsFor(line, invoices, evidence);
    const score = Math.min(
      100,
      reasons.reduce((sum, r) => sum + r.points, 0),
    );
    if (score < MIN_SCORE) continue;
    const { allocations, unallocated } = allocationsFor(line.amount, invoices);
    proposals.push({
      customer_id: invoices[0]?.customer_id ?? '',
      score,
      allocations,
      unallocated,
      reasons,
      due: invoices[0]?.due_date ?? '',
    });
  }
  return proposals
    .toSorted(
      (a, b) =>
        b.score - a.score ||
        a.allocations.length - b.allocations.length ||
        compareKeys(a.due, b.due) ||
        ((a.allocations[0]?.invoice_id ?? '') < (b.allocations[0]?.invoice_id ?? '') ? -1 : 1),
    )
    .slice(0, MAX_PROPOSALS)
    .map(({ due: _due, ...proposal }) => proposal);
}
