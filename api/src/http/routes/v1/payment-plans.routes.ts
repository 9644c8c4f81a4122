import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { PaymentPlanCancel, PaymentPlanCreate, PaymentPlanListQuery } from '../../../domain/payment-plans/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function paymentPlanRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Payment plans'];

  app.post('/v1/invoices/:id/payment_plans', {
    schema: {
      operationId: 'createPaymentPlan',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PaymentPlanCreate),
      summary: 'Agree a payment plan (échéancier) on an invoice',
      description:
        "Splits the invoice's balance into dated installments: explicit `installments` (adding up to the balance exactly, dates " +
        'strictly increasing, the first today or later), or `count` equal monthly installments from `first_due_date` with the ' +
        'remainder on the last. While the plan is active, reminders follow the installments, late fees are suspended (unless ' +
        '`late_fees: accrue`) and payments go to the installments oldest first. One active plan per invoice.',
      response: {
        201: {
          description: 'Agreed: the plan and its installments.',
          content: { 'application/json': { schema: Type.Ref('PaymentPlan') } },
        },
        ...problems,
      },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.paymentPlans.create(actorOf(request), request.params.id, request.body)),
  });

  app.get('/v1/payment_plans', {
    schema: {
      operationId: 'listPaymentPlans',
      tags,
      summary: 'List payment plans, newest first',
      security,
      querystring: PaymentPlanListQuery,
      response: responses(200, 'PaymentPlanList'),
    },
    handler: (request) => services.paymentPlans.list(actorOf(request), request.query),
  });

  app.get('/v1/payment_plans/:id', {
    schema: {
      operationId: 'getPaymentPlan',
      tags,
      summary: 'Get a payment plan with its installments',
      security,
      params: IdParams,
      response: responses(200, 'PaymentPlan'),
    },
    handler: (request) => services.paymentPlans.get(actorOf(request), request.params.id),
  });

  app.post('/v1/payment_plans/:id/cancel', {
    schema: {
      operationId: 'cancelPaymentPlan',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PaymentPlanCancel),
      response: responses(200, 'PaymentPlan'),
      summary: 'Cancel an active payment plan',
      description:
        'The invoice goes back to its own reminder policy and late fees resume (the days under the plan stay free). Only an active plan can be cancelled (`payment_plan/not_active`).',
    },
    handler: (request) => services.paymentPlans.cancel(actorOf(request), request.params.id, request.body ?? {}),
  });
}
