// The reports module's door: receivables reports (aging, DSO) of one account.
export {
  AgingQuery,
  AgingReport,
  DsoQuery,
  DsoReport,
  ForecastQuery,
  ForecastReport,
  Statement,
  StatementQuery,
} from './report.schemas.ts';
export { createReportService, type ReportService } from './report.service.ts';
