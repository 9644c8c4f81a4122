import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { InvoiceFeeWaive, ReferenceRateCreate, ReferenceRateListQuery } from '../../../domain/late-fees/index.ts';
import { PageQuery } from '../../../domain/shared/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, responses, security, ref } from './common.ts';

const FeeParams = Type.Object(
  { id: Type.String({ maxLength: 64 }), fee_id: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

export async function lateFeeRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Late fees'];

  app.get('/v1/invoices/:id/fees', {
    schema: {
      operationId: 'listInvoiceFees',
      tags,
      security,
      params: IdParams,
      querystring: PageQuery,
      summary: "An invoice's late-fee lines (recovery fee, interest accruals), oldest first",
      response: responses(200, 'InvoiceFeeList'),
    },
    handler: (request) => services.lateFees.listFees(actorOf(request), request.params.id, request.query),
  });

  app.post('/v1/invoices/:id/fees/:fee_id/waive', {
    schema: {
      operationId: 'waiveInvoiceFee',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: FeeParams,
      summary: 'Waive a late fee: it stays listed with the reason and no longer counts in the balance',
      body: ref(InvoiceFeeWaive),
      response: responses(200, 'InvoiceFee'),
    },
    handler: (request) => {
      const { id, fee_id } = request.params;
      return services.lateFees.waive(actorOf(request), id, fee_id, request.body);
    },
  });

  app.get('/v1/reference_rates', {
    schema: {
      operationId: 'listReferenceRates',
      tags,
      security,
      querystring: ReferenceRateListQuery,
      summary: 'Central-bank reference rates the legal presets use (ECB, Bank of England), with their effective dates',
      response: responses(200, 'ReferenceRateList'),
    },
    handler: (request) => services.lateFees.listReferenceRates(actorOf(request), request.query),
  });

  app.post('/v1/reference_rates', {
    schema: {
      operationId: 'createReferenceRate',
      tags,
      security,
      headers: IdempotencyHeaders,
      summary: 'Record a reference rate (operator only)',
      description:
        'Reference rates are shared by every account, so an account API key cannot change them: this always answers 403 ' +
        '`reference_rate/operator_only`. The operator records new rates with `npm run relance -- rates add`.',
      body: ref(ReferenceRateCreate),
      response: responses(201, 'ReferenceRate'),
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.lateFees.recordReferenceRate(actorOf(request), request.body)),
  });
}
