import { createHash } from 'node:crypto';
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
  /** Files sent with it (the invoice's PDF), the stored bytes. */
  attachments?: ReadonlyArray<{ filename: string; contentType: string; content: Uint8Array }>;
}

export interface SendResult {
  /** The provider's id of the email; its delivery events name it. */
  providerMessageId: string;
}

export interface EmailTransport {
  readonly name: 'outbox' | 'resend';
  /** Nothing leaves the process (the outbox): the engine may deliver in the transaction that stores the message. */
  readonly local?: boolean;
  /** The most emails one `sendBatch` call carries (Resend: 100); absent, emails go one by one. */
  readonly maxBatch?: number;
  /**
   * Hands one email to the provider. The same `idempotencyKey` (the occurrence id) always
   * means the same email: a retry after a timeout is not sent twice.
   */
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendResult>;
  /**
   * Hands several emails (no attachments) to the provider in one call. The same key with the
   * same emails is replayed by the provider, not sent again. One entry per email, in order: its
   * result, or its own refusal (a batch may be partly refused). Throws `TransportError` when the
   * call as a whole failed (nothing was accepted, or nobody knows).
   */
  sendBatch?(emails: readonly OutgoingEmail[], idempotencyKey: string): Promise<Array<SendResult | TransportError>>;
}

/** A send that failed. `retryable`: network errors, 429, 5xx — trying again later may work; a refused email will not. */
export class TransportError extends Error {
  readonly retryable: boolean;
  /** The provider's HTTP status, or null when no answer came. */
  readonly statusCode: number | null;
  /** The provider's error name (`validation_error`, `rate_limit_exceeded`…), when it gave one. */
  readonly providerCode: string | null;
  /** How long the provider asked us to wait (`retry-after`, `ratelimit-reset`), in ms, when it said. */
  readonly retryAfterMs: number | null;
  /** The request certainly never reached the provider (the connection was refused). */
  readonly notTaken: boolean;

  constructor(
    message: string,
    options: {
      retryable: boolean;
      statusCode?: number | null;
      providerCode?: string | null;
      retryAfterMs?: number | null;
      notTaken?: boolean;
    },
  ) {
    super(message);
    this.name = 'TransportError';
    this.retryable = options.retryable;
    this.statusCode = options.statusCode ?? null;
    this.providerCode = options.providerCode ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.notTaken = options.notTaken ?? false;
  }

  /**
   * No answer, a 5xx, or the same key still being processed: the provider may have taken the
   * email. Only the same call under the same key may ask again.
   */
  get outcomeUnknown(): boolean {
    if (this.notTaken) return false;
    return this.statusCode === null || this.statusCode >= 500 || this.providerCode === 'concurrent_idempotent_requests';
  }
}

/**
 * Resend when `RESEND_API_KEY` is set, paced by `budget` (shared by every process, see
 * rate-budget.ts); otherwise the local outbox (messages are stored, nothing leaves).
 */
export function createTransport(
  config: Pick<Config, 'resendApiKey' | 'resendBaseUrl'>,
  budgetFor?: (credential: string) => RateBudget,
): EmailTransport {
  if (config.resendApiKey)
    return createResendTransport({
      apiKey: config.resendApiKey,
      baseUrl: config.resendBaseUrl,
      budget: budgetFor?.(credentialOf('resend', config.resendApiKey)),
    });
  return createOutboxTransport();
}

/** The name a credential's budget row goes by: the provider and a hash of the key (never the key). */
export function credentialOf(provider: string, apiKey: string): string {
  return `${provider}:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

/** Paces the calls made with one provider credential (see rate-budget.ts). */
export interface RateBudget {
  /** Waits for this process's turn: a slot of the credential's shared budget. */
  take(): Promise<void>;
  /** Nobody calls before `ms` from now (the provider said so: a 429, or a window used up). */
  pause(ms: number): Promise<void>;
}
