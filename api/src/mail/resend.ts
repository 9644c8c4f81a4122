import { Resend, type ErrorResponse } from 'resend';
import {
  type EmailTransport,
  type OutgoingEmail,
  type RateBudget,
  type SendResult,
  TransportError,
} from './transport.ts';

/** Resend refuses a tag with other characters, and with it the whole email. */
const tagPart = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/** Resend's answers that say "not now" rather than "never" (a concurrent request with the same key is still running). */
const RETRYABLE_NAMES = new Set([
  'rate_limit_exceeded',
  'concurrent_idempotent_requests',
  'internal_server_error',
  'application_error',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
]);

/** Resend's batch endpoint takes up to 100 emails per call (resend.com/docs/dashboard/emails/batch-sending). */
export const RESEND_MAX_BATCH = 100;

/** A 429 is asked again in the same call while the provider's wait is this short (the claim holds meanwhile). */
const WAIT_IN_CALL_MAX_MS = 10_000;
const ROUNDS_IN_CALL = 3;

function isRetryable(error: ErrorResponse, statusCode: number | null): boolean {
  if (statusCode === null) return RETRYABLE_NAMES.has(error.name) || !error.name;
  return statusCode === 429 || statusCode >= 500 || error.name === 'concurrent_idempotent_requests';
}

/** Seconds from a `retry-after` (seconds or an HTTP date) or `ratelimit-reset` header, in ms. */
function headerMs(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** How long the provider asked us to wait, when it said: the longer of `retry-after` and `ratelimit-reset`. */
export function providerWaitMs(headers: Record<string, string> | null): number | null {
  if (!headers) return null;
  const waits = [headerMs(headers['retry-after']), headerMs(headers['ratelimit-reset'])].filter(
    (w): w is number => w !== null,
  );
  return waits.length > 0 ? Math.max(...waits) : null;
}

function toTransportError(error: ErrorResponse, retryAfterMs: number | null): TransportError {
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : null;
  return new TransportError(`Resend: ${error.message ?? 'unknown error'}`, {
    retryable: isRetryable(error, statusCode),
    statusCode,
    providerCode: error.name ?? null,
    retryAfterMs,
  });
}

const payloadOf = (email: OutgoingEmail) => ({
  from: email.from,
  to: email.to,
  ...(email.cc.length > 0 && { cc: email.cc }),
  ...(email.replyTo && { replyTo: email.replyTo }),
  subject: email.subject,
  html: email.html,
  text: email.text,
  ...(email.tags && {
    tags: Object.entries(email.tags).map(([name, value]) => ({ name: tagPart(name), value: tagPart(value) })),
  }),
  ...(email.attachments?.length && {
    attachments: email.attachments.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content),
      contentType: a.contentType,
    })),
  }),
});

interface Answer<T> {
  data: T | null;
  error: ErrorResponse | null;
  headers: Record<string, string> | null;
}

/**
 * Sends through the Resend API with its official SDK; `baseUrl` points it elsewhere (a local
 * stand-in in tests). With a `budget`, every call waits for its slot of the credential's shared
 * budget, a 429 pauses the budget for what `retry-after` / `ratelimit-reset` say (every worker
 * waits) and is asked again in the same call while that wait is short, and a used-up window
 * (`ratelimit-remaining: 0`) pauses it until `ratelimit-reset`.
 */
export function createResendTransport(options: {
  apiKey: string;
  baseUrl?: string | undefined;
  budget?: RateBudget | undefined;
}): EmailTransport {
  const resend = new Resend(
    options.apiKey,
    options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/$/, '') } : undefined,
  );
  const { budget } = options;

  /** One paced request; a provider's error comes back as a TransportError, thrown. */
  async function call<T>(request: () => Promise<Answer<T>>): Promise<T> {
    for (let round = 1; ; round++) {
      await budget?.take();
      let answer: Answer<T>;
      try {
        answer = await request();
      } catch (error) {
        // The SDK answers failures as `{ error }`; a throw is an abort or a bug on the way: try again later.
        throw new TransportError(`Resend: ${error instanceof Error ? error.message : String(error)}`, {
          retryable: true,
        });
      }
      const wait = providerWaitMs(answer.headers);
      if (answer.error) {
        const failure = toTransportError(answer.error, wait);
        if (failure.statusCode === 429) {
          await budget?.pause(wait ?? 1000);
          // Refused, so certainly not sent: ask again while the wait is short.
          if (budget && round < ROUNDS_IN_CALL && (wait ?? 1000) <= WAIT_IN_CALL_MAX_MS) continue;
        }
        throw failure;
      }
      if (answer.headers?.['ratelimit-remaining'] === '0' && wait !== null && wait > 0) await budget?.pause(wait);
      if (answer.data === null) throw new TransportError('Resend: an answer without data', { retryable: true });
      return answer.data;
    }
  }

  return {
    name: 'resend',
    maxBatch: RESEND_MAX_BATCH,
    async send(email: OutgoingEmail, idempotencyKey: string) {
      const data = await call(() => resend.emails.send(payloadOf(email), { idempotencyKey }));
      if (!data.id) throw new TransportError('Resend: the answer has no email id', { retryable: true });
      return { providerMessageId: data.id };
    },
    async sendBatch(emails, idempotencyKey) {
      // Permissive: valid emails go out, invalid ones come back in `errors` with their index
      // (resend.com/changelog/batch-validation-modes); `data` lists the accepted ones, in order.
      const answer = await call(() =>
        resend.batch.send(emails.map(payloadOf), { idempotencyKey, batchValidation: 'permissive' }),
      );
      const refused = new Map((answer.errors ?? []).map((e) => [e.index, e.message]));
      const ids = (answer.data ?? []).map((d) => d.id);
      const results: Array<SendResult | TransportError> = [];
      let next = 0;
      for (let i = 0; i < emails.length; i++) {
        const message = refused.get(i);
        if (message !== undefined) {
          results.push(
            new TransportError(`Resend: ${message}`, {
              retryable: false,
              statusCode: 422,
              providerCode: 'validation_error',
            }),
          );
          continue;
        }
        const id = ids[next++];
        results.push(
          id
            ? { providerMessageId: id }
            : new TransportError('Resend: the batch answer has no id for this email', { retryable: true }),
        );
      }
      return results;
    },
  };
}
