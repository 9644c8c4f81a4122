import { createHash, randomBytes } from 'node:crypto';

/** A new link token: 32 random bytes (256 bits), base64url: 43 characters, safe in a path. */
export function newPortalToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored and looked up: the token's SHA-256, hex. The token itself never is, in clear. */
export function hashPortalToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token as the page route accepts it (anything else is a 404 without touching the database). */
export const PORTAL_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The path of a customer's page, for messages and the API. */
export const portalPath = (token: string) => `/p/${token}`;

/** `/p/<token>…` in a logged URL becomes `/p/[token]…`: a token never reaches the logs. */
export function redactPortalUrl(url: string): string {
  return url.replace(/\/p\/[^/?#]+/g, '/p/[token]');
}

/**
 * Until when a link opens: while the customer owes something (null: no end), else for
 * `daysAfterPaid` days after the last change of its invoices (the payment that settled them).
 */
export function portalLinkExpiry(args: {
  owes: boolean;
  lastInvoiceChange: Date | null;
  daysAfterPaid: number;
  createdAt: Date;
}): Date | null {
  if (args.owes) return null;
  const from = args.lastInvoiceChange ?? args.createdAt;
  return new Date(from.getTime() + args.daysAfterPaid * 86_400_000);
}

/**
 * An amount as a person types it in a form ("1 234,56", "1,234.56", "1234.5", "80") as the plain
 * decimal string `parseDecimalAmount` takes, or null when it is not one. Spaces (any kind) are
 * grouping; of a comma and a dot both present, the last one is the decimal separator; a lone comma
 * is one too.
 */
export function typedAmount(input: string): string | null {
  let value = input.replace(/[\s\u00a0\u202f']/g, '');
  const comma = value.lastIndexOf(',');
  const dot = value.lastIndexOf('.');
  if (comma >= 0 && dot >= 0)
    value = comma > dot ? value.replaceAll('.', '').replace(',', '.') : value.replaceAll(',', '');
  else if (comma >= 0) value = value.replace(',', '.');
  return /^\d+(\.\d+)?$/.test(value) ? value : null;
}

/** The account's rules for a payment plan the customer agrees on its page without a person. */
export interface PagePlanRules {
  maxInstallments: number;
  /** The last installment falls on or before this day. */
  lastDay: string;
  /** The smallest installment in the invoice's currency, minor units (0: none). */
  minInstallment: number;
}

/**
 * Why a plan asked for on the page needs a person (the reasons, in English for the task's note),
 * or an empty list when the account's rules let it be agreed at once.
 */
export function planBeyondRules(
  installments: ReadonlyArray<{ due_date: string; amount: number }>,
  rules: PagePlanRules,
): string[] {
  const reasons: string[] = [];
  if (installments.length > rules.maxInstallments)
    reasons.push(`${installments.length} installments asked, ${rules.maxInstallments} allowed without approval`);
  const last = installments.at(-1);
  if (last && last.due_date > rules.lastDay)
    reasons.push(`the last installment falls on ${last.due_date}, after ${rules.lastDay}`);
  const smallest = Math.min(...installments.map((i) => i.amount));
  if (rules.minInstallment > 0 && smallest < rules.minInstallment)
    reasons.push(`an installment of ${smallest} (minor units) is below the minimum of ${rules.minInstallment}`);
  return reasons;
}
