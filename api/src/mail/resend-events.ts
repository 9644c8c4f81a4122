import { Resend } from 'resend';
import { AppError } from '../errors.ts';

/** What a provider tells us about an email after it was sent, whichever provider it is. */
export interface DeliveryEvent {
  kind: 'delivered' | 'bounced' | 'complained';
  providerMessageId: string;
  /** The recipients the event is about (Resend: the email's `to`). */
  recipients: string[];
  /** When it happened, by the provider's clock; null if it did not say. */
  occurredAt: Date | null;
  bounce: { permanent: boolean; type: string; subType: string | null; message: string | null } | null;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

// `webhooks.verify` needs no API key, but the SDK's constructor refuses to build without one.
const webhooks = new Resend('re_webhook_verification_only').webhooks;

const header = (headers: WebhookHeaders, ...names: string[]): string => {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value[0] !== undefined) return value[0];
  }
  return '';
};

const invalidSignature = (why: string) =>
  new AppError('webhook/invalid_signature', 401, `The webhook signature could not be verified: ${why}.`);

/**
 * Checks Resend's Svix signature over the raw body (HMAC-SHA256 with the `whsec_` secret,
 * timestamp within 5 minutes of the real time) and returns the parsed payload, or `undefined`
 * for a signed body that is not JSON. Throws `webhook/invalid_signature` otherwise.
 */
export function verifyResendWebhook(rawBody: string, headers: WebhookHeaders, secret: string): unknown {
  const signed = {
    id: header(headers, 'svix-id', 'webhook-id'),
    timestamp: header(headers, 'svix-timestamp', 'webhook-timestamp'),
    signature: header(headers, 'svix-signature', 'webhook-signature'),
  };
  if (!signed.id || !signed.timestamp || !signed.signature)
    throw invalidSignature('the svix-id, svix-timestamp and svix-signature headers are required');
  try {
    return webhooks.verify({ payload: rawBody, headers: signed, webhookSecret: secret });
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (/too old|too new/i.test(message)) throw invalidSignature('the timestamp is more than 5 minutes away from now');
    throw invalidSignature('no signature matches the body');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const KINDS: Record<string, DeliveryEvent['kind']> = {
  'email.delivered': 'delivered',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
};

/** Resend's event payload as a delivery event; null for events Relance does not follow (opened, clicked…). */
export function toDeliveryEvent(payload: unknown): DeliveryEvent | null {
  if (!isObject(payload) || typeof payload.type !== 'string' || !isObject(payload.data)) return null;
  const kind = KINDS[payload.type];
  const providerMessageId = stringOrNull(payload.data.email_id);
  if (!kind || !providerMessageId) return null;
  const to = payload.data.to;
  const recipients = (Array.isArray(to) ? to : [to]).filter((r): r is string => typeof r === 'string');
  const at = typeof payload.created_at === 'string' ? new Date(payload.created_at) : null;
  const bounce = isObject(payload.data.bounce) ? payload.data.bounce : null;
  const bounceType = stringOrNull(bounce?.type) ?? 'Undetermined';
  return {
    kind,
    providerMessageId,
    recipients,
    occurredAt: at && !Number.isNaN(at.getTime()) ? at : null,
    bounce:
      kind === 'bounced'
        ? {
            permanent: bounceType.toLowerCase() === 'permanent',
            type: bounceType,
            subType: stringOrNull(bounce?.subType ?? bounce?.sub_type),
            message: stringOrNull(bounce?.message),
          }
        : null,
  };
}
