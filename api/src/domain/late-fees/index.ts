// The late-fees module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { lateFeeSettings, presentFee, unwaivedFeesOf } from './late-fee.repository.ts';
export {
  InvoiceFee,
  InvoiceFeeWaive,
  LateFeePresetSchema,
  ReferenceRate,
  ReferenceRateCreate,
  ReferenceRateList,
  ReferenceRateListQuery,
} from './late-fee.schemas.ts';
export { PRESET_REFERENCE, REFERENCE_SOURCES } from './late-fee.rules.ts';
export { accrueLateFees, createLateFeeService } from './late-fee.service.ts';
