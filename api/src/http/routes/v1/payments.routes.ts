import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  PaymentApplyCredit,
  PaymentCreate,
  PaymentGetQuery,
  PaymentListQuery,
  PaymentReverse,
} from '../../../domain/payments/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function paymentRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Payments'];

  app.post('/v1/payments', {
    schema: {
      operationId: 'createPayment',
      tags,
      security,
      headers: IdempotencyHeaders,
      body: ref(PaymentCreate),
      summary: 'Record a payment',
      description:
        'Records a payment of a customer and allocates it: to the invoices and amounts in `allocations` (same customer ' +
        "and currency, open or partially paid, at most their balance), or without them to the customer's open invoices " +
        "oldest due first. What is left is the customer's credit (`unallocated`), applicable later. Invoices become " +
        '`partially_paid` or `paid` and their reminders are replanned. Any refused allocation refuses the whole payment.',
      response: {
        201: {
          description: 'Recorded: the payment and its allocations.',
          content: { 'application/json': { schema: Type.Ref('Payment') } },
        },
        ...problems,
      },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.payments.create(actorOf(request), request.body)),
  });

  app.get<{ Querystring: PaymentListQuery }>('/v1/payments', {
    schema: {
      operationId: 'listPayments',
      tags,
      summary: 'List payments, newest first',
      security,
      querystring: PaymentListQuery,
      response: responses(200, 'PaymentList'),
    },
    handler: async (request) => {
      const page = await services.payments.list(actorOf(request), request.query);
      return {
        ...page,
        data: await services.related.expandPayments(actorOf(request), page.data, request.query.expand),
      };
    },
  });

  app.get<{ Params: { id: string }; Querystring: PaymentGetQuery }>('/v1/payments/:id', {
    schema: {
      operationId: 'getPayment',
      tags,
      summary: 'Get a payment with its allocations',
      security,
      params: IdParams,
      querystring: PaymentGetQuery,
      response: responses(200, 'Payment'),
    },
    handler: async (request) => {
      const payment = await services.payments.get(actorOf(request), request.params.id);
      return (await services.related.expandPayments(actorOf(request), [payment], request.query.expand))[0];
    },
  });

  app.post('/v1/payments/:id/apply_credit', {
    schema: {
      operationId: 'applyPaymentCredit',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PaymentApplyCredit),
      response: responses(200, 'Payment'),
      summary: "Apply a payment's remaining credit to invoices",
      description:
        'Allocates part or all of `unallocated` to invoices of the same customer and currency, with the same checks as recording a payment.',
    },
    handler: (request) => services.payments.applyCredit(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/payments/:id/reverse', {
    schema: {
      operationId: 'reversePayment',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PaymentReverse),
      response: responses(200, 'Payment'),
      summary: 'Reverse a payment (bounced, refunded)',
      description:
        'Undoes every allocation: the invoices owe the amounts again (a paid one becomes partially paid or open) and their ' +
        'reminders still to come are planned again. The remaining credit is gone. A payment is reversed once (`payment/already_reversed`).',
    },
    handler: (request) => services.payments.reverse(actorOf(request), request.params.id, request.body),
  });
}
