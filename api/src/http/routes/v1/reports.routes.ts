import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AgingQuery, DsoQuery, ForecastQuery, StatementQuery } from '../../../domain/reports/index.ts';
import { customerStatementPdf } from '../../statement.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, problems, responses, security } from './common.ts';

export async function reportRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Reports'];

  app.get('/v1/reports/aging', {
    schema: {
      operationId: 'getAgingReport',
      tags,
      security,
      querystring: AgingQuery,
      summary: 'Amounts due by past-due bucket, per currency (and per customer)',
      description:
        "Every open invoice's amount due (late fees included) in its bucket of days past due as of today in the account's time zone. " +
        'Per currency, never summed across currencies. `format=csv` gives the rows as CSV.',
      response: {
        ...responses(200, 'AgingReport'),
        200: {
          description: 'The aging report (JSON), or its rows as CSV with `format=csv`.',
          content: {
            'application/json': { schema: { $ref: 'AgingReport' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const report = await services.reports.aging(actorOf(request), request.query);
      if (request.query.format !== 'csv') return reply.send(report);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="aging-${report.as_of}.csv"`)
        .send(services.reports.agingCsv(report));
    },
  });

  app.get('/v1/customers/:id/statement', {
    schema: {
      operationId: 'getCustomerStatement',
      tags: ['Customers'],
      security,
      params: IdParams,
      querystring: StatementQuery,
      summary: "A customer's statement of account over a period, per currency",
      description:
        'The balance before `from`, every invoice, fee, payment, void, waiver and reversal up to `to` with the running balance, the balance at the end and the aging of what is still owed then. `format=csv` gives the entries as CSV, `format=pdf` a document for the customer (in its language).',
      response: {
        ...responses(200, 'Statement'),
        200: {
          description: 'The statement (JSON), its entries as CSV with `format=csv`, or a PDF with `format=pdf`.',
          content: {
            'application/json': { schema: { $ref: 'Statement' } },
            'text/csv': { schema: { type: 'string' } },
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
          },
        },
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const statement = await services.reports.statement(actor, request.params.id, request.query);
      const name = `statement-${statement.from}-${statement.to}`;
      if (request.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(services.reports.statementCsv(statement));
      if (request.query.format !== 'pdf') return reply.send(statement);
      const pdf = await customerStatementPdf(services, actor, statement);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${name}.pdf"`)
        .send(pdf);
    },
  });

  app.get('/v1/reports/dso', {
    schema: {
      operationId: 'getDsoReport',
      tags,
      security,
      querystring: DsoQuery,
      summary: 'Days sales outstanding, best possible DSO and average days delinquent, per currency',
      description:
        'Over the `days` days ending today: DSO = receivables ÷ credit sales × days; best possible DSO counts only receivables not yet due; average days delinquent is the difference.',
      response: responses(200, 'DsoReport'),
    },
    handler: (request) => services.reports.dso(actorOf(request), request.query),
  });

  app.get('/v1/reports/forecast', {
    schema: {
      operationId: 'getForecastReport',
      tags,
      security,
      querystring: ForecastQuery,
      summary: 'Expected collections per week, per currency',
      description:
        "For `weeks` weeks from today (13 by default): every open amount at its expected date (an unpaid plan installment's due date, a promised date, else the due date), " +
        "shifted by the customer's own average days late over the last 12 months. Amounts expected before today and still unpaid are `overdue`, beyond the last week `later`.",
      response: responses(200, 'ForecastReport'),
    },
    handler: (request) => services.reports.forecast(actorOf(request), request.query),
  });
}
