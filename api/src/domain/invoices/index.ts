// The invoices module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  attachPlan,
  changeAmountPaid,
  detachPlan,
  findInvoice,
  invoicePagesOfCustomers,
  invoicesByIds,
  type InvoiceRow,
  lockInvoiceBalance,
  lockInvoices,
  invoiceRowFromJson,
  presentInvoice,
} from './invoice.repository.ts';
export {
  CHASED_STATUSES,
  CHASED_STATUSES_SQL,
  isChased,
  nextStatus,
  overdueState,
  owesNothing,
} from './invoice.rules.ts';
export {
  Invoice,
  InvoiceCreate,
  INVOICE_EXPANSIONS,
  InvoiceGetQuery,
  InvoiceListQuery,
  type InvoiceStatus,
  InvoiceUpdate,
  type LineItem,
} from './invoice.schemas.ts';
export { createInvoiceService } from './invoice.service.ts';
