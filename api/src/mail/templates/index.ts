import type { TemplateLocale } from '../context.ts';
import type { TemplateSource } from '../render.ts';
import { EN_TEMPLATES } from './en.ts';
import { FR_TEMPLATES } from './fr.ts';
import { GROUPED_SMS, GROUPED_TEMPLATE_KEY, GROUPED_TEMPLATES } from './grouped.ts';
import { SMS_TEMPLATES } from './sms.ts';
import { STATEMENT_TEMPLATES } from './statement.ts';

export { GROUPED_TEMPLATE_KEY };

/**
 * The keys of the default templates, in the order of the seed schedule. `first_overdue` is no
 * step of its own: it is the first message about an invoice already late, sent in place of a step
 * that presupposes earlier reminders (see docs/reminders.md#first-contact-and-catch-up).
 */
export const TEMPLATE_KEYS = [
  'before_due',
  'due_today',
  'first_overdue',
  'overdue_friendly',
  'overdue_firm',
  'final_notice',
] as const;
export type DefaultTemplateKey = (typeof TEMPLATE_KEYS)[number];

/** Days from the due date at which the seed schedule sends each default template (`first_overdue`: whenever it is needed). */
export const DEFAULT_STEP_OFFSETS: Readonly<Partial<Record<DefaultTemplateKey, number>>> = Object.freeze({
  before_due: -7,
  due_today: 0,
  overdue_friendly: 7,
  overdue_firm: 14,
  final_notice: 30,
});

function pick(templates: Record<string, TemplateSource>): Record<DefaultTemplateKey, TemplateSource> {
  const out = {} as Record<DefaultTemplateKey, TemplateSource>;
  for (const key of TEMPLATE_KEYS) {
    const template = templates[key];
    if (!template) throw new Error(`default template ${key} is missing`);
    out[key] = Object.freeze({ ...template });
  }
  return Object.freeze(out);
}

/** Relance's own templates, per locale and key; an account overrides them per key and locale. */
export const DEFAULT_TEMPLATES: Readonly<Record<TemplateLocale, Readonly<Record<DefaultTemplateKey, TemplateSource>>>> =
  Object.freeze({
    fr: pick(FR_TEMPLATES),
    en: pick(EN_TEMPLATES),
  });

const isStepKey = (key: string): key is DefaultTemplateKey => (TEMPLATE_KEYS as readonly string[]).includes(key);

/**
 * The key of the monthly statement email (docs/reports.md#statements-by-email): a template of its
 * own, rendered with a statement (no invoice), so no reminder step may name it.
 */
export const STATEMENT_TEMPLATE_KEY = 'statement';

/**
 * Every key Relance has a default template for: the steps' in schedule order, `grouped` (one
 * message per customer), then `statement` (the monthly statement).
 */
export const DEFAULT_KEYS: readonly string[] = Object.freeze([
  ...TEMPLATE_KEYS,
  GROUPED_TEMPLATE_KEY,
  STATEMENT_TEMPLATE_KEY,
]);

/** One of Relance's keys (a step's, `grouped` or `statement`). */
export const isDefaultTemplateKey = (key: string): boolean => DEFAULT_KEYS.includes(key);

/** The default template of `key` in `locale`, if Relance has one. */
export function defaultTemplate(key: string, locale: TemplateLocale): TemplateSource | undefined {
  if (key === GROUPED_TEMPLATE_KEY) return GROUPED_TEMPLATES[locale];
  if (key === STATEMENT_TEMPLATE_KEY) return STATEMENT_TEMPLATES[locale];
  return isStepKey(key) ? DEFAULT_TEMPLATES[locale][key] : undefined;
}

/** The default text message of `key` in `locale` (every default step has one), if Relance has one. */
export function defaultSms(key: string, locale: TemplateLocale): string | undefined {
  if (key === GROUPED_TEMPLATE_KEY) return GROUPED_SMS[locale];
  return isStepKey(key) ? SMS_TEMPLATES[locale][key] : undefined;
}

/** The days from the due date a default step's key is sent at, if it is one. */
export const stepOffsetOf = (key: string): number | undefined =>
  isStepKey(key) ? DEFAULT_STEP_OFFSETS[key] : undefined;
