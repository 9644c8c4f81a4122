import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DisputeCreate, DisputeListQuery, DisputeResolve } from '../../../domain/disputes/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function disputeRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Disputes'];

  app.post('/v1/invoices/:id/disputes', {
    schema: {
      operationId: 'openDispute',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(DisputeCreate),
      summary: 'Open a dispute on an invoice',
      description:
        'The invoice (open or partially paid) becomes `disputed`: no reminder goes out until the dispute is resolved. One open dispute per invoice.',
      response: {
        201: { description: 'Opened: the dispute.', content: { 'application/json': { schema: Type.Ref('Dispute') } } },
        ...problems,
      },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.disputes.open(actorOf(request), request.params.id, request.body)),
  });

  app.get('/v1/disputes', {
    schema: {
      operationId: 'listDisputes',
      tags,
      summary: 'List disputes, newest first',
      security,
      querystring: DisputeListQuery,
      response: responses(200, 'DisputeList'),
    },
    handler: (request) => services.disputes.list(actorOf(request), request.query),
  });

  app.get('/v1/disputes/:id', {
    schema: {
      operationId: 'getDispute',
      tags,
      summary: 'Get a dispute',
      security,
      params: IdParams,
      response: responses(200, 'Dispute'),
    },
    handler: (request) => services.disputes.get(actorOf(request), request.params.id),
  });

  app.post('/v1/disputes/:id/resolve', {
    schema: {
      operationId: 'resolveDispute',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(DisputeResolve),
      response: responses(200, 'Dispute'),
      summary: 'Resolve an open dispute',
      description:
        '`for_creditor`: the invoice is owed and its reminders resume. `for_customer`: the invoice is voided; a partially ' +
        'paid invoice cannot be voided (`dispute/cannot_void_paid`, the dispute stays open). An invoice closed meanwhile is left as it is.',
    },
    handler: (request) => services.disputes.resolve(actorOf(request), request.params.id, request.body),
  });
}
