/**
 * The variables a reminder template can use, built from the API's own objects. Pure: the caller
 * reads the account, customer and invoice, and says which day "today" is in the account's zone.
 */
import type { Account } from '../domain/accounts/index.ts';
import { daysBetween } from '../domain/calendar.ts';
import type { Customer } from '../domain/customers/index.ts';
import { type Invoice, overdueState } from '../domain/invoices/index.ts';
import type { FeeParts } from '../domain/documents/index.ts';
import { interestLabel, recoveryFeeLabel } from '../documents/legal-wording.ts';
import { formatDate } from './render.ts';

/** The languages Relance has default templates in. */
export const TEMPLATE_LOCALES = ['fr', 'en'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];

/**
 * Every variable of a reminder, snake_case as in the REST API. Amounts are integers in the
 * invoice currency's minor unit (format them with `{{money …}}`); dates are `YYYY-MM-DD`
 * (format them with `{{date …}}`). Absent values are `null`, never missing: templates run in
 * strict mode, where a name that does not exist is an error.
 */
export interface ReminderContext {
  /** Language of the template: `fr` or `en`. */
  locale: TemplateLocale;
  /** Locale amounts and dates are formatted in: the customer's or account's tag (`en-GB`) when it is in `locale`'s language. */
  format_locale: string;
  /** The day the message is written, in the account's time zone. */
  today: string;
  step: { key: string; offset_days: number };
  customer: { name: string; contact_name: string | null; email: string | null };
  invoice: {
    number: string;
    /** What it was for, short enough for a subject: the memo's first line, else the first item's description (80 characters at most). */
    description: string | null;
    issue_date: string;
    due_date: string;
    currency: string;
    total: number;
    amount_paid: number;
    amount_credited: number;
    /** What is left of the invoice itself, late fees excluded. */
    balance: number;
    late_fees: number;
    /**
     * The late fees as their parts, each with its label in the message's language (rate, days and
     * legal basis for interest; the basis of the fixed recovery fee); empty when there are none.
     */
    fee_parts: Array<{ label: string; amount: number }>;
    /** What the customer owes now: balance + late fees. */
    total_due: number;
    /** Days past the due date (0 before and on it). */
    days_overdue: number;
    /** Days until the due date (0 on and after it). */
    days_until_due: number;
    payment_url: string | null;
    pdf_url: string | null;
    line_items: Array<{ description: string; quantity: number; unit_amount: number; amount: number }>;
  };
  /** The customer's page (docs/portal.md): everything it owes, pay, answer; null when the account switched it off. */
  portal_url: string | null;
  /** On a payment plan: the installment this reminder is about (null otherwise). */
  installment: {
    number: number;
    /** How many installments the plan has. */
    count: number;
    due_date: string;
    amount: number;
    paid_amount: number;
    /** What is left to pay of it: amount − paid_amount. */
    amount_due: number;
  } | null;
  creditor: {
    name: string;
    legal_name: string | null;
    /** Who signs: the account's sender name, else its name. */
    sender_name: string;
    contact_phone: string | null;
    /** Where to write back: the reply-to address, else the sender address. */
    email: string | null;
    payment_instructions: string | null;
    registration_number: string | null;
    vat_number: string | null;
    /** The creditor's postal address on one line, or null. */
    address: string | null;
    /**
     * The creditor's legal identity on one line, for the footer of every message: legal name,
     * address, registration and VAT numbers (those the account has), or null when it has none.
     */
    identity: string | null;
  };
}

export interface ReminderContextInput {
  account: Pick<
    Account,
    | 'name'
    | 'legal_name'
    | 'sender_name'
    | 'sender_email'
    | 'reply_to'
    | 'contact_phone'
    | 'payment_instructions'
    | 'locale'
    | 'registration_number'
    | 'vat_number'
    | 'billing_address'
  >;
  customer: Pick<Customer, 'name' | 'contact_name' | 'email' | 'locale'>;
  invoice: Pick<
    Invoice,
    | 'number'
    | 'memo'
    | 'line_items'
    | 'issue_date'
    | 'due_date'
    | 'currency'
    | 'total'
    | 'amount_paid'
    | 'amount_credited'
    | 'late_fees'
    | 'balance'
    | 'payment_url'
    | 'pdf_url'
    | 'status'
  >;
  /** `YYYY-MM-DD` in the account's time zone. */
  today: string;
  stepKey: string;
  offsetDays: number;
  /** The payment plan installment the reminder is about, if any. */
  installment?: { number: number; count: number; due_date: string; amount: number; paid_amount: number } | null;
  /** The template locale; by default {@link resolveTemplateLocale} of the customer and account. */
  locale?: TemplateLocale;
  /** The invoice's fees as their parts (see `feePartsOf`); without them, only their total shows. */
  fees?: FeeParts | null;
  /** The customer's page, when the message carries a link to it. */
  portalUrl?: string | null;
}

