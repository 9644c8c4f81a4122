import type { Db } from '../../store/database.ts';
import {
  customersWithOpenInvoices,
  findOpenInvoicesByAmounts,
  findOpenInvoicesByDigits,
  openInvoicesOfCustomers,
} from './bank-transaction.repository.ts';
import { type NameMatch, nameMatches, nameTokens, numberCandidates, numberDigits, numberFoundIn, payerWords } from './labels.ts';
import { type AmountCandidate, amountCandidates, type LineEvidence, type OpenInvoice, type Proposal, proposeMatches } from './matching.ts';

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

/** Customer names indexed by their identifying words and those words' prefixes (for names cut by the bank). */
function nameIndex(customers: ReadonlyArray<{ id: string; name: string }>) {
  const exact = new Map<string, number[]>();
  const prefix = new Map<string, number[]>();
  const tokens = customers.map((c) => nameTokens(c.name));
  const push = (map: Map<string, number[]>, key: string, index: number) => {
    const list = map.get(key);
    if (list) {
      if (list.at(-1) !== index) list.push(index);
    } else map.set(key, [index]);
  };
  tokens.forEach((words, index) => {
    for (const word of words) {
      push(exact, word, index);
      for (let length = 2; length < word.length; length++) push(prefix, word.slice(0, length), index);
    }
  });
  return { tokens, exact, prefix };
}

/**
 * Proposals for a batch of credit lines, in their order, with a constant number of queries per
 * batch whatever the number of invoices: invoices whose number's digits appear in a label (one
 * indexed lookup), invoices whose balance is a line's amount, the names of customers owed
 * something, and the open invoices of the customers the payers' names designate.
 */
export async function proposeForLines(trx: Db, lines: readonly LineToMatch[]): Promise<Proposal[][]> {
  if (lines.length === 0) return [];
  const candidates = lines.map((line) => numberCandidates(line.label));
  const digits = new Set<string>();
  for (const c of candidates) for (const d of c.digits) digits.add(d);
  const amounts = [...new Set(lines.map((l) => l.amount))];
  const [byDigits, byAmount, customers] = [
    await findOpenInvoicesByDigits(trx, [...digits]),
    await findOpenInvoicesByAmounts(trx, amounts),
    await customersWithOpenInvoices(trx),
  ];

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
  const payersOf = lines.map((line) => {
    const payer = payerWords(line.counterparty_name, line.label);
    const seen = new Set<number>();
    for (const word of payer.words) for (const i of names.exact.get(word) ?? []) seen.add(i);
    for (const cut of payer.truncated) for (const i of names.prefix.get(cut) ?? []) seen.add(i);
    const found: Array<{ customer_id: string; match: NameMatch }> = [];
    for (const index of seen) {
      const match = nameMatches(names.tokens[index] ?? [], payer);
      const customer = customers[index];
      if (match && customer) found.push({ customer_id: customer.id, match });
    }
    return found
      .toSorted((a, b) => (a.match === b.match ? (a.customer_id < b.customer_id ? -1 : 1) : a.match === 'full' ? -1 : 1))
      .slice(0, MAX_PAYERS);
  });

  const searched = new Set<string>();
  for (const payers of payersOf) for (const p of payers.slice(0, MAX_PAYERS_SEARCHED)) searched.add(p.customer_id);
  const invoicesOfCustomer = Map.groupBy(await openInvoicesOfCustomers(trx, [...searched]), (i) => i.customer_id);

  return lines.map((line, index) => {
    const lineCandidates = candidates[index];
    const numbers: LineEvidence['numbers'][number][] = [];
    const seen = new Set<string>();
    if (lineCandidates) {
      for (const d of lineCandidates.digits) {
        for (const invoice of invoicesByDigits.get(d) ?? []) {
          if (seen.has(invoice.id) || invoice.currency !== line.currency) continue;
          const found = numberFoundIn(invoice.number, lineCandidates);
          if (!found) continue;
          seen.add(invoice.id);
          numbers.push({ invoice, found });
        }
      }
    }
    const amounts = amountsIndex.get(`${line.currency}:${line.amount}`) ?? [];
    const evidence: LineEvidence = {
      numbers,
      amounts,
      amountShared: new Set(amounts.map((a) => a.invoice.id)).size,
      payers: payersOf[index] ?? [],
      invoicesOf: (customerId: string): OpenInvoice[] => (invoicesOfCustomer.get(customerId) ?? []).filter((i) => i.currency === line.currency),
    };
    return proposeMatches(line, evidence);
  });
}
