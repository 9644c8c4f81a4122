import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { InvoiceCreate, InvoiceGetQuery, InvoiceListQuery, InvoiceUpdate } from '../../../domain/invoices/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, responses, security, ref } from './common.ts';

export async function invoiceRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Invoices'];

  app.post('/v1/invoices', {
    schema: {
      operationId: 'createInvoice',
      tags,
      security,
      headers: IdempotencyHeaders,
      summary: 'Register an invoice',
      description:
        'Creates an open (or draft) invoice. The customer is given by `customer_id`, or inline by `customer.external_id` ' +
        '(created if new). Without `due_date`, it is computed from the payment terms. An invoice whose `external_id` is ' +
        'already registered is returned with status 200 instead of creating a second one.',
      body: ref(InvoiceCreate),
      response: responses(201, 'Invoice'),
    },
    handler: async (request, reply) => {
      const { invoice, created } = await services.invoices.create(actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(invoice);
    },
  });

  app.get<{ Querystring: InvoiceListQuery }>('/v1/invoices', {
    schema: {
      operationId: 'listInvoices',
      tags,
      summary: 'List invoices, newest first',
      security,
      querystring: InvoiceListQuery,
      response: responses(200, 'InvoiceList'),
    },
    handler: async (request) => {
      const page = await services.invoices.list(actorOf(request), request.query);
      return {
        ...page,
        data: await services.related.expandInvoices(actorOf(request), page.data, request.query.expand),
      };
    },
  });

  app.get<{ Params: { id: string }; Querystring: InvoiceGetQuery }>('/v1/invoices/:id', {
    schema: {
      operationId: 'getInvoice',
      tags,
      summary: 'Get an invoice',
      security,
      params: IdParams,
      querystring: InvoiceGetQuery,
      response: responses(200, 'Invoice'),
    },
    handler: async (request) => {
      const invoice = await services.invoices.get(actorOf(request), request.params.id);
      return (await services.related.expandInvoices(actorOf(request), [invoice], request.query.expand))[0];
    },
  });

  app.patch('/v1/invoices/:id', {
    schema: {
      operationId: 'updateInvoice',
      tags,
      summary: 'Edit a draft invoice',
      security,
      params: IdParams,
      body: ref(InvoiceUpdate),
      response: responses(200, 'Invoice'),
    },
    handler: (request) => services.invoices.update(actorOf(request), request.params.id, request.body),
  });

  const actions = [
    ['finalize', 'finalizeInvoice', 'Finalize a draft: it becomes open and is followed up', services.invoices.finalize],
    ['void', 'voidInvoice', 'Void a draft or open invoice: it was never owed', services.invoices.void],
    [
      'mark_uncollectible',
      'markInvoiceUncollectible',
      'Write off an open invoice',
      services.invoices.markUncollectible,
    ],
  ] as const;
  for (const [action, operationId, summary, run] of actions) {
    app.post(`/v1/invoices/:id/${action}`, {
      schema: {
        operationId,
        tags,
        summary,
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(200, 'Invoice'),
      },
      handler: (request) => run(actorOf(request), request.params.id),
    });
  }
}
