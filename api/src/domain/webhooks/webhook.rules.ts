import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` and the base64 of 32 random bytes (the Standard Webhooks form). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks signature of one message: `v1,` and the base64 HMAC-SHA256, keyed with
 * the secret's decoded bytes, of `id.timestamp.body` (the exact bytes sent).
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-signature` header: one signature per active secret, space-separated (new first). */
export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  return secrets.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' ');
}

/**
 * Delay before each attempt: the first is immediate, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 14 h, 20 h and 24 h (about 76 hours in all, past the 3 days after which an endpoint that
 * keeps failing is disabled).
 */
export const RETRY_SCHEDULE_MS = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;
/** ±15 %: retries of many deliveries that failed together spread out instead of arriving at once. */
export const JITTER = 0.15;
/** A `Retry-After` longer than this is read as this. */
export const MAX_RETRY_AFTER_MS = 86_400_000;
/** An endpoint whose failures started this long ago, and that still fails, is disabled. */
export const DISABLE_AFTER_FAILING_MS = 72 * 3_600_000;

/**
 * When to try again after `attemptCount` failed attempts, or null when they are all spent.
 * The scheduled delay is jittered; a `Retry-After` (429/503) pushes it later, never earlier.
 */
export function nextAttemptAt(
  now: Date,
  attemptCount: number,
  options: { retryAfterMs?: number | null; random?: () => number } = {},
): Date | null {
  if (attemptCount >= MAX_ATTEMPTS) return null;
  const base = RETRY_SCHEDULE_MS[attemptCount] ?? 0;
  const random = options.random ?? Math.random;
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  const delay = Math.max(jittered, Math.min(options.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
  return new Date(now.getTime() + delay);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** Whether an endpoint subscribed to `enabledEvents` receives events of `type`. */
export function subscribes(enabledEvents: readonly string[], type: string): boolean {
  return enabledEvents.includes('*') || enabledEvents.includes(type);
}

/** Whether the failure streak that began at `failingSince` has lasted long enough to disable the endpoint. */
export function failingTooLong(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
}
