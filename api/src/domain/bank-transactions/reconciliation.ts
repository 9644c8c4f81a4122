import type { Db } from '../../store/database.ts';
import {
  customerNames,
  findOpenInvoicesByAmounts,
  findOpenInvoicesByDigits,
  openInvoicesOfCustomers,
} from './bank-transaction.repository.ts';
import {
  type NameMatch,
  nameMatches,
  nameTokens,
  numberCandidates,
  numberDigits,
  numberFoundIn,
  type PayerWords,
  payerWords,
} from './labels.ts';
import {
  type AmountCandidate,
  amountCandidates,
  type LineEvidence,
  type OpenInvoice,
  type Proposal,
  proposeMatches,
} from './matching.ts';

/** A credit line to match (amount > 0). */
export interface LineToMatch {
  amount: number;
  currency: string;
  label: string;
  counterparty_name: string | null;
}

/** Payers compared per line at most (the strongest name matches), and those searched for combinations. */
const MAX_PAYERS = 20;
const MAX_PAYERS_SEARCHED = 5;

/** Customer names indexed by their identifying words; the words sorted, to find those a cut word begins. */
function nameIndex(customers: ReadonlyArray<{ id: string; name: string }>) {
  const byWord = new Map<string, number[]>();
  const tokens = customers.map((c) => nameTokens(c.name));
  tokens.forEach((words, index) => {
    for (const word of words) {
      const list = byWord.get(word);
      if (!list) byWord.set(word, [index]);
      else if (list.at(-1) !== index) list.push(index);
    }
  });
  const sorted = [...byWord.keys()].toSorted();
  /** Customers with a word that starts with `cut` (and is longer). */
  const startingWith = (cut: string): number[] => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((sorted[mid] as string) < cut) low = mid + 1;
      else high = mid;
    }
    const found: number[] = [];
    for (let i = low; i < sorted.length && (sorted[i] as string).startsWith(cut); i++) {
      if (sorted[i] !== cut) found.push(...(byWord.get(sorted[i] as string) ?? []));
    }
    return found;
  };
  return { tokens, byWord, startingWith, counts: new Int32Array(customers.length) };
}

/** A partial name match counts only when it designates at most this many customers. */
const MAX_PARTIAL_PAYERS = 5;

/**
 * The customers a payer may be, full matches first. Counts, per customer, the words of its name
 * the line has: only those with all of them (one perhaps cut) can be full matches, and partial
 * ones are kept only when few customers share the words (a trade or a common surname alone says
 * nothing). The candidates found this way are then checked by `nameMatches`.
 */
