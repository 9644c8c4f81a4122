import { Resend, type ErrorResponse } from 'resend';
import { type EmailTransport, type OutgoingEmail, TransportError } from './transport.ts';

/** Resend refuses a tag with other characters, and with it the whole email. */
const tagPart = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/** Resend's answers that say "not now" rather than "never" (a concurrent request with the same key is still running). */
const RETRYABLE_NAMES = new Set(['rate_limit_exceeded', 'concurrent_idempotent_requests', 'internal_server_error', 'application_error']);

function isRetryable(error: ErrorResponse, statusCode: number | null): boolean {
  if (statusCode === null) return RETRYABLE_NAMES.has(error.name) || !error.name;
  return statusCode === 429 || statusCode >= 500 || error.name === 'concurrent_idempotent_requests';
}

function toTransportError(error: ErrorResponse): TransportError {
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : null;
  return new TransportError(`Resend: ${error.message ?? 'unknown error'}`, {
    retryable: isRetryable(error, statusCode),
    statusCode,
    providerCode: error.name ?? null,
  });
}

/** Sends through the Resend API with its official SDK; `baseUrl` points it elsewhere (a local stand-in in tests). */
export function createResendTransport(options: { apiKey: string; baseUrl?: string | undefined }): EmailTransport {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/$/, '') } : undefined);
  return {
    name: 'resend',
    async send(email: OutgoingEmail, idempotencyKey: string) {
      let answer: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        answer = await resend.emails.send(
          {
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
          },
          { idempotencyKey },
        );
      } catch (error) {
        // The SDK answers failures as `{ error }`; a throw is an abort or a bug on the way: try again later.
        throw new TransportError(`Resend: ${error instanceof Error ? error.message : String(error)}`, { retryable: true });
      }
      if (answer.error) throw toTransportError(answer.error);
      if (!answer.data?.id) throw new TransportError('Resend: the answer has no email id', { retryable: true });
      return { providerMessageId: answer.data.id };
    },
  };
}
