import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { PaymentClaimCreate, PaymentClaimListQuery, PaymentClaimReject } from '../../../domain/claims/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function paymentClaimRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Payment claims'];

  app.post('/v1/payment_claims', {
    schema: {
      operationId: 'createPaymentClaim',
      tags,
      security,
      headers: IdempotencyHeaders,
      body: ref(PaymentClaimCreate),
      summary: 'Record that the customer says it already paid an invoice',
      description:
        "The invoice's reminders wait for the account's `payment_claim_hold_days` (7) while a `payment_claim` task asks someone to check. A payment recorded on the invoice confirms the claim; `reject` resumes the reminders; an unchecked claim expires and the schedule resumes. One open claim per invoice (`payment_claim/already_open`).",
      response: {
        201: {
          description: 'Recorded: the claim.',
          content: { 'application/json': { schema: Type.Ref('PaymentClaim') } },
        },
        ...problems,
      },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.paymentClaims.create(actorOf(request), request.body)),
  });

  app.get('/v1/payment_claims', {
    schema: {
      operationId: 'listPaymentClaims',
      tags,
      summary: 'List payment claims, newest first',
      security,
      querystring: PaymentClaimListQuery,
      response: responses(200, 'PaymentClaimList'),
    },
    handler: (request) => services.paymentClaims.list(actorOf(request), request.query),
  });

  app.get('/v1/payment_claims/:id', {
    schema: {
      operationId: 'getPaymentClaim',
      tags,
      summary: 'Get a payment claim',
      security,
      params: IdParams,
      response: responses(200, 'PaymentClaim'),
    },
    handler: (request) => services.paymentClaims.get(actorOf(request), request.params.id),
  });

  app.post('/v1/payment_claims/:id/reject', {
    schema: {
      operationId: 'rejectPaymentClaim',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PaymentClaimReject),
      response: responses(200, 'PaymentClaim'),
      summary: 'Reject an open payment claim: no such payment arrived',
      description:
        "The invoice's reminders resume at once (at the policy's next send time) and the claim's task is completed.",
    },
    handler: (request) => services.paymentClaims.reject(actorOf(request), request.params.id, request.body ?? {}),
  });
}
