import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from '../shared/index.ts';

/** Resend's domain states (resend SDK `DomainStatus`), and `unchecked`: the key may only send, so its domains cannot be listed. */
export const DOMAIN_STATUSES = [
  'verified',
  'pending',
  'failed',
  'not_started',
  'partially_verified',
  'partially_failed',
  'unchecked',
] as const;

export const AccountSender = Type.Object(
  {
    object: Type.Literal('account_sender'),
    provider: Type.Literal('resend'),
    api_key_last4: Type.String({ description: 'The last 4 characters of the API key; the key itself is never shown.' }),
    domain: Nullable(Type.String({ description: 'The sending domain, as the provider knows it.' })),
    domain_status: Nullable(
      Type.Union(
        [
          Type.Literal('verified'),
          Type.Literal('pending'),
          Type.Literal('failed'),
          Type.Literal('not_started'),
          Type.Literal('partially_verified'),
          Type.Literal('partially_failed'),
          Type.Literal('unchecked'),
        ],
        {
          description:
            "The domain's state at the provider when the key was checked; `unchecked` when the key may only send (Resend's sending-access keys cannot list domains).",
        },
      ),
    ),
    webhook_secret_set: Type.Boolean({
      description: "Whether the signing secret of the account's own Resend webhook is stored.",
    }),
    provider_events_path: Type.String({
      description:
        "Where the account's own Resend webhook posts its events (delivered, bounced, complained), relative to the API's base URL.",
    }),
    rate_per_second: Type.Number({
      description: 'Requests per second Relance makes with this key, shared by every worker.',
    }),
    checked_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    $id: 'AccountSender',
    description:
      "The account's own email provider credential: Relance sends this account's emails with it instead of the service's key.",
  },
);
export type AccountSender = Static<typeof AccountSender>;

export const AccountSenderUpdate = Type.Object(
  {
    provider: Type.Optional(Type.Literal('resend')),
    api_key: Type.String({
      pattern: '^re_[A-Za-z0-9_-]{8,200}$',
      description:
        'A Resend API key (`re_…`). Full access lets Relance check the domain; sending access is enough to send.',
    }),
    domain: Type.Optional(
      Nullable(
        Type.String({
          minLength: 3,
          maxLength: 253,
          pattern: '^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
          description:
            "The sending domain (lower case). Absent: the domain of the account's `sender_email`. It must be verified at Resend when the key can list domains.",
        }),
      ),
    ),
    webhook_secret: Type.Optional(
      Nullable(
        Type.String({
          pattern: '^whsec_[A-Za-z0-9+/=]{8,200}$',
          description: "The signing secret (`whsec_…`) of the account's own Resend webhook.",
        }),
      ),
    ),
    rate_per_second: Type.Optional(
      Type.Number({ minimum: 0.1, maximum: 1000, description: "Default: the service's RESEND_RATE_LIMIT." }),
    ),
  },
  { $id: 'AccountSenderUpdate', additionalProperties: false },
);
export type AccountSenderUpdate = Static<typeof AccountSenderUpdate>;

export const AccountSenderDeleted = Type.Object(
  { object: Type.Literal('account_sender'), deleted: Type.Literal(true) },
  { $id: 'AccountSenderDeleted', additionalProperties: false },
);
