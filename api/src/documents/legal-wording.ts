/**
 * How Relance names late fees and their legal basis, in French and English: the words of the
 * formal-notice letter, the statement and the reminder emails' fee lines. A B2B preset cites its
 * law (FR: Code de commerce art. L441-10 and D441-5; EU: Directive 2011/7/EU; UK: Late Payment
 * of Commercial Debts (Interest) Act 1998; DE: § 288 BGB; IE: S.I. No. 580 of 2012); fees under
 * the creditor's own terms cite them.
 */
import type { FeeBasis, FormalNotice } from '../domain/documents/index.ts';

export const REFERENCE_NAME = {
  fr: {
    ecb_mro: 'taux de refinancement de la Banque centrale européenne',
    boe_base: "taux de base de la Banque d'Angleterre",
    bundesbank_base: 'taux de base de la Bundesbank (Basiszinssatz)',
  },
  en: {
    ecb_mro: "European Central Bank's main refinancing rate",
    boe_base: 'Bank of England base rate',
    bundesbank_base: 'Bundesbank base rate (Basiszinssatz)',
  },
} as const;

export const LAW = {
  fr: {
    fr_b2b: { interest: 'art. L441-10 du Code de commerce', fee: 'art. L441-10 et D441-5 du Code de commerce' },
    eu_b2b: { interest: 'directive 2011/7/UE, art. 2 et 3', fee: 'directive 2011/7/UE, art. 6' },
    uk_b2b: {
      interest: 'Late Payment of Commercial Debts (Interest) Act 1998',
      fee: 'Late Payment of Commercial Debts (Interest) Act 1998, s. 5A',
    },
    de_b2b: { interest: '§ 288 (2) BGB', fee: '§ 288 (5) BGB' },
    ie_b2b: {
      interest: 'European Communities (Late Payment in Commercial Transactions) Regulations 2012 (S.I. n° 580/2012)',
      fee: 'European Communities (Late Payment in Commercial Transactions) Regulations 2012 (S.I. n° 580/2012)',
    },
    contract: { interest: 'nos conditions de paiement', fee: 'nos conditions de paiement' },
  },
  en: {
    fr_b2b: {
      interest: 'French Commercial Code, art. L441-10',
      fee: 'French Commercial Code, art. L441-10 and D441-5',
    },
    eu_b2b: { interest: 'Directive 2011/7/EU, art. 2 and 3', fee: 'Directive 2011/7/EU, art. 6' },
    uk_b2b: {
      interest: 'Late Payment of Commercial Debts (Interest) Act 1998',
      fee: 'Late Payment of Commercial Debts (Interest) Act 1998, s. 5A',
    },
    de_b2b: { interest: 'German Civil Code (BGB), § 288 (2)', fee: 'German Civil Code (BGB), § 288 (5)' },
    ie_b2b: {
      interest:
        'European Communities (Late Payment in Commercial Transactions) Regulations 2012 (S.I. No. 580 of 2012)',
      fee: 'European Communities (Late Payment in Commercial Transactions) Regulations 2012 (S.I. No. 580 of 2012)',
    },
    contract: { interest: 'our terms of payment', fee: 'our terms of payment' },
  },
} as const;

export type FeeLanguage = 'fr' | 'en';

/** A percentage as the language writes it: "12,15 %", "12.15%". */
export function percent(bps: number, lang: string): string {
  let format = percentFormats.get(lang);
  if (!format) {
    // Building a formatter costs far more than using one: a page of 200 invoices formats 400 rates.
    if (percentFormats.size >= 32) percentFormats.clear();
    format = new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    percentFormats.set(lang, format);
  }
  return format.format(bps / 10_000);
}
const percentFormats = new Map<string, Intl.NumberFormat>();

/**
 * The label of an interest run: its annual rate and, for a statutory preset, what the rate is
 * made of (the reference rate's name and value, and the margin), its days and its basis. Rates in
 * basis points, written in `lang`'s way ("12,15 %", "12.15%").
 */
export function interestLabel(
  language: FeeLanguage,
  reference: FormalNotice['reference'],
  basis: FeeBasis,
  rateBps: number,
  lang: string,
  from: string,
  to: string,
): string {
  const rate = percent(rateBps, lang);
  const statutory = reference && basis !== 'contract' ? reference : null;
  const margin = statutory ? statutory.margin_bps / 100 : 0;
  const base = statutory ? percent(rateBps - statutory.margin_bps, lang) : '';
  if (language === 'fr')
    return `Intérêts de retard au taux annuel de ${rate}${
      statutory ? ` (${REFERENCE_NAME.fr[statutory.source]}, ${base}, majoré de ${margin} points)` : ''
    }, du ${from} au ${to} (${LAW.fr[basis].interest})`;
  return `Late payment interest at ${rate} a year${
    statutory ? ` (the ${REFERENCE_NAME.en[statutory.source]}, ${base}, plus ${margin} points)` : ''
  }, from ${from} to ${to} (${LAW.en[basis].interest})`;
}

/** The label of the fixed recovery fee and its basis. */
export function recoveryFeeLabel(language: FeeLanguage, basis: FeeBasis): string {
  if (language === 'fr')
    return basis === 'contract'
      ? `Frais de recouvrement (${LAW.fr.contract.fee})`
      : `Indemnité forfaitaire pour frais de recouvrement (${LAW.fr[basis].fee})`;
  return basis === 'contract'
    ? `Recovery costs (${LAW.en.contract.fee})`
    : `Fixed compensation for recovery costs (${LAW.en[basis].fee})`;
}
