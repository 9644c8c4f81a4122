import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  WebhookAttemptListQuery,
  WebhookDeliveryListQuery,
  WebhookEndpointCreate,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
  WebhookResend,
  WebhookSecretRotate,
} from '../../../domain/webhooks/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { Deleted, IdParams, IdempotencyHeaders, problems, responses, security, ref } from './common.ts';

export async function webhookRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Webhooks'];

  app.post('/v1/webhook_endpoints', {
    schema: {
      operationId: 'createWebhookEndpoint',
      tags,
      security,
      headers: IdempotencyHeaders,
      body: ref(WebhookEndpointCreate),
      summary: 'Create a webhook endpoint',
      description:
        'Events of the subscribed types are POSTed to the URL, signed per the Standard Webhooks specification. The answer ' +
        'carries the signing `secret`, shown only now. Live-mode endpoints need https; private, loopback and link-local ' +
        'addresses are refused (`webhook_endpoint/forbidden_target`).',
      response: {
        201: {
          description: 'Created: the endpoint with its secret.',
          content: { 'application/json': { schema: Type.Ref('WebhookEndpoint') } },
        },
        ...problems,
      },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.webhooks.create(actorOf(request), request.body)),
  });

  app.get('/v1/webhook_endpoints', {
    schema: {
      operationId: 'listWebhookEndpoints',
      tags,
      summary: 'List webhook endpoints, newest first',
      security,
      querystring: WebhookEndpointListQuery,
      response: responses(200, 'WebhookEndpointList'),
    },
    handler: (request) => services.webhooks.list(actorOf(request), request.query),
  });

  app.get('/v1/webhook_endpoints/:id', {
    schema: {
      operationId: 'getWebhookEndpoint',
      tags,
      summary: 'Get a webhook endpoint',
      security,
      params: IdParams,
      response: responses(200, 'WebhookEndpoint'),
    },
    handler: (request) => services.webhooks.get(actorOf(request), request.params.id),
  });

  app.patch('/v1/webhook_endpoints/:id', {
    schema: {
      operationId: 'updateWebhookEndpoint',
      tags,
      security,
      params: IdParams,
      body: ref(WebhookEndpointUpdate),
      response: responses(200, 'WebhookEndpoint'),
      summary: 'Update a webhook endpoint',
      description:
        'Disabling stops its pending deliveries (they become `failed`; resend them later if needed). Enabling clears `disabled_reason`.',
    },
    handler: (request) => services.webhooks.update(actorOf(request), request.params.id, request.body),
  });

  app.delete('/v1/webhook_endpoints/:id', {
    schema: {
      operationId: 'deleteWebhookEndpoint',
      tags,
      security,
      params: IdParams,
      summary: 'Delete a webhook endpoint and its delivery log',
      response: {
        200: { description: 'Deleted.', content: { 'application/json': { schema: Deleted('webhook_endpoint') } } },
        ...problems,
      },
    },
    handler: (request) => services.webhooks.delete(actorOf(request), request.params.id),
  });

  app.post('/v1/webhook_endpoints/:id/rotate_secret', {
    schema: {
      operationId: 'rotateWebhookSecret',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(WebhookSecretRotate),
      response: responses(200, 'WebhookEndpoint'),
      summary: "Rotate an endpoint's signing secret",
      description:
        'Returns the endpoint with its new `secret`. For `overlap_seconds` (default one day, at most 7 days) both secrets sign: `webhook-signature: v1,<new> v1,<old>`. The body may be left out.',
    },
    // No body at all means the defaults.
    preValidation: async (request) => {
      request.body ??= {};
    },
    handler: (request) => services.webhooks.rotateSecret(actorOf(request), request.params.id, request.body ?? {}),
  });

  app.post('/v1/webhook_endpoints/:id/test', {
    schema: {
      operationId: 'sendWebhookTest',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'WebhookDelivery'),
      summary: 'Send a test event to an endpoint',
      description:
        'Writes a `webhook_endpoint.test` event and delivers it to this endpoint only. Returns the (pending) delivery; follow it with `GET /v1/webhook_deliveries/{id}`.',
    },
    handler: (request) => services.webhooks.sendTest(actorOf(request), request.params.id),
  });

  app.post('/v1/webhook_endpoints/:id/resend', {
    schema: {
      operationId: 'resendWebhookEvent',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(WebhookResend),
      response: responses(200, 'WebhookDelivery'),
      summary: 'Send an event to an endpoint again',
      description:
        'A new delivery of the event (same body, same `webhook-id`: the event id), whatever the endpoint subscribes to.',
    },
    handler: (request) => services.webhooks.resend(actorOf(request), request.params.id, request.body),
  });

  app.get('/v1/webhook_endpoints/:id/attempts', {
    schema: {
      operationId: 'listWebhookAttempts',
      tags,
      summary: 'List the delivery attempts to an endpoint, newest first',
      security,
      params: IdParams,
      querystring: WebhookAttemptListQuery,
      response: responses(200, 'WebhookAttemptList'),
    },
    handler: (request) => services.webhooks.listAttempts(actorOf(request), request.params.id, request.query),
  });

  app.get('/v1/webhook_deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries',
      tags,
      summary: 'List webhook deliveries with their attempts, newest first',
      security,
      querystring: WebhookDeliveryListQuery,
      response: responses(200, 'WebhookDeliveryList'),
    },
    handler: (request) => services.webhooks.listDeliveries(actorOf(request), request.query),
  });

  app.get('/v1/webhook_deliveries/:id', {
    schema: {
      operationId: 'getWebhookDelivery',
      tags,
      summary: 'Get a webhook delivery with its attempts',
      security,
      params: IdParams,
      response: responses(200, 'WebhookDelivery'),
    },
    handler: (request) => services.webhooks.getDelivery(actorOf(request), request.params.id),
  });
}
