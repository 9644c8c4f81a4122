// The statements module's door: the monthly statement by email (docs/reports.md#statements-by-email).
// Everything else in this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { StatementMailing } from './statement-mailing.schemas.ts';
export type { StatementScope } from './statement-mailing.repository.ts';
export { createStatementMailer, type StatementMailer } from './statement-mailing.service.ts';
