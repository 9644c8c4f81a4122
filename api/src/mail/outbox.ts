import type { EmailTransport } from './transport.ts';

/**
 * The transport when no provider is configured: the caller has already stored the message
 * (it is listed by `GET /v1/messages`), so "sending" only names it. Deterministic: the same
 * key gives the same id, as a provider's idempotency would.
 */
export function createOutboxTransport(): EmailTransport {
  return {
    name: 'outbox',
    local: true,
    async send(_email, idempotencyKey) {
      return { providerMessageId: `outbox_${idempotencyKey}` };
    },
  };
}
