// The customers module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  customersByIds,
  findCustomer,
  insertCustomerOnce,
  presentCustomer,
  setCustomerPauseRow,
} from './customer.repository.ts';
export { activePause } from './customer.rules.ts';
export { Customer, CustomerCreate, CustomerListQuery, CustomerUpdate } from './customer.schemas.ts';
export { assertLawfulCustomer, createCustomerService, withNormalizedVat } from './customer.service.ts';
