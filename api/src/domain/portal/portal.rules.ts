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
