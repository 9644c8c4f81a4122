import type { Config } from '../config.ts';
import { createOutboxTransport } from './outbox.ts';
import { createResendTransport } from './resend.ts';

/** One email as it leaves Relance: the stored, rendered bytes of a message. */
export interface OutgoingEmail {
  from: string;
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  html: string;
  text: string;
  /** Labels the provider keeps with the email and echoes in its events (Resend: letters, digits, `_`, `-`). */
  tags?: Record<string, string>;
}

export interface SendResult {
  /** The provider's id of the email; its delivery events name it. */
  providerMessageId: string;
}

export interface EmailTransport {
  readonly name: 'outbox' | 'resend';
  /** Nothing leaves the process (the outbox): the engine may deliver in the transaction that stores the message. */
  readonly local?: boolean;
  /**
   * Hands one email to the provider. The same `idempotencyKey` (the occurrence id) always
   * means the same email: a retry after a timeout is not sent twice.
   */
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendResult>;
}

/** A send that failed. `retryable`: network errors, 429, 5xx — trying again later may work; a refused email will not. */
export class TransportError extends Error {
  readonly retryable: boolean;
  /** The provider's HTTP status, or null when no answer came. */
  readonly statusCode: number | null;
  /** The provider's error name (`validation_error`, `rate_limit_exceeded`…), when it gave one. */
  readonly providerCode: string | null;

  constructor(message: string, options: { retryable: boolean; statusCode?: number | null; providerCode?: string | null }) {
    super(message);
    this.name = 'TransportError';
    this.retryable = options.retryable;
    this.statusCode = options.statusCode ?? null;
    this.providerCode = options.providerCode ?? null;
  }
}

/** Resend when `RESEND_API_KEY` is set; otherwise the local outbox (messages are stored, nothing leaves). */
export function createTransport(config: Pick<Config, 'resendApiKey' | 'resendBaseUrl'>): EmailTransport {
  if (config.resendApiKey) return createResendTransport({ apiKey: config.resendApiKey, baseUrl: config.resendBaseUrl });
  return createOutboxTransport();
}
