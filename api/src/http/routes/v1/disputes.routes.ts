import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type DisputeCreate, DisputeListQuery, type DisputeResolve } from '../../../domain/disputes/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security } from './common.ts';

export async function disputeRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;
  const tags = ['Disputes'];

  app.post('/v1/invoices/:id/disputes', {
    schema: {
      operationId: 'openDispute', tags, security, headers: IdempotencyHeaders, params: IdParams, body: Type.Ref('DisputeCreate'),
      summary: 'Open a dispute on an invoice',
      description: 'The invoice (open or partially paid) becomes `disputed`: no reminder goes out until the dispute is resolved. One open dispute per invoice.',
      response: { 201: { description: 'Opened: the dispute.', content: { 'application/json': { schema: Type.Ref('Dispute') } } }, ...problems },
    },
    handler: async (request, reply) => reply.code(201).send(await services.disputes.open(actorOf(request), id(request), request.body as DisputeCreate)),
  });

  app.get('/v1/disputes', {
    schema: { operationId: 'listDisputes', tags, summary: 'List disputes, newest first', security, querystring: DisputeListQuery, response: responses(200, 'DisputeList') },
    handler: (request) => services.disputes.list(actorOf(request), request.query as DisputeListQuery),
  });

  app.get('/v1/disputes/:id', {
    schema: { operationId: 'getDispute', tags, summary: 'Get a dispute', security, params: IdParams, response: responses(200, 'Dispute') },
    handler: (request) => services.disputes.get(actorOf(request), id(request)),
  });

  app.post('/v1/disputes/:id/resolve', {
    schema: {
      operationId: 'resolveDispute', tags, security, headers: IdempotencyHeaders, params: IdParams, body: Type.Ref('DisputeResolve'), response: responses(200, 'Dispute'),
      summary: 'Resolve an open dispute',
      description:
        '`for_creditor`: the invoice is owed and its reminders resume. `for_customer`: the invoice is voided; a partially ' +
        'paid invoice cannot be voided (`dispute/cannot_void_paid`, the dispute stays open). An invoice closed meanwhile is left as it is.',
    },
    handler: (request) => services.disputes.resolve(actorOf(request), id(request), request.body as DisputeResolve),
  });
}
