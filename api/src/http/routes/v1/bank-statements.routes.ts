import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BankStatementImport, MAX_LINES_PER_IMPORT } from '../../../domain/bank-transactions/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdempotencyHeaders, problems, security, ref } from './common.ts';

export async function bankStatementRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const result = (description: string) => ({
    description,
    content: { 'application/json': { schema: Type.Ref('BankTransactionImportResult') } },
  });

  app.post<{ Body: BankStatementImport }>('/v1/bank_transactions/import', {
    schema: {
      operationId: 'importBankTransactionsFile',
      tags: ['Bank reconciliation'],
      security,
      headers: IdempotencyHeaders,
      body: ref(BankStatementImport),
      summary: 'Import a bank statement file (CSV, camt.053, MT940)',
      description:
        `Reads a bank export and imports its lines (at most ${MAX_LINES_PER_IMPORT}) as \`POST /v1/bank_transactions\` does: proposals ` +
        'for each new credit, debits stored as `ignored`. CSV columns are named in `csv.columns`; camt.053 and MT940 are read as ' +
        'the standards define them. A file that cannot be read, or a line that cannot be understood, is a 422 naming the line and ' +
        'the field, and nothing is imported. Lines without a bank reference get one from their date, amount, label and rank in the ' +
        'file, so the same file imported twice imports nothing new.',
      response: {
        201: result('At least one line was new.'),
        200: result('Every line was already imported.'),
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const imported = await services.bankTransactions.importFile(actorOf(request), request.body);
      return reply.code(imported.created > 0 ? 201 : 200).send(imported);
    },
  });
}
