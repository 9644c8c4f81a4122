// The bank-transactions module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  BankStatementImport,
  BankTransaction,
  BankTransactionConfirm,
  BankTransactionImport,
  BankTransactionImportResult,
  BankTransactionListQuery,
  type BankTransactionMatch,
  BankTransactionReject,
  MAX_LINES_PER_IMPORT,
} from './bank-transaction.schemas.ts';
export { createBankTransactionService } from './bank-transaction.service.ts';
export type { ProposedAllocation, Reason } from './matching.ts';
