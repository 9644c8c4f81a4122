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

// Web Crypto, TextEncoder and atob/btoa only: the same code runs in Node (20 and later), Deno,
// Bun, browsers and edge runtimes (Cloudflare Workers, Vercel Edge), with no `node:crypto`.
const encoder = new TextEncoder();

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function secretKey(secret: string): Uint8Array<ArrayBuffer> {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (base64.length === 0 || base64.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The webhook secret must be the `whsec_…` value shown when the endpoint was created.',
    );
  }
  return base64ToBytes(base64);
}

/** The signed content: `${id}.${timestamp}.` then the body's bytes. */
function signedContent(
  id: string,
  timestamp: string,
  body: string | Uint8Array | ArrayBuffer,
): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const bytes =
    typeof body === 'string' ? encoder.encode(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : body;
  const content = new Uint8Array(prefix.length + bytes.length);
  content.set(prefix);
  content.set(bytes, prefix.length);
  return content;
}

const hmacKey = (key: Uint8Array<ArrayBuffer>, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

/**
 * The `webhook-*` headers Relance would send with `body`: to test your receiver without a server
 * (`verifyWebhook` accepts them). `id` defaults to a random `evt_test_…`, `timestamp` to now.
 */
export async function signWebhook(
  body: string | Uint8Array | ArrayBuffer,
  secret: string,
  options: { id?: string; timestamp?: Date } = {},
): Promise<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>> {
  const id = options.id ?? `evt_test_${Date.now().toString(36)}`;
  const timestamp = String(Math.floor((options.timestamp ?? new Date()).getTime() / 1000));
  const signature = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secretKey(secret), 'sign'),
    signedContent(id, timestamp, body),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${bytesToBase64(new Uint8Array(signature))}`,
  };
}

/**
 * Checks a webhook request per Standard Webhooks and resolves to its event, typed. `rawBody` must
 * be the body exactly as received (not parsed and re-serialized). Any of the space-separated
 * `v1,` signatures may match (during a secret rotation Relance signs with both secrets). Rejects
 * with a `WebhookVerificationError` when a header is missing, the timestamp is more than five
 * minutes away from now (a replay), or no signature matches the secret. Runs on Web Crypto: Node,
 * Deno, Bun, browsers and edge runtimes alike.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<RelanceEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signatures && 'webhook-signature'].filter(
    Boolean,
  );
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing_headers',
      `Missing webhook header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`,
    );
  }
  const key = await hmacKey(secretKey(secret), 'verify');

  if (!/^\d{1,12}$/.test(timestamp))
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp must be Unix seconds, got '${timestamp}'.`,
    );
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const sentAt = Number(timestamp);
  if (sentAt < now - tolerance)
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `The webhook was signed ${now - sentAt} s ago, more than ${tolerance} s: refusing a possible replay.`,
    );
  if (sentAt > now + tolerance)
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `The webhook is signed ${sentAt - now} s in the future, more than ${tolerance} s: check the clocks.`,
    );

  const content = signedContent(id, timestamp, rawBody);
  let matches = false;
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 === 1) continue;
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, base64ToBytes(value), content)) {
      matches = true;
      break;
    }
  }
  if (!matches)
    throw new WebhookVerificationError(
      'invalid_signature',
      'No webhook signature matches this secret and body (was the body changed, or the secret rotated?).',
    );

  try {
    return JSON.parse(
      new TextDecoder().decode(content.subarray(encoder.encode(`${id}.${timestamp}.`).length)),
    ) as RelanceEvent;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The webhook body is not JSON.');
  }
}
