import type { PortalLink, PortalLinkRevoked } from '../../domain/portal/index.ts';
import { builder } from '../builder.ts';
import { CustomerRef } from './customer.ts';

const PortalLinkRef = builder.objectRef<PortalLink>('PortalLink').implement({
  description:
    "The link to a customer's page (REST: `GET /v1/customers/{id}/portal_link`; docs/portal.md). Share it with the customer only.",
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    expiresAt: t.expose('expires_at', {
      type: 'DateTime',
      nullable: true,
      description: 'Null while the customer owes something.',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const PortalLinkRevokedRef = builder.objectRef<PortalLinkRevoked>('PortalLinkRevoked').implement({
  fields: (t) => ({ customerId: t.exposeID('customer_id'), revoked: t.exposeBoolean('revoked') }),
});

builder.objectFields(CustomerRef, (t) => ({
  portalLink: t.field({
    type: PortalLinkRef,
    description: "The link to the customer's page, created on first request.",
    resolve: (customer, _args, { actor, services }) => services.portal.link(actor, customer.id),
  }),
}));

builder.mutationFields((t) => ({
  rotateCustomerPortalLink: t.field({
    type: PortalLinkRef,
    description: "Replaces the customer's page link; the old one stops opening at once.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { actor, services }) => services.portal.rotate(actor, String(args.id)),
  }),
  revokeCustomerPortalLink: t.field({
    type: PortalLinkRevokedRef,
    description: "Revokes the customer's page link.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { actor, services }) => services.portal.revoke(actor, String(args.id)),
  }),
}));