/** The fee lines of a message: each run of interest, then the fixed recovery fee. */
export function feeLines(fees: FeeParts | null | undefined, locale: TemplateLocale, formatLocale: string) {
  if (!fees?.basis) return [];
  const basis = fees.basis;
  const day = (d: string) => formatDate(d, formatLocale);
  return [
    ...fees.interest.map((run) => ({
      label: interestLabel(locale, fees.reference, basis, run.rate_bps, formatLocale, day(run.from), day(run.to)),
      amount: run.amount,
    })),
    ...(fees.recovery_fee > 0 ? [{ label: recoveryFeeLabel(locale, basis), amount: fees.recovery_fee }] : []),
  ];
}

const languageOf = (tag: string | null | undefined): string | undefined => tag?.split('-')[0]?.toLowerCase();

const isTemplateLocale = (language: string | undefined): language is TemplateLocale =>
  (TEMPLATE_LOCALES as readonly string[]).includes(language ?? '');

/**
 * The template language for a customer: the customer's locale, else the account's, else
 * English, each reduced to its language (`fr-FR` → `fr`). A language Relance has no template
 * in is skipped (a `de` customer of a French account gets French).
 */
export function resolveTemplateLocale(
  customerLocale: string | null | undefined,
  accountLocale: string | null | undefined,
): TemplateLocale {
  for (const tag of [customerLocale, accountLocale]) {
    const language = languageOf(tag);
    if (isTemplateLocale(language)) return language;
  }
  return 'en';
}

/** The most precise tag of the customer or account that speaks `locale`, for number and date formats. */
function formatLocaleFor(locale: TemplateLocale, tags: Array<string | null | undefined>): string {
  for (const tag of tags) {
    if (tag && languageOf(tag) === locale && Intl.NumberFormat.supportedLocalesOf(tag).length > 0) return tag;
  }
  return locale;
}

const DESCRIPTION_MAX = 80;

function shortDescription(text: string | null): string | null {
  const line = text
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (!line) return null;
  return line.length > DESCRIPTION_MAX ? `${line.slice(0, DESCRIPTION_MAX - 1).trimEnd()}…` : line;
}

/** The variables of one reminder: what the templates of `stepKey` are rendered with. */
export function buildReminderContext(input: ReminderContextInput): ReminderContext {
  const { account, customer, invoice, today } = input;
  const locale = input.locale ?? resolveTemplateLocale(customer.locale, account.locale);
  const sinceDue = daysBetween(invoice.due_date, today);
  const totalDue = Math.max(0, invoice.balance);
  const formatLocale = formatLocaleFor(locale, [customer.locale, account.locale]);
  return {
    locale,
    format_locale: formatLocale,
    today,
    step: { key: input.stepKey, offset_days: input.offsetDays },
    customer: { name: customer.name, contact_name: customer.contact_name, email: customer.email },
    invoice: {
      number: invoice.number,
      description: shortDescription(invoice.memo ?? invoice.line_items[0]?.description ?? null),
      issue_date: invoice.issue_date,
      due_date: invoice.due_date,
      currency: invoice.currency,
      total: invoice.total,
      amount_paid: invoice.amount_paid,
      amount_credited: invoice.amount_credited,
      balance: Math.max(0, totalDue - invoice.late_fees),
      late_fees: invoice.late_fees,
      fee_parts: feeLines(input.fees, locale, formatLocale),
      total_due: totalDue,
      // The domain's rule: only an invoice still owed is overdue.
      days_overdue: overdueState(invoice, today).days_overdue,
      days_until_due: Math.max(0, -sinceDue),
      payment_url: invoice.payment_url,
      pdf_url: invoice.pdf_url,
      line_items: invoice.line_items.map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unit_amount: l.unit_amount,
        amount: l.amount,
      })),
    },
    portal_url: input.portalUrl ?? null,
    installment: input.installment
      ? { ...input.installment, amount_due: Math.max(0, input.installment.amount - input.installment.paid_amount) }
      : null,
    creditor: creditorOf(account, locale),
  };
}

