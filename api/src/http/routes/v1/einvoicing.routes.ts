import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { EinvoiceStatusCreate } from '../../../domain/einvoicing/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function einvoicingRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['E-invoicing'];

  app.post('/v1/invoices/:id/einvoice_statuses', {
    schema: {
      operationId: 'recordEinvoiceStatus',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(EinvoiceStatusCreate),
      summary: 'Record a lifecycle status the e-invoicing platform reported for the invoice',
      description:
        'France, from September 2026: the status your approved platform (PA) sent. Relance reacts in the same transaction: 207 En litige opens a dispute; 208 Suspendue, 210 Refusée and 213 Rejetée pause the reminders until resumed; 211 Paiement transmis holds them for `hold_days` (7); 205 Approuvée and 209 Complétée lift a pause an earlier status set. The same code, date and `platform_ref` again is the same status (200, not a second one).',
      response: {
        201: {
          description: 'Recorded, with what Relance did.',
          content: { 'application/json': { schema: Type.Ref('EinvoiceStatus') } },
        },
        200: {
          description: 'Already recorded: the status as it was.',
          content: { 'application/json': { schema: Type.Ref('EinvoiceStatus') } },
        },
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const status = await services.einvoicing.record(actorOf(request), request.params.id, request.body);
      return reply.code(status.fresh ? 201 : 200).send(status.status);
    },
  });

  app.get('/v1/invoices/:id/einvoice_statuses', {
    schema: {
      operationId: 'listEinvoiceStatuses',
      tags,
      security,
      params: IdParams,
      summary: "The invoice's e-invoicing lifecycle, oldest first",
      response: responses(200, 'EinvoiceStatusList'),
    },
    handler: (request) => services.einvoicing.list(actorOf(request), request.params.id),
  });
}
