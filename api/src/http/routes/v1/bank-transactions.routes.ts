import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  BankTransactionConfirm,
  BankTransactionImport,
  BankTransactionListQuery,
  BankTransactionReject,
  MAX_LINES_PER_IMPORT,
} from '../../../domain/bank-transactions/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function bankTransactionRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Bank reconciliation'];
  const result = (description: string) => ({
    description,
    content: { 'application/json': { schema: Type.Ref('BankTransactionImportResult') } },
  });

  app.post('/v1/bank_transactions', {
    schema: {
      operationId: 'importBankTransactions',
      tags,
      security,
      headers: IdempotencyHeaders,
      body: ref(BankTransactionImport),
      summary: 'Import bank lines and get match proposals',
      description:
        `Imports 1 to ${MAX_LINES_PER_IMPORT} bank lines (credits positive, debits negative). Each new credit gets up to three ` +
        'proposals, best first: the invoices a payment of it would go to, scored from the reasons (invoice number in the label, ' +
        'amount equal to a balance, payer name equal to the customer name, invoices adding up to the amount). Debits are stored ' +
        'as `ignored`. A line whose `bank_reference` is already known is returned as it is (`created: false`), never duplicated; ' +
        'the same reference with another date, amount or currency refuses the import (`bank_transaction/reference_conflict`).',
      response: {
        201: result('At least one line was new.'),
        200: result('Every line was already imported.'),
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const imported = await services.bankTransactions.import(actorOf(request), request.body);
      return reply.code(imported.created > 0 ? 201 : 200).send(imported);
    },
  });

  app.get('/v1/bank_transactions', {
    schema: {
      operationId: 'listBankTransactions',
      tags,
      summary: 'List bank lines, newest first',
      security,
      querystring: BankTransactionListQuery,
      response: responses(200, 'BankTransactionList'),
    },
    handler: (request) => services.bankTransactions.list(actorOf(request), request.query),
  });

  app.get('/v1/bank_transactions/:id', {
    schema: {
      operationId: 'getBankTransaction',
      tags,
      summary: 'Get a bank line with its proposals',
      security,
      params: IdParams,
      response: responses(200, 'BankTransaction'),
    },
    handler: (request) => services.bankTransactions.get(actorOf(request), request.params.id),
  });

  app.post('/v1/bank_transactions/:id/confirm', {
    schema: {
      operationId: 'confirmBankTransaction',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(BankTransactionConfirm),
      response: responses(200, 'BankTransaction'),
      summary: 'Confirm a bank line: record its payment',
      description:
        'Records the payment of the whole line (method `transfer`, reference = `bank_reference`, received on `booked_on`) with the ' +
        'allocations of the proposal `match_id`, or for `customer_id` with the given `allocations` (oldest due first without them). ' +
        'The line becomes `matched`. A proposal whose invoices were paid or voided since is refused (`bank_transaction/match_stale`) and nothing changes.',
    },
    handler: (request) => services.bankTransactions.confirm(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/bank_transactions/:id/reject', {
    schema: {
      operationId: 'rejectBankTransactionMatch',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(BankTransactionReject),
      response: responses(200, 'BankTransaction'),
      summary: 'Reject one proposal of a bank line',
      description: 'The proposal becomes `rejected`; the line stays `unmatched`.',
    },
    handler: (request) => services.bankTransactions.reject(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/bank_transactions/:id/ignore', {
    schema: {
      operationId: 'ignoreBankTransaction',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'BankTransaction'),
      summary: 'Set a bank line aside (not a customer payment)',
      description: 'The line becomes `ignored` and leaves the unmatched list; it can still be confirmed later.',
    },
    handler: (request) => services.bankTransactions.ignore(actorOf(request), request.params.id),
  });
}
