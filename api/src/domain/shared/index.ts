// The shared module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { type Actor, assertKeyAdmin, assertWriteAccess } from './actor.ts';
export { CHASED_STATUSES, CHASED_STATUSES_SQL } from './invoice-status.ts';
export {
  queueForReplan,
  type ReleaseRemindersSkippedAsPaid,
  REPLAN_ON_CONFLICT,
  type ReplanInvoices,
} from './replan.ts';
export {
  Amount,
  CalendarDate,
  Currency,
  Email,
  Id,
  ListOf,
  ListQuery,
  Locale,
  Metadata,
  MetadataFilter,
  Nullable,
  type Page,
  PageQuery,
  Timestamp,
  TimeZone,
  toPage,
  Url,
} from './schemas.ts';
export { accountTime } from './time.ts';
export { expandQuery, expansions } from './expand.ts';
export { metadataContains } from './filters.ts';
export { fetchPage, keysetPage, type PageRequest, pageOf, pageSize } from './pagination.ts';
export { B2B_PRESETS, type CustomerKind, isB2bPreset, refuseB2bTermsForConsumer } from './b2b.ts';
export { checkIdentity, identityFields, normalizeVat, PostalAddress } from './identity.ts';
