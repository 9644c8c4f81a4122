import { createHmac, timingSafeEqual } from 'node:crypto';
import type { webhooks } from './schema.d.ts';

type BodyOf<W> = W extends { post: { requestBody: { content: { 'application/json': infer B } } } } ? B : never;

/** Every event Relance sends, discriminated on `type`: `if (event.type === 'invoice.paid') event.data.balance…`. */
export type RelanceEvent = { [K in keyof webhooks]: BodyOf<webhooks[K]> }[keyof webhooks];
export type RelanceEventType = RelanceEvent['type'];
/** The event of one type: `EventOfType<'payment.received'>['data']` is a Payment. */
export type EventOfType<T extends RelanceEventType> = Extract<RelanceEvent, { type: T }>;

export type WebhookVerificationErrorCode =
  | 'missing_headers'
  | 'invalid_secret'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'invalid_signature'
  | 'invalid_body';

/** The request is not a genuine, fresh webhook from Relance: answer 400 and do nothing with it. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** Node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain object (names in any case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far the `webhook-timestamp` may be from now, in seconds (default 300: five minutes, either way). */
  toleranceSeconds?: number;
  /** The current time (tests). */
  now?: () => Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

function secretKey(secret: string): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(base64, 'base64');
  if (base64.length === 0 || key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new WebhookVerificationError('invalid_secret', 'The webhook secret must be the `whsec_…` value shown when the endpoint was created.');
  }
  return key;
}

/**
 * The `webhook-*` headers Relance would send with `body`: to test your receiver without a server
 * (`verifyWebhook` accepts them). `id` defaults to a random `evt_test_…`, `timestamp` to now.
 */
export function signWebhook(body: string | Uint8Array, secret: string, options: { id?: string; timestamp?: Date } = {}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const id = options.id ?? `evt_test_${Date.now().toString(36)}`;
  const timestamp = String(Math.floor((options.timestamp ?? new Date()).getTime() / 1000));
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const signature = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(bytes).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/**
 * Checks a webhook request per Standard Webhooks and returns its event, typed. `rawBody` must be
 * the body exactly as received (not parsed and re-serialized). Any of the space-separated `v1,`
 * signatures may match (during a secret rotation Relance signs with both secrets). Throws a
 * `WebhookVerificationError` when a header is missing, the timestamp is more than five minutes
 * away from now (a replay), or no signature matches the secret.
 */
export function verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string, options: VerifyWebhookOptions = {}): RelanceEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signatures && 'webhook-signature'].filter(Boolean);
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing_headers', `Missing webhook header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  }
  const key = secretKey(secret);

  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp must be Unix seconds, got '${timestamp}'.`);
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const sentAt = Number(timestamp);
  if (sentAt < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', `The webhook was signed ${now - sentAt} s ago, more than ${tolerance} s: refusing a possible replay.`);
  if (sentAt > now + tolerance) throw new WebhookVerificationError('timestamp_too_new', `The webhook is signed ${sentAt - now} s in the future, more than ${tolerance} s: check the clocks.`);

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  const matches = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('invalid_signature', 'No webhook signature matches this secret and body (was the body changed, or the secret rotated?).');

  try {
    return JSON.parse(body.toString('utf8')) as RelanceEvent;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The webhook body is not JSON.');
  }
}
