// The documents module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { documentContent, documentFilename, purgeDocumentsOfCustomer } from './document.repository.ts';
export { Document, DOCUMENT_KINDS, DOCUMENT_STATUSES } from './document.schemas.ts';
export {
  createDocumentService,
  type DocumentService,
  storeInvoiceCopy,
  storeStatement,
  type StatementRenderer,
} from './document.service.ts';
export {
  createFormalNoticeWriter,
  decideFormalNotice,
  type FormalNoticeRenderer,
  type FormalNoticeWriter,
} from './formal-notice.service.ts';
export {
  FORMAL_NOTICE_DEADLINE_DAYS,
  type FeeBasis,
  type FeeParts,
  feePartsOf,
  feePartsOfMany,
  type FormalNotice,
} from './formal-notice.ts';
