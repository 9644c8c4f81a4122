// The statements module's door: the monthly statement by email (docs/reports.md#statements-by-email).
// Everything else in this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { StatementMailing } from './statement-mailing.schemas.ts';
export { createStatementMailer, type StatementMailer, type StatementScope } from './statement-mailing.service.ts';
