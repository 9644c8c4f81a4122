import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Accounts, Customers, Invoices } from '../../store/db-types.ts';
import { addDays } from '../calendar.ts';
import { lateFeeSettings, PRESET_REFERENCE, unwaivedFeesOf } from '../late-fees/index.ts';
import { isB2bPreset, type PostalAddress } from '../shared/index.ts';

/** Days the debtor is given to pay after a formal notice, unless the policy says otherwise. */
export const FORMAL_NOTICE_DEADLINE_DAYS = 8;

/** The statutory basis a formal notice cites for its fees: a B2B preset, or the creditor's own terms. */
export type FeeBasis = 'fr_b2b' | 'eu_b2b' | 'uk_b2b' | 'de_b2b' | 'ie_b2b' | 'contract';

/** Everything a formal-notice letter states, as facts (the wording is the renderer's, per language). */
export interface FormalNotice {
  locale: 'fr' | 'en';
  /** The letter's date (today in the account's time zone) and the day payment is required by. */
  date: string;
  deadline: string;
  deadline_days: number;
  creditor: {
    name: string;
    legal_name: string | null;
    registration_number: string | null;
    vat_number: string | null;
    address: PostalAddress | null;
    contact_phone: string | null;
    email: string | null;
    payment_instructions: string | null;
  };
  debtor: {
    name: string;
    legal_name: string | null;
    contact_name: string | null;
    registration_number: string | null;
    address: PostalAddress | null;
    consumer: boolean;
  };
  currency: string;
  invoices: Array<{ number: string; issue_date: string; due_date: string; total: number; principal_due: number }>;
  /** Interest lines grouped by rate: each run of days at one annual rate (basis points). */
  interest: Array<{ from: string; to: string; rate_bps: number; amount: number }>;
  recovery_fee: number;
  basis: FeeBasis | null;
  /** What the statutory rate is made of (a central bank's rate plus a margin), for a B2B preset. */
  reference: { source: 'ecb_mro' | 'boe_base' | 'bundesbank_base'; margin_bps: number } | null;
  /** The invoice's balance: principal due plus the fees not waived. */
  total_due: number;
  /**
   * A message about the invoice went out before the letter, so it may open with "despite our
   * reminders". False when the letter is the first the customer hears of it (a customer with no
   * address to message, a step allowed as first contact). Absent on letters decided before it
   * existed, which all said so.
   */
  reminded_before?: boolean;
}

/** What each statutory rate is made of, as the late-fees module computes it. */
const REFERENCE: Record<Exclude<FeeBasis, 'contract'>, FormalNotice['reference']> = PRESET_REFERENCE;

/** An invoice's late fees as their parts, with what the law calls them and how the rate is made. */
export type FeeParts = Pick<FormalNotice, 'interest' | 'recovery_fee' | 'basis' | 'reference'>;

/**
 * The fees an invoice carries (not waived), as their parts: interest per run of days at one
 * rate, the fixed recovery fee, and the basis to cite (a B2B preset, or the creditor's terms).
 */
export async function feePartsOf(
  trx: Db,
  invoice: Pick<Selectable<Invoices>, 'id' | 'account_id' | 'customer_id' | 'payment_terms_id'>,
): Promise<FeeParts> {
  return (
    (await feePartsOfMany(trx, [invoice])).get(invoice.id) ?? {
      interest: [],
      recovery_fee: 0,
      basis: null,
      reference: null,
    }
  );
}

/**
 * `feePartsOf` for several invoices in a few statements: their fees in one, the fee settings once
 * per payment terms (a page of a customer's invoices must not cost four statements per invoice).
 */
