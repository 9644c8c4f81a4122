/**
 * Reading bank labels: what banks print ("VIR SEPA RECU /DE ACME SARL /MOTIF FACT 2026-0042",
 * "EREF+F20260042 SVWZ+Rechnung", "FPS CREDIT J SMITH INV 42") turned into tokens, candidate
 * invoice numbers and name tokens. Pure functions.
 */

/** Upper case, accents and ligatures folded ("Müller & Söhne" → "MULLER & SOHNE"). */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[Øø]/g, 'O')
    .replace(/[Ææ]/g, 'AE')
    .replace(/[Œœ]/g, 'OE')
    .toUpperCase();
}

/** An invoice number as it is compared with a label: letters and digits only ("F-2026/0042" → "F20260042"). */
export const numberKey = (number: string): string => normaliseText(number).replace(/[^A-Z0-9]/g, '');

/** The digits of an invoice number; the column `invoices.number_digits` holds the same. */
export const numberDigits = (number: string): string => number.replace(/[^0-9]/g, '');

// Numbers in labels that are never invoice numbers: removed before the label is searched.
const NOISE: readonly RegExp[] = [
  // IBANs, grouped by four or not ("FR76 3000 6000 0112 3456 7890 189", "DE89370400440532013000").
  /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,8}(?: ?[A-Z0-9]{1,3})?\b/g,
  // Dates: 15/03/2026, 15.03.26, 2026-03-15, 15-03-2026.
  /\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b/g,
  /\b\d{4}-\d{2}-\d{2}\b/g,
  // Times: 14:32, 14:32:05.
  /\b\d{1,2}:\d{2}(?::\d{2})?\b/g,
  // Amounts with decimals: 1.234,56 / 1,234.56 / 1234,56 / 12.50.
  /\b\d{1,3}(?:[ .,]\d{3})*[.,]\d{2}\b(?![./-]\d)/g,
];

/** The label's words and numbers, noise removed, in order. */
export function labelTokens(label: string): string[] {
  let text = normaliseText(label);
  for (const pattern of NOISE) text = text.replace(pattern, ' ');
  return text.split(/[^A-Z0-9]+/).filter((token) => token.length > 0);
}

/** Up to how many adjacent tokens an invoice number may be split into ("FACT", "2026", "0042"). */
const WINDOW = 4;

export interface NumberCandidates {
  /** Letters-and-digits keys of every run of adjacent tokens. */
  keys: Set<string>;
  /** Their digits (at least one), looked up against `invoices.number_digits`. */
  digits: Set<string>;
}

/**
 * Every way the label may spell an invoice number: runs of up to four adjacent tokens joined
 * without separators ("INV/2026/0042" → "INV20260042", "20260042"…), and their digits.
 */
export function numberCandidates(label: string): NumberCandidates {
  const tokens = labelTokens(label);
  const keys = new Set<string>();
  const digits = new Set<string>();
  for (let start = 0; start < tokens.length; start++) {
    let key = '';
    for (let end = start; end < Math.min(tokens.length, start + WINDOW); end++) {
      key += tokens[end];
      const d = numberDigits(key);
      if (d.length === 0) continue;
      keys.add(key);
      digits.add(d);
    }
  }
  return { keys, digits };
}

/** How an invoice number was found in a label. */
export type NumberFound = 'exact' | 'digits';

/** Digits-only matches shorter than this are noise (a postcode, a year, a cheque number). */
export const MIN_DIGITS_MATCH = 5;

/**
 * Whether the label names this invoice number: `exact` when its letters and digits appear as a
 * run of tokens ("F-2026-0042" in "REF F20260042"), `digits` when only its digits do and they are
 * long enough not to be chance ("2026 0042" for "F-2026-0042"), else null. A number without
 * digits is never searched.
 */
export function numberFoundIn(number: string, candidates: NumberCandidates): NumberFound | null {
  const digits = numberDigits(number);
  if (digits.length === 0) return null;
  const key = numberKey(number);
  if (key.length >= 3 && candidates.keys.has(key)) return 'exact';
  if (digits.length >= MIN_DIGITS_MATCH && candidates.digits.has(digits)) return 'digits';
  return null;
}

