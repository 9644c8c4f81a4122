export { createClient, type ClientOptions, type RelanceClient } from './client.ts';
export type { CallOptions, PagePromise, Resources } from './resources.ts';
export {
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type EventOfType,
  type RelanceEvent,
  type RelanceEventType,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationErrorCode,
} from './webhooks.ts';
export { RelanceConnectionError, RelanceError, unwrap } from './errors.ts';
export type { RetrySettings } from './transport.ts';
export type * from './types.ts';
export type { components, operations, paths, webhooks } from './schema.d.ts';