/** The creditor as every message names it, in the message's language. */
function creditorOf(account: ReminderContextInput['account'], locale: TemplateLocale): ReminderContext['creditor'] {
  return {
    name: account.name,
    legal_name: account.legal_name,
    sender_name: account.sender_name ?? account.name,
    contact_phone: account.contact_phone,
    email: account.reply_to ?? account.sender_email,
    payment_instructions: account.payment_instructions,
    registration_number: account.registration_number,
    vat_number: account.vat_number,
    address: addressLine(account.billing_address, locale),
    identity: identityLine(account, locale),
  };
}

/**
 * Every variable of a statement email (the monthly statement, docs/reports.md#statements-by-email),
 * as a reminder's but with the statement in place of an invoice: its period and, per currency,
 * what the customer owes at its end.
 */
export interface StatementContext {
  locale: TemplateLocale;
  format_locale: string;
  today: string;
  customer: ReminderContext['customer'];
  statement: {
    from: string;
    to: string;
    /** Per currency (never summed across currencies), in its minor unit: the balance at the end of the period. */
    balances: Array<{ currency: string; amount: number }>;
  };
  portal_url: string | null;
  creditor: ReminderContext['creditor'];
}

export interface StatementContextInput {
  account: ReminderContextInput['account'];
  customer: ReminderContextInput['customer'];
  today: string;
  statement: StatementContext['statement'];
  portalUrl?: string | null;
  locale?: TemplateLocale;
}

/** The variables of a statement email, in the customer's language. */
export function buildStatementContext(input: StatementContextInput): StatementContext {
  const { account, customer } = input;
  const locale = input.locale ?? resolveTemplateLocale(customer.locale, account.locale);
  return {
    locale,
    format_locale: formatLocaleFor(locale, [customer.locale, account.locale]),
    today: input.today,
    customer: { name: customer.name, contact_name: customer.contact_name, email: customer.email },
    statement: input.statement,
    portal_url: input.portalUrl ?? null,
    creditor: creditorOf(account, locale),
  };
}

/** Two made-up statement emails a template is tried on before it is saved (every optional value, then none). */
export function sampleStatementContexts(locale: TemplateLocale): [StatementContext, StatementContext] {
  const [full, bare] = sampleReminderContexts(locale, 'statement');
  const statement = {
    from: '2026-02-01',
    to: '2026-02-28',
    balances: [
      { currency: 'EUR', amount: 107456 },
      { currency: 'USD', amount: 50000 },
    ],
  };
  const { invoice: _a, step: _b, installment: _c, ...fullRest } = full;
  const { invoice: _d, step: _e, installment: _f, ...bareRest } = bare;
  return [
    { ...fullRest, statement },
    { ...bareRest, statement: { ...statement, balances: [{ currency: 'EUR', amount: 123456 }] } },
  ];
}

type Address = NonNullable<ReminderContextInput['account']['billing_address']>;

/** "12 rue de la Paix, 75002 Paris, France". */
function addressLine(address: Address | null, locale: TemplateLocale): string | null {
  if (!address) return null;
  const country = new Intl.DisplayNames([locale], { type: 'region' }).of(address.country) ?? address.country;
  return [address.line1, address.line2, [address.postal_code, address.city].filter(Boolean).join(' '), country]
    .filter(Boolean)
    .join(', ');
}

/** The registration number's name where the creditor is registered, in the message's language. */
const REGISTRATION_LABEL: Record<TemplateLocale, Record<string, string>> = {
  fr: { FR: 'SIREN', GB: 'Company No.', default: 'N° d’immatriculation' },
  en: { FR: 'SIREN', GB: 'Company No.', default: 'Registration No.' },
};
const VAT_LABEL: Record<TemplateLocale, string> = { fr: 'N° TVA', en: 'VAT No.' };

