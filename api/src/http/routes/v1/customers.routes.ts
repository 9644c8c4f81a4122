import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RiskOverride } from '../../../domain/behaviour/index.ts';
import { CustomerCreate, CustomerListQuery, CustomerUpdate } from '../../../domain/customers/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { Deleted, IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function customerRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Customers'];

  app.post('/v1/customers', {
    schema: {
      operationId: 'createCustomer',
      tags,
      summary: 'Create a customer',
      security,
      headers: IdempotencyHeaders,
      description:
        'A customer whose `external_id` is already registered is returned with status 200 instead of creating a second one, ' +
        'when the body agrees with it; a body that differs from it in a given field is a 409 `customer/external_id_taken` ' +
        'whose `existing_id` is the registered customer.',
      body: ref(CustomerCreate),
      response: responses(201, 'Customer'),
    },
    handler: async (request, reply) => {
      const { customer, created } = await services.customers.register(actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(customer);
    },
  });

  app.get('/v1/customers', {
    schema: {
      operationId: 'listCustomers',
      tags,
      summary: 'List customers, newest first',
      security,
      querystring: CustomerListQuery,
      response: responses(200, 'CustomerList'),
    },
    handler: (request) => services.customers.list(actorOf(request), request.query),
  });

  app.get('/v1/customers/:id', {
    schema: {
      operationId: 'getCustomer',
      tags,
      summary: 'Get a customer',
      security,
      params: IdParams,
      response: responses(200, 'Customer'),
    },
    handler: (request) => services.customers.get(actorOf(request), request.params.id),
  });

  app.get('/v1/customers/:id/behaviour', {
    schema: {
      operationId: 'getCustomerBehaviour',
      tags,
      summary: "A customer's payment behaviour",
      description:
        "Over the 12 months ending today (account time zone): lateness weighted by amount and the share paid late, reminders per paid invoice, promises made and broken, payment plans breached, firm reminders left unanswered for 7 days, and today's overdue amount per currency. Computed from the customer's own rows when read, so it is always current. Formulas: docs/behaviour.md.",
      security,
      params: IdParams,
      response: responses(200, 'CustomerBehaviour'),
    },
    handler: (request) => services.behaviour.get(actorOf(request), request.params.id),
  });

  app.get('/v1/customers/:id/risk', {
    schema: {
      operationId: 'getCustomerRisk',
      tags,
      summary: "A customer's risk level, with its reasons",
      description:
        "Assessed now from the customer's payment behaviour with the account's thresholds (`risk_thresholds` on the account): each reason reached adds points, the score gives `low`, `medium`, `high` or `critical`. A manual override, when set, is the level in force until lifted. A change of that level writes `customer.risk_changed`. Advisory, and never shared across accounts. Formulas: docs/behaviour.md#risk.",
      security,
      params: IdParams,
      response: responses(200, 'CustomerRisk'),
    },
    handler: (request) => services.risk.get(actorOf(request), request.params.id),
  });

  app.put('/v1/customers/:id/risk/override', {
    schema: {
      operationId: 'overrideCustomerRisk',
      tags,
      summary: "Overrule a customer's assessed risk level, with a reason",
      description: 'The level given is in force until the override is lifted; the assessment goes on underneath.',
      security,
      params: IdParams,
      body: ref(RiskOverride),
      response: responses(200, 'CustomerRisk'),
    },
    handler: (request) => services.risk.override(actorOf(request), request.params.id, request.body),
  });

  app.delete('/v1/customers/:id/risk/override', {
    schema: {
      operationId: 'liftCustomerRiskOverride',
      tags,
      summary: 'Lift the override: the assessed level is in force again',
      security,
      params: IdParams,
      response: responses(200, 'CustomerRisk'),
    },
    handler: (request) => services.risk.liftOverride(actorOf(request), request.params.id),
  });

  app.get('/v1/customers/:id/portal_link', {
    schema: {
      operationId: 'getCustomerPortalLink',
      tags,
      summary: "The link to the customer's page (created on first request)",
      description:
        "The page where the customer sees what it owes, pays and answers (docs/portal.md); every reminder email carries it. One link per customer, opening while the customer owes something and for the account's `portal_days_after_paid` after. Share it with the customer only: it is the customer's credential. 409 `portal/disabled` when the account switched the page off.",
      security,
      params: IdParams,
      response: responses(200, 'PortalLink'),
    },
    handler: (request) => services.portal.link(actorOf(request), request.params.id),
  });

  app.post('/v1/customers/:id/portal_link/rotate', {
    schema: {
      operationId: 'rotateCustomerPortalLink',
      tags,
      summary: "Replace the customer's link: the old one stops opening at once",
      security,
      params: IdParams,
      response: responses(200, 'PortalLink'),
    },
    handler: (request) => services.portal.rotate(actorOf(request), request.params.id),
  });

  app.delete('/v1/customers/:id/portal_link', {
    schema: {
      operationId: 'revokeCustomerPortalLink',
      tags,
      summary: "Revoke the customer's link (the next reminder or request creates a new one)",
      security,
      params: IdParams,
      response: responses(200, 'PortalLinkRevoked'),
    },
    handler: (request) => services.portal.revoke(actorOf(request), request.params.id),
  });

  app.patch('/v1/customers/:id', {
    schema: {
      operationId: 'updateCustomer',
      tags,
      summary: 'Update a customer',
      security,
      params: IdParams,
      body: ref(CustomerUpdate),
      response: responses(200, 'Customer'),
    },
    handler: (request) => services.customers.update(actorOf(request), request.params.id, request.body),
  });

  app.delete('/v1/customers/:id', {
    schema: {
      operationId: 'deleteCustomer',
      tags,
      summary: 'Delete a customer that has no invoice',
      security,
      params: IdParams,
      response: {
        200: { description: 'Deleted.', content: { 'application/json': { schema: Deleted('customer') } } },
        ...problems,
      },
    },
    handler: (request) => services.customers.delete(actorOf(request), request.params.id),
  });

  app.post('/v1/customers/:id/anonymize', {
    schema: {
      operationId: 'anonymizeCustomer',
      tags,
      summary: "Erase a customer's personal data, keeping its invoices and payments",
      description:
        'Irreversible, in one transaction: name, emails, phone, contact, legal identity, address, metadata and external_id; the words and addresses of every message sent to it; notes on its tasks and disputes; its suppressed addresses; its details in earlier customer events. Kept: invoices (numbers, dates, amounts), payments, fees, and when each reminder was sent. Its pending reminders are skipped (`erased`). Erasing an erased customer answers it again.',
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'Customer'),
    },
    handler: (request) => services.erasure.anonymize(actorOf(request), request.params.id),
  });
}