export async function feePartsOfMany(
  trx: Db,
  invoices: ReadonlyArray<Pick<Selectable<Invoices>, 'id' | 'account_id' | 'customer_id' | 'payment_terms_id'>>,
): Promise<Map<string, FeeParts>> {
  const result = new Map<string, FeeParts>();
  const first = invoices[0];
  if (!first) return result;
  const fees = await unwaivedFeesOf(
    trx,
    first.account_id,
    invoices.map((i) => i.id),
  );
  const byInvoice = Map.groupBy(fees, (f) => f.invoice_id);
  const settings = new Map<string, Awaited<ReturnType<typeof lateFeeSettings>>>();
  for (const invoice of invoices) {
    const own = byInvoice.get(invoice.id) ?? [];
    const interest: FormalNotice['interest'] = [];
    for (const fee of own.filter((f) => f.kind === 'interest')) {
      const last = interest.at(-1);
      const rate = fee.rate_bps ?? 0;
      if (last && last.rate_bps === rate && addDays(last.to, 1) >= fee.period_from) {
        if (fee.period_to > last.to) last.to = fee.period_to;
        last.amount += fee.amount;
      } else interest.push({ from: fee.period_from, to: fee.period_to, rate_bps: rate, amount: fee.amount });
    }
    const recoveryFee = own.filter((f) => f.kind === 'recovery_fee').reduce((sum, f) => sum + f.amount, 0);
    if (own.length === 0) {
      result.set(invoice.id, { interest, recovery_fee: 0, basis: null, reference: null });
      continue;
    }
    const key = `${invoice.customer_id} ${invoice.payment_terms_id ?? ''}`;
    let setting = settings.get(key);
    if (!setting) {
      setting = await lateFeeSettings(trx, invoice);
      settings.set(key, setting);
    }
    const { preset, terms, consumer } = setting;
    const kind = terms?.late_fee_kind ?? preset;
    const basis: FeeBasis = isB2bPreset(kind) && !consumer && kind in REFERENCE ? (kind as FeeBasis) : 'contract';
    result.set(invoice.id, {
      interest,
      recovery_fee: recoveryFee,
      basis,
      reference: basis !== 'contract' ? REFERENCE[basis] : null,
    });
  }
  return result;
}

/** The language of a letter: the customer's, else the account's, when Relance writes letters in it; else English. */
function noticeLocale(...tags: Array<string | null>): FormalNotice['locale'] {
  for (const tag of tags) {
    const language = tag?.split('-')[0]?.toLowerCase();
    if (language === 'fr' || language === 'en') return language;
  }
  return 'en';
}

/** The facts of a formal notice about one invoice, read in the caller's transaction (its row locked). */
export async function formalNoticeOf(
  trx: Db,
  input: {
    account: Selectable<Accounts>;
    customer: Selectable<Customers>;
    invoice: Selectable<Invoices>;
    today: string;
    remindedBefore: boolean;
  },
): Promise<FormalNotice> {
  const { account, customer, invoice, today } = input;
  const { interest, recovery_fee: recoveryFee, basis, reference } = await feePartsOf(trx, invoice);
  // What is still owed of the invoice itself: the balance less the fees it carries.
  const principalDue = invoice.balance - invoice.late_fees;
  return {
    locale: noticeLocale(customer.locale, account.locale),
    date: today,
    deadline: addDays(today, FORMAL_NOTICE_DEADLINE_DAYS),
    deadline_days: FORMAL_NOTICE_DEADLINE_DAYS,
    creditor: {
      name: account.name,
      legal_name: account.legal_name,
      registration_number: account.registration_number,
      vat_number: account.vat_number,
      address: account.billing_address as PostalAddress | null,
      contact_phone: account.contact_phone,
      email: account.reply_to ?? account.sender_email,
      payment_instructions: account.payment_instructions,
    },
    debtor: {
      name: customer.name,
      legal_name: customer.legal_name,
      contact_name: customer.contact_name,
      registration_number: customer.registration_number,
      address: customer.billing_address as PostalAddress | null,
      consumer: customer.kind === 'consumer',
    },
    currency: invoice.currency,
    invoices: [
      {
        number: invoice.number,
        issue_date: invoice.issue_date,
        due_date: invoice.due_date,
        total: invoice.total,
        principal_due: principalDue,
      },
    ],
    interest,
    recovery_fee: recoveryFee,
    basis,
    reference,
    total_due: invoice.balance,
    reminded_before: input.remindedBefore,
  };
}