/** "Acme SAS · 12 rue de la Paix, 75002 Paris, France · SIREN 443061841 · N° TVA FR64443061841". */
function identityLine(account: ReminderContextInput['account'], locale: TemplateLocale): string | null {
  const labels = REGISTRATION_LABEL[locale];
  const country = account.billing_address?.country ?? 'default';
  const parts = [
    account.registration_number ? `${labels[country] ?? labels.default} ${account.registration_number}` : null,
    account.vat_number ? `${VAT_LABEL[locale]} ${account.vat_number}` : null,
  ];
  const address = addressLine(account.billing_address, locale);
  if (!account.legal_name && !address && !parts.some(Boolean)) return null;
  return [account.legal_name ?? account.name, address, ...parts].filter(Boolean).join(' · ');
}

/**
 * Two made-up reminders a template is tried on before it is saved: one where every optional
 * value is present (late fees, links, contact name…) and one where none is, so a misspelt name
 * on either side of an `{{#if}}` is caught.
 */
export function sampleReminderContexts(locale: TemplateLocale, stepKey: string): [ReminderContext, ReminderContext] {
  const base: ReminderContextInput = {
    account: {
      name: 'Acme',
      legal_name: 'Acme SAS',
      sender_name: 'Acme accounts',
      sender_email: 'billing@acme.example',
      reply_to: 'accounts@acme.example',
      contact_phone: '+33 1 23 45 67 89',
      payment_instructions: 'IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP',
      locale,
      registration_number: '443061841',
      vat_number: 'FR64443061841',
      billing_address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
    },
    customer: { name: 'Globex', contact_name: 'Jane Doe', email: 'ap@globex.example', locale },
    invoice: {
      number: 'F-2026-0042',
      memo: 'Website redesign',
      line_items: [{ description: 'Website redesign', quantity: 1, unit_amount: 123456, amount: 123456 }],
      status: 'partially_paid',
      issue_date: '2026-01-30',
      due_date: '2026-03-01',
      currency: 'EUR',
      total: 123456,
      amount_paid: 20000,
      amount_credited: 0,
      late_fees: 4000,
      balance: 107456,
      payment_url: 'https://pay.example/inv/F-2026-0042',
      pdf_url: 'https://files.example/F-2026-0042.pdf',
    },
    today: '2026-03-15',
    stepKey,
    offsetDays: 14,
    installment: { number: 2, count: 3, due_date: '2026-04-01', amount: 35819, paid_amount: 10000 },
    locale,
    fees: {
      interest: [{ from: '2026-03-02', to: '2026-03-14', rate_bps: 1215, amount: 0 }],
      recovery_fee: 4000,
      basis: 'fr_b2b',
      reference: { source: 'ecb_mro', margin_bps: 1000 },
    },
    portalUrl: 'https://relance.example/p/sample-token',
  };
  const bare: ReminderContextInput = {
    ...base,
    account: {
      ...base.account,
      legal_name: null,
      sender_name: null,
      sender_email: null,
      reply_to: null,
      contact_phone: null,
      payment_instructions: null,
      registration_number: null,
      vat_number: null,
      billing_address: null,
    },
    customer: { ...base.customer, contact_name: null, email: null },
    invoice: {
      ...base.invoice,
      memo: null,
      line_items: [],
      amount_paid: 0,
      late_fees: 0,
      balance: 123456,
      payment_url: null,
      pdf_url: null,
    },
    today: '2026-02-22',
    offsetDays: -7,
    installment: null,
    fees: null,
    portalUrl: null,
  };
  return [buildReminderContext(base), buildReminderContext(bare)];
}

/** The tones of a grouped message, from the mildest. */
export const TONE_LEVELS = ['before_due', 'due_today', 'first_overdue', 'overdue', 'firm', 'final'] as const;
export type ToneLevel = (typeof TONE_LEVELS)[number];

const TONE_OF_KEY: Readonly<Record<string, ToneLevel>> = {
  before_due: 'before_due',
  due_today: 'due_today',
  first_overdue: 'first_overdue',
  overdue_friendly: 'overdue',
  overdue_firm: 'firm',
  final_notice: 'final',
};

/**
 * The tone a reminder speaks in: its template's, for Relance's keys; for an account's own key,
 * from the step's place (before the due date, on it, after it: a friendly overdue tone).
 */
