// The e-invoicing module's door: an invoice's lifecycle on the French e-invoicing platforms.
// Everything else in this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { EINVOICE_STATUSES } from './einvoice.rules.ts';
export { EinvoiceStatus, EinvoiceStatusCreate, InvoiceCollection } from './einvoice.schemas.ts';
export { createEinvoiceService } from './einvoice.service.ts';
