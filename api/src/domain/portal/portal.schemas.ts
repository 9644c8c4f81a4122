import Type from 'typebox';
import { Timestamp } from '../shared/index.ts';

export const PortalLink = Type.Object(
  {
    object: Type.Literal('portal_link'),
    id: Type.String({ description: 'A `pl_…` id; a new one after each rotation.' }),
    customer_id: Type.String(),
    url: Type.String({
      description:
        "The customer's page. Anyone with it sees what the customer owes and may answer for them: share it with the customer only.",
    }),
    expires_at: Type.Union([Timestamp, Type.Null()], {
      description:
        "Null while the customer owes something; else when the link stops opening (the account's `portal_days_after_paid` after the last change of its invoices).",
    }),
    created_at: Timestamp,
  },
  { $id: 'PortalLink', additionalProperties: false },
);
export type PortalLink = Type.Static<typeof PortalLink>;

export const PortalLinkRevoked = Type.Object(
  {
    object: Type.Literal('portal_link'),
    customer_id: Type.String(),
    revoked: Type.Literal(true),
  },
  { $id: 'PortalLinkRevoked', additionalProperties: false },
);
export type PortalLinkRevoked = Type.Static<typeof PortalLinkRevoked>;

export const PortalEvent = Type.Object(
  {
    customer_id: Type.String(),
    link_id: Type.String(),
    at: Timestamp,
  },
  { $id: 'PortalEvent', additionalProperties: false },
);
export type PortalEvent = Type.Static<typeof PortalEvent>;
