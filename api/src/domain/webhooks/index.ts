// The webhooks module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { createWebhookDelivery, type DeliveryJob, type Enqueue } from './delivery.ts';
export { type FetchedFile, fetchGuarded } from './sender.ts';
export { type TargetPolicy, targetPolicyFor } from './target.ts';
export { asLoginRole } from './webhook.repository.ts';
export {
  WebhookAttempt,
  WebhookAttemptListQuery,
  WebhookDelivery,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
  WebhookResend,
  WebhookSecretRotate,
} from './webhook.schemas.ts';
export { createWebhookService } from './webhook.service.ts';
