import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PauseCreate, PromiseToPay } from '../../../domain/pauses/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, responses, security, ref } from './common.ts';

export async function pauseRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // A pause needs no field: `POST …/pause` without a body pauses until resumed.
  const emptyBodyIsAnObject = async (request: FastifyRequest) => {
    request.body ??= {};
  };

  app.post('/v1/invoices/:id/pause', {
    schema: {
      operationId: 'pauseInvoice',
      tags: ['Invoices'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PauseCreate),
      response: responses(200, 'Invoice'),
      summary: "Pause an invoice's reminders",
      description:
        'Until `until` (its last day, today or later), or until resumed without it. Pausing again replaces the pause; it shows as `pause` on the invoice.',
    },
    preValidation: emptyBodyIsAnObject,
    handler: (request) => services.pauses.pauseInvoice(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/invoices/:id/resume', {
    schema: {
      operationId: 'resumeInvoice',
      tags: ['Invoices'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'Invoice'),
      summary: "Lift an invoice's pause",
      description:
        'Reminders due during the pause are reconsidered at once: the latest one due goes out, earlier ones are skipped as stale.',
    },
    handler: (request) => services.pauses.resumeInvoice(actorOf(request), request.params.id),
  });

  app.post('/v1/invoices/:id/promise', {
    schema: {
      operationId: 'setInvoicePromise',
      tags: ['Invoices'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PromiseToPay),
      response: responses(200, 'Invoice'),
      summary: 'Record (or clear) a promise to pay',
      description:
        'Reminders wait until two days after the promised `date`; if it passes unpaid the promise is broken (`promise.broken`) and they resume. `date: null` clears it.',
    },
    handler: (request) => services.pauses.setPromise(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/customers/:id/pause', {
    schema: {
      operationId: 'pauseCustomer',
      tags: ['Customers'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(PauseCreate),
      response: responses(200, 'Customer'),
      summary: "Pause the reminders of all a customer's invoices",
      description:
        'Until `until` (its last day, today or later), or until resumed without it. It shows as `pause` on the customer.',
    },
    preValidation: emptyBodyIsAnObject,
    handler: (request) => services.pauses.pauseCustomer(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/customers/:id/resume', {
    schema: {
      operationId: 'resumeCustomer',
      tags: ['Customers'],
      summary: "Lift a customer's pause",
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'Customer'),
    },
    handler: (request) => services.pauses.resumeCustomer(actorOf(request), request.params.id),
  });
}