// Words that say nothing about who a company is: legal forms, articles, banking words.
const NAME_STOPWORDS = new Set(
  (
    'SA SAS SASU SARL EURL SCI SNC SCOP SCA EI EIRL GIE SELARL ET CIE CO COMPANY CORP CORPORATION INC LTD LIMITED PLC LLP LLC ' +
    'GMBH AG KG OHG UG EK MBH GBR CO KGAA BV NV SRL SPA SL SLU AB AS OY APS ' +
    'LE LA LES DE DU DES D L ET AND THE OF UND DER DIE DAS VON FUR A AU AUX EN ' +
    'M MR MRS MS MME MLLE MM HERR FRAU DR ' +
    'VIR VIREMENT SEPA RECU EMIS DE PAR REF MOTIF FACT FACTURE FACTURES PAIEMENT REGLEMENT INV INVOICE INVOICES PAYMENT ' +
    'RECHNUNG RE GUTSCHRIFT UEBERWEISUNG UBERWEISUNG EREF MREF KREF SVWZ ABWA CRED IBAN BIC CB CHQ CHEQUE REMISE ' +
    'FPS CREDIT BGC BACS TFR TRANSFER FROM TO FASTER PAYMENTS RFB NOTPROVIDED ' +
    'GROUP GROUPE HOLDING FRANCE INTERNATIONAL SERVICES SERVICE SOLUTIONS CONSULTING'
  ).split(' '),
);

/**
 * A word of a name as compared: German banks spell "Müller" MUELLER, French ones MULLER; both
 * become MULLER (AE, OE, UE lose their E on both sides of the comparison).
 */
const nameWord = (word: string) => word.replace(/([AOU])E/g, '$1');

/** The words of a name that identify it (no legal form, article or banking word). */
export function nameTokens(name: string): string[] {
  const tokens = normaliseText(name)
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length > 0);
  const significant = tokens.filter((t) => t.length >= 2 && !NAME_STOPWORDS.has(t));
  return [...new Set((significant.length > 0 ? significant : tokens.filter((t) => t.length >= 2)).map(nameWord))];
}

/** What a bank line says about its payer: its words, and the last word of each source (perhaps truncated). */
export interface PayerWords {
  words: Set<string>;
  /** Banks cut names at a fixed width: the last word of a source may be the start of a longer one. */
  truncated: string[];
}

export function payerWords(counterpartyName: string | null, label: string): PayerWords {
  const words = new Set<string>();
  const truncated: string[] = [];
  // The name field is cut anywhere ("DUPONT ET FI"); a label's last word only counts if long.
  for (const [source, shortest] of [
    [counterpartyName, 2],
    [label, 4],
  ] as const) {
    if (!source) continue;
    const tokens = normaliseText(source)
      .split(/[^A-Z0-9]+/)
      .filter((t) => t.length > 0)
      .map(nameWord);
    for (const token of tokens) words.add(token);
    const last = tokens.at(-1);
    if (last && last.length >= shortest && !NAME_STOPWORDS.has(last)) truncated.push(last);
  }
  return { words, truncated };
}

export type NameMatch = 'full' | 'partial';

/**
 * Whether a customer's name is the payer's: `full` when every identifying word of the name is
 * in the line (the last one perhaps cut by the bank) and one of three letters or more is there
 * whole; `partial` when at least half are and such a word is among them; else null.
 */
export function nameMatches(customerTokens: readonly string[], payer: PayerWords): NameMatch | null {
  if (customerTokens.length === 0) return null;
  let found = 0;
  let anchor = false;
  for (const token of customerTokens) {
    if (payer.words.has(token)) {
      found++;
      if (token.length >= 3) anchor = true;
    } else if (payer.truncated.some((cut) => cut.length < token.length && token.startsWith(cut))) {
      found++;
    }
  }
  if (!anchor) return null;
  if (found === customerTokens.length) return 'full';
  return found * 2 >= customerTokens.length ? 'partial' : null;
}
