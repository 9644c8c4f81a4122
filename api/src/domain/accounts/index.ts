// The accounts module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { Account, AccountUpdate } from './account.schemas.ts';
export {
  type AccountRow,
  accountsWithMonthlyStatements,
  findAccount,
  getAccount,
  markMonthlyStatementsDone,
  presentAccount,
} from './account.repository.ts';
export { createAccountService } from './account.service.ts';