function payersOfLine(
  names: ReturnType<typeof nameIndex>,
  customers: ReadonlyArray<{ id: string }>,
  payer: PayerWords,
) {
  // A counter per customer, reset after use: cheaper than a Map on the thousands of lines of a batch.
  const counts = names.counts;
  const touched: number[] = [];
  for (const word of payer.words) {
    for (const i of names.byWord.get(word) ?? []) {
      if (counts[i] === 0) touched.push(i);
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  const cut = new Set<number>();
  for (const start of payer.truncated) for (const i of names.startingWith(start)) cut.add(i);
  const full: number[] = [];
  const partial: number[] = [];
  for (const index of touched) {
    const count = counts[index] ?? 0;
    counts[index] = 0;
    const length = names.tokens[index]?.length ?? 0;
    if (count === length || (count === length - 1 && cut.has(index))) full.push(index);
    else if (count * 2 >= length) partial.push(index);
  }
  const found: Array<{ customer_id: string; match: NameMatch }> = [];
  const check = (indexes: number[], want: NameMatch) => {
    for (const index of indexes.toSorted((a, b) => a - b)) {
      const customer = customers[index];
      if (customer && nameMatches(names.tokens[index] ?? [], payer) === want)
        found.push({ customer_id: customer.id, match: want });
    }
  };
  check(full, 'full');
  if (partial.length <= MAX_PARTIAL_PAYERS) check(partial, 'partial');
  return found.slice(0, MAX_PAYERS);
}

/**
 * Proposals for a batch of credit lines, in their order, with a constant number of queries per
 * batch whatever the number of invoices: invoices whose number's digits appear in a label (one
 * indexed lookup), invoices whose balance is a line's amount, the customers' names, and the
 * open invoices of the customers the payers' names designate.
 */
export async function proposeForLines(trx: Db, lines: readonly LineToMatch[]): Promise<Proposal[][]> {
  if (lines.length === 0) return [];
  const candidates = lines.map((line) => numberCandidates(line.label));
  const digits = new Set<string>();
  for (const c of candidates) for (const d of c.digits) digits.add(d);
  const amounts = [...new Set(lines.map((l) => l.amount))];
  const byDigits = await findOpenInvoicesByDigits(trx, [...digits]);
  const byAmount = await findOpenInvoicesByAmounts(trx, amounts);
  const customers = await customerNames(trx);

  const invoicesByDigits = Map.groupBy(byDigits, (i) => numberDigits(i.number));
  const amountsIndex = new Map<string, AmountCandidate[]>();
  for (const invoice of byAmount) {
    for (const candidate of amountCandidates(invoice)) {
      const key = `${invoice.currency}:${candidate.amount}`;
      const list = amountsIndex.get(key);
      if (list) list.push(candidate);
      else amountsIndex.set(key, [candidate]);
    }
  }

  const names = nameIndex(customers);
  const payersOf = lines.map((line) => payersOfLine(names, customers, payerWords(line.counterparty_name, line.label)));

  const numbersOf = lines.map((line, index) => {
    const lineCandidates = candidates[index];
    const numbers: Array<LineEvidence['numbers'][number]> = [];
    const seen = new Set<string>();
    if (!lineCandidates) return numbers;
    for (const d of lineCandidates.digits) {
      for (const invoice of invoicesByDigits.get(d) ?? []) {
        if (seen.has(invoice.id) || invoice.currency !== line.currency) continue;
        const found = numberFoundIn(invoice.number, lineCandidates);
        if (!found) continue;
        seen.add(invoice.id);
        numbers.push({ invoice, found });
      }
    }
    return numbers;
  });

  // The payers' invoices are read for combinations and oldest-due-first proposals, unless the
  // invoices the label names already account for the amount exactly.
  const settledByNumbers = lines.map((line, index) => {
    const named = numbersOf[index] ?? [];
    return (
      named.length > 0 &&
      (named.some((n) => n.invoice.balance === line.amount) ||
        named.reduce((sum, n) => sum + n.invoice.balance, 0) === line.amount)
    );
  });
  const searched = new Set<string>();
  payersOf.forEach((payers, index) => {
    if (!settledByNumbers[index]) for (const p of payers.slice(0, MAX_PAYERS_SEARCHED)) searched.add(p.customer_id);
  });
  const invoicesOfCustomer = Map.groupBy(
    await openInvoicesOfCustomers(trx, [...searched]),
    (i) => `${i.customer_id}:${i.currency}`,
  );
  const invoicesIn = (customerId: string, currency: string): readonly OpenInvoice[] =>
    invoicesOfCustomer.get(`${customerId}:${currency}`) ?? [];

  return lines.map((line, index) => {
    const numbers = numbersOf[index] ?? [];
    const amounts = amountsIndex.get(`${line.currency}:${line.amount}`) ?? [];
    const evidence: LineEvidence = {
      numbers,
      amounts,
      amountShared: new Set(amounts.map((a) => a.invoice.id)).size,
      payers: payersOf[index] ?? [],
      invoicesOf: (customerId: string): readonly OpenInvoice[] =>
        settledByNumbers[index] ? [] : invoicesIn(customerId, line.currency),
    };
    return proposeMatches(line, evidence);
  });
}
