import type {
  WebhookAttempt,
  WebhookAttemptListQuery,
  WebhookDelivery,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
} from '../../domain/webhooks/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { Deleted, listType, pageArgs } from './common.ts';

export const WebhookDeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  description: '`PENDING`: not delivered yet (retries to come); `SUCCEEDED`: a 2xx answer; `FAILED`: given up.',
  values: { PENDING: { value: 'pending' }, SUCCEEDED: { value: 'succeeded' }, FAILED: { value: 'failed' } } as const,
});

export const WebhookEndpointRef = builder.objectRef<WebhookEndpoint>('WebhookEndpoint').implement({
  description: 'A URL that receives the account’s events, signed per the Standard Webhooks specification.',
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    description: t.exposeString('description', { nullable: true }),
    enabledEvents: t.exposeStringList('enabled_events', {
      description: 'Event types sent to it; `*` means every type.',
    }),
    enabled: t.exposeBoolean('enabled'),
    disabledReason: t.exposeString('disabled_reason', {
      nullable: true,
      description: 'Why Relance disabled it (410 Gone, 3 days of failures).',
    }),
    secret: t.exposeString('secret', {
      nullable: true,
      description: 'The signing secret: only in the answers of `createWebhookEndpoint` and `rotateWebhookSecret`.',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

export const WebhookAttemptRef = builder.objectRef<WebhookAttempt>('WebhookAttempt').implement({
  description: 'One HTTP request of a delivery, and what came back.',
  fields: (t) => ({
    id: t.exposeID('id'),
    deliveryId: t.exposeID('delivery_id'),
    endpointId: t.exposeID('endpoint_id'),
    eventId: t.exposeID('event_id'),
    attemptedAt: t.expose('attempted_at', { type: 'DateTime' }),
    statusCode: t.exposeInt('status_code', {
      nullable: true,
      description: 'Null when no answer came (timeout, refused, blocked address).',
    }),
    durationMs: t.exposeInt('duration_ms'),
    responseExcerpt: t.exposeString('response_excerpt', {
      nullable: true,
      description: 'The first KiB of the response body.',
    }),
    error: t.exposeString('error', { nullable: true }),
    succeeded: t.exposeBoolean('succeeded'),
    nextAttemptAt: t.expose('next_attempt_at', { type: 'DateTime', nullable: true }),
  }),
});

export const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event sent to one endpoint, with every attempt.',
  fields: (t) => ({
    id: t.exposeID('id'),
    endpointId: t.exposeID('endpoint_id'),
    eventId: t.exposeID('event_id'),
    eventType: t.exposeString('event_type'),
    status: t.expose('status', { type: WebhookDeliveryStatus }),
    attemptCount: t.exposeInt('attempt_count'),
    nextAttemptAt: t.expose('next_attempt_at', { type: 'DateTime', nullable: true }),
    lastAttemptAt: t.expose('last_attempt_at', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    attempts: t.expose('attempts', { type: [WebhookAttemptRef] }),
  }),
});

const WebhookEndpointList = listType('WebhookEndpoint', WebhookEndpointRef);
const WebhookAttemptList = listType('WebhookAttempt', WebhookAttemptRef);
const WebhookDeliveryList = listType('WebhookDelivery', WebhookDeliveryRef);

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A new endpoint: `url` and `enabledEvents` are required.',
  fields: (t) => ({
    url: t.string({ required: true }),
    description: t.string(),
    enabledEvents: t.stringList({ required: true, description: 'Event types to send; `["*"]` for every type.' }),
    enabled: t.boolean(),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'The fields to change.',
  fields: (t) => ({ url: t.string(), description: t.string(), enabledEvents: t.stringList(), enabled: t.boolean() }),
});

builder.queryFields((t) => ({
  webhookEndpoint: t.field({
    type: WebhookEndpointRef,
    nullable: true,
    description: 'A webhook endpoint of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.webhooks.get(actor, String(id))),
  }),
  webhookEndpoints: t.field({
    type: WebhookEndpointList,
    description: 'Webhook endpoints, newest first.',
    args: { ...pageArgs },
    resolve: (_root, args, { actor, services }) => services.webhooks.list(actor, toListQuery(args)),
  }),
  webhookAttempts: t.field({
    type: WebhookAttemptList,
    description: 'The delivery attempts to an endpoint, newest first.',
    args: { ...pageArgs, endpointId: t.arg.id({ required: true }) },
    resolve: (_root, { endpointId, ...args }, { actor, services }) =>
      services.webhooks.listAttempts(actor, String(endpointId), toListQuery<WebhookAttemptListQuery>(args)),
  }),
  webhookDelivery: t.field({
    type: WebhookDeliveryRef,
    nullable: true,
    description: 'A webhook delivery of this account with its attempts, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.webhooks.getDelivery(actor, String(id))),
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryList,
    description: 'Webhook deliveries with their attempts, newest first.',
    args: {
      ...pageArgs,
      endpointId: t.arg.id({ description: 'Only deliveries to this endpoint.' }),
      eventId: t.arg.id({ description: 'Only deliveries of this event.' }),
      status: t.arg({ type: WebhookDeliveryStatus }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.webhooks.listDeliveries(actor, toListQuery<WebhookDeliveryListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WebhookEndpointRef,
    description: 'Creates an endpoint; the answer’s `secret` is shown only now.',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.webhooks.create(actor, toServiceInput<WebhookEndpointCreate>(input)),
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpointRef,
    description: 'Changes an endpoint; disabling it stops its pending deliveries.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.webhooks.update(actor, String(id), toServiceInput<WebhookEndpointUpdate>(input)),
  }),
  deleteWebhookEndpoint: t.field({
    type: Deleted,
    description: 'Deletes an endpoint and its delivery log.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.webhooks.delete(actor, String(id)),
  }),
  rotateWebhookSecret: t.field({
    type: WebhookEndpointRef,
    description:
      'A new signing secret (in the answer); the old one keeps signing beside it for `overlapSeconds` (default 86400).',
    args: { id: t.arg.id({ required: true }), overlapSeconds: t.arg.int() },
    resolve: (_root, { id, overlapSeconds }, { actor, services }) =>
      services.webhooks.rotateSecret(
        actor,
        String(id),
        overlapSeconds === null || overlapSeconds === undefined ? {} : { overlap_seconds: overlapSeconds },
      ),
  }),
  sendWebhookTest: t.field({
    type: WebhookDeliveryRef,
    description: 'Sends a `webhook_endpoint.test` event to this endpoint only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.webhooks.sendTest(actor, String(id)),
  }),
  resendWebhookEvent: t.field({
    type: WebhookDeliveryRef,
    description: 'Sends an event to this endpoint again (a new delivery, same `webhook-id`).',
    args: { id: t.arg.id({ required: true }), eventId: t.arg.id({ required: true }) },
    resolve: (_root, { id, eventId }, { actor, services }) =>
      services.webhooks.resend(actor, String(id), { event_id: String(eventId) }),
  }),
}));
