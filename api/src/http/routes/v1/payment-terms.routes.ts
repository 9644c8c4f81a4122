import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PaymentTermsCreate, PaymentTermsUpdate } from '../../../domain/payment-terms/index.ts';
import { PageQuery } from '../../../domain/shared/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { Deleted, IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function paymentTermsRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Payment terms'];

  app.post('/v1/payment_terms', {
    schema: {
      operationId: 'createPaymentTerms',
      tags,
      summary: 'Create payment terms',
      security,
      headers: IdempotencyHeaders,
      body: ref(PaymentTermsCreate),
      response: responses(201, 'PaymentTerms'),
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.paymentTerms.create(actorOf(request), request.body)),
  });

  app.get('/v1/payment_terms', {
    schema: {
      operationId: 'listPaymentTerms',
      tags,
      summary: 'List payment terms (built-in first)',
      security,
      querystring: PageQuery,
      response: responses(200, 'PaymentTermsList'),
    },
    handler: (request) => services.paymentTerms.list(actorOf(request), request.query),
  });

  app.get('/v1/payment_terms/:id', {
    schema: {
      operationId: 'getPaymentTerms',
      tags,
      summary: 'Get payment terms',
      security,
      params: IdParams,
      response: responses(200, 'PaymentTerms'),
    },
    handler: (request) => services.paymentTerms.get(actorOf(request), request.params.id),
  });

  app.patch('/v1/payment_terms/:id', {
    schema: {
      operationId: 'updatePaymentTerms',
      tags,
      summary: 'Update custom payment terms',
      security,
      params: IdParams,
      body: ref(PaymentTermsUpdate),
      response: responses(200, 'PaymentTerms'),
    },
    handler: (request) => services.paymentTerms.update(actorOf(request), request.params.id, request.body),
  });

  app.delete('/v1/payment_terms/:id', {
    schema: {
      operationId: 'deletePaymentTerms',
      tags,
      summary: 'Delete unused custom payment terms',
      security,
      params: IdParams,
      response: {
        200: { description: 'Deleted.', content: { 'application/json': { schema: Deleted('payment_terms') } } },
        ...problems,
      },
    },
    handler: (request) => services.paymentTerms.delete(actorOf(request), request.params.id),
  });
}
