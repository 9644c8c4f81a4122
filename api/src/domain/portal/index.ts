// The portal module's door: the debtor's page link (token, rotation, revocation) and what the page reads.
export { redactPortalUrl } from './portal.rules.ts';
export { PortalEvent, PortalLink, PortalLinkRevoked } from './portal.schemas.ts';
export {
  createPortalService,
  type PlanAnswer,
  type PortalConfig,
  type PortalCreditor,
  type PortalInvoice,
  type PortalInvoicePage,
  type PortalOverview,
  type PortalService,
  type PortalVisit,
  portalUrlIn,
} from './portal.service.ts';