export function toneOf(templateKey: string | null, offsetDays: number): ToneLevel {
  const known = templateKey ? TONE_OF_KEY[templateKey] : undefined;
  if (known) return known;
  return offsetDays < 0 ? 'before_due' : offsetDays === 0 ? 'due_today' : 'overdue';
}

/**
 * The variables of a grouped message (docs/reminders.md#one-message-per-customer): those of one
 * reminder, about the invoice of the most advanced step (`invoice`, `step`), and the group.
 */
export interface GroupedReminderContext extends ReminderContext {
  /** The tone: the most advanced step's (`key`), and one flag per tone, true for it only. */
  tone: { key: string } & Record<ToneLevel, boolean>;
  group: {
    /** Invoices listed. */
    count: number;
    /** Of them, those past their due date. */
    overdue_count: number;
    /** Some invoice listed had a reminder before: only then may the message speak of earlier reminders. */
    reminded_before: boolean;
  };
  /** Each invoice, by due date, as `invoice` in a single reminder, and whether it was reminded before. */
  invoices: Array<ReminderContext['invoice'] & { reminded_before: boolean }>;
  /** Per currency (never summed across currencies), in the order of first appearance. */
  totals: Array<{ currency: string; count: number; balance: number; late_fees: number; total_due: number }>;
}

export interface GroupedItem {
  input: ReminderContextInput;
  remindedBefore: boolean;
}

/** The variables of a grouped message; `lead` is the item whose step sets the tone. */
export function buildGroupedContext(
  items: readonly GroupedItem[],
  lead: number,
  tone: ToneLevel,
): GroupedReminderContext {
  const leadItem = items[lead];
  if (!leadItem) throw new Error('a grouped message needs its lead reminder');
  const base = buildReminderContext(leadItem.input);
  const invoices = items
    .map((item) => ({ ...buildReminderContext(item.input).invoice, reminded_before: item.remindedBefore }))
    .sort((a, b) => (a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : a.number < b.number ? -1 : 1));
  const totals: GroupedReminderContext['totals'] = [];
  for (const invoice of invoices) {
    let total = totals.find((t) => t.currency === invoice.currency);
    if (!total) {
      total = { currency: invoice.currency, count: 0, balance: 0, late_fees: 0, total_due: 0 };
      totals.push(total);
    }
    total.count += 1;
    total.balance += invoice.balance;
    total.late_fees += invoice.late_fees;
    total.total_due += invoice.total_due;
  }
  return {
    ...base,
    tone: {
      key: base.step.key,
      ...(Object.fromEntries(TONE_LEVELS.map((level) => [level, level === tone])) as Record<ToneLevel, boolean>),
    },
    group: {
      count: invoices.length,
      overdue_count: invoices.filter((i) => i.days_overdue > 0).length,
      reminded_before: items.some((i) => i.remindedBefore),
    },
    invoices,
    totals,
  };
}

/** Two made-up grouped messages a `grouped` template is tried on: everything present, and the bare minimum. */
export function sampleGroupedContexts(locale: TemplateLocale): [GroupedReminderContext, GroupedReminderContext] {
  const [full, bare] = sampleReminderContexts(locale, 'overdue_firm');
  const second = (context: ReminderContext) => ({
    ...context.invoice,
    number: 'F-2026-0051',
    due_date: '2026-03-10',
    days_overdue: 5,
    currency: 'GBP',
    late_fees: 0,
    fee_parts: [],
  });
  const grouped = (context: ReminderContext, remindedBefore: boolean): GroupedReminderContext => {
    const invoices = [
      { ...context.invoice, reminded_before: remindedBefore },
      { ...second(context), reminded_before: false },
    ];
    return {
      ...context,
      tone: {
        key: 'overdue_firm',
        ...(Object.fromEntries(TONE_LEVELS.map((l) => [l, l === 'firm'])) as Record<ToneLevel, boolean>),
      },
      group: { count: 2, overdue_count: 2, reminded_before: remindedBefore },
      invoices,
      totals: invoices.map((i) => ({
        currency: i.currency,
        count: 1,
        balance: i.balance,
        late_fees: i.late_fees,
        total_due: i.total_due,
      })),
    };
  };
  return [grouped(full, true), grouped(bare, false)];
}
