import Type from 'typebox';
import { Id, ListQuery, Nullable, Timestamp } from '../shared/index.ts';

/** How long the previous secret keeps signing after a rotation, by default and at most. */
export const DEFAULT_OVERLAP_SECONDS = 86_400;
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '^(\\*|[a-z_]+\\.[a-z_.]+)$' }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: 'The event types sent to this endpoint, such as `invoice.paid`; `["*"]` sends every type.',
  examples: [['invoice.paid', 'invoice.overdue'], ['*']],
});
const EndpointUrl = Type.String({
  format: 'uri',
  maxLength: 2048,
  pattern: '^https?://',
  description: 'Where events are POSTed. `https` for live-mode accounts; private and loopback addresses are refused.',
});
const Description = Type.String({ maxLength: 500 });

export const WebhookEndpoint = Type.Object(
  {
    id: Id('we'),
    object: Type.Literal('webhook_endpoint'),
    url: Type.String(),
    description: Nullable(Type.String()),
    enabled_events: Type.Array(Type.String()),
    enabled: Type.Boolean({
      description:
        'Disabled endpoints receive nothing; Relance disables an endpoint that answers 410 or fails for 3 days.',
    }),
    disabled_reason: Nullable(
      Type.String({ description: 'Why Relance disabled it (null when enabled, or disabled by you).' }),
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
    secret: Type.Optional(
      Type.String({
        description:
          'The signing secret (`whsec_…`): shown only when the endpoint is created and when its secret is rotated.',
      }),
    ),
  },
  { $id: 'WebhookEndpoint', additionalProperties: false },
);
export type WebhookEndpoint = Type.Static<typeof WebhookEndpoint>;

export const WebhookEndpointCreate = Type.Object(
  {
    url: EndpointUrl,
    description: Type.Optional(Nullable(Description)),
    enabled_events: EventTypes,
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { $id: 'WebhookEndpointCreate', additionalProperties: false },
);
export type WebhookEndpointCreate = Type.Static<typeof WebhookEndpointCreate>;

export const WebhookEndpointUpdate = Type.Object(
  {
    url: Type.Optional(EndpointUrl),
    description: Type.Optional(Nullable(Description)),
    enabled_events: Type.Optional(EventTypes),
    enabled: Type.Optional(
      Type.Boolean({ description: 'Re-enabling clears `disabled_reason` and the failure streak.' }),
    ),
  },
  { $id: 'WebhookEndpointUpdate', additionalProperties: false },
);
export type WebhookEndpointUpdate = Type.Static<typeof WebhookEndpointUpdate>;

export const WebhookSecretRotate = Type.Object(
  {
    overlap_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OVERLAP_SECONDS,
        default: DEFAULT_OVERLAP_SECONDS,
        description:
          'How long the old secret keeps signing beside the new one (both signatures are sent). 0 to 604800; default 86400.',
      }),
    ),
  },
  { $id: 'WebhookSecretRotate', additionalProperties: false },
);
export type WebhookSecretRotate = Type.Static<typeof WebhookSecretRotate>;

export const WebhookResend = Type.Object(
  {
    event_id: Type.String({
      maxLength: 64,
      description: 'The event to send again (any event of the account, any type).',
    }),
  },
  { $id: 'WebhookResend', additionalProperties: false },
);
export type WebhookResend = Type.Static<typeof WebhookResend>;

export const WebhookAttempt = Type.Object(
  {
    id: Id('wha'),
    object: Type.Literal('webhook_attempt'),
    delivery_id: Id('whd'),
    endpoint_id: Id('we'),
    event_id: Id('evt'),
    attempted_at: Timestamp,
    status_code: Nullable(
      Type.Integer({
        description: 'The HTTP status answered; null when no answer came (timeout, refused, blocked address).',
      }),
    ),
    duration_ms: Type.Integer({ minimum: 0 }),
    response_excerpt: Nullable(Type.String({ description: 'The first KiB of the response body.' })),
    error: Nullable(Type.String({ description: 'Why the attempt failed, when it did.' })),
    succeeded: Type.Boolean(),
    next_attempt_at: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When the next attempt was planned after this one (null: none).',
      }),
    ),
  },
  { $id: 'WebhookAttempt', additionalProperties: false },
);
export type WebhookAttempt = Type.Static<typeof WebhookAttempt>;

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const WebhookDelivery = Type.Object(
  {
    id: Id('whd'),
    object: Type.Literal('webhook_delivery'),
    endpoint_id: Id('we'),
    event_id: Id('evt'),
    event_type: Type.String(),
    status: Type.Enum([...DELIVERY_STATUSES], {
      description:
        '`pending`: not delivered yet (first attempt or retries to come); `succeeded`: a 2xx answer; `failed`: given up (attempts exhausted or endpoint disabled).',
    }),
    attempt_count: Type.Integer({ minimum: 0 }),
    next_attempt_at: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When the next retry is planned (null while queued or once settled).',
      }),
    ),
    last_attempt_at: Nullable(Type.String({ format: 'date-time' })),
    created_at: Timestamp,
    attempts: Type.Array(Type.Ref('WebhookAttempt'), { description: 'Every attempt, oldest first.' }),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);
export type WebhookDelivery = Omit<Type.Static<typeof WebhookDelivery>, 'attempts'> & { attempts: WebhookAttempt[] };

export const WebhookEndpointListQuery = Type.Object({ ...ListQuery }, { additionalProperties: false });
export type WebhookEndpointListQuery = Type.Static<typeof WebhookEndpointListQuery>;

export const WebhookAttemptListQuery = Type.Object({ ...ListQuery }, { additionalProperties: false });
export type WebhookAttemptListQuery = Type.Static<typeof WebhookAttemptListQuery>;

export const WebhookDeliveryListQuery = Type.Object(
  {
    ...ListQuery,
    endpoint_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only deliveries to this endpoint.' })),
    event_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only deliveries of this event.' })),
    status: Type.Optional(Type.Enum([...DELIVERY_STATUSES])),
  },
  { additionalProperties: false },
);
export type WebhookDeliveryListQuery = Type.Static<typeof WebhookDeliveryListQuery>;
