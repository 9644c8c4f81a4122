import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AccountUpdate } from '../../../domain/accounts/index.ts';
import { ApiKeyCreate } from '../../../domain/api-keys/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { PageQuery } from '../../../domain/shared/index.ts';
import { IdParams, IdempotencyHeaders, responses, security, ref } from './common.ts';

export async function accountRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/v1/account', {
    schema: {
      operationId: 'getAccount',
      tags: ['Account'],
      summary: 'The account of the API key',
      security,
      response: responses(200, 'Account'),
    },
    handler: (request) => services.accounts.get(actorOf(request)),
  });

  app.patch('/v1/account', {
    schema: {
      operationId: 'updateAccount',
      tags: ['Account'],
      summary: 'Update the account settings',
      security,
      body: ref(AccountUpdate),
      response: responses(200, 'Account'),
    },
    handler: (request) => services.accounts.update(actorOf(request), request.body),
  });

  app.get('/v1/api_keys', {
    schema: {
      operationId: 'listApiKeys',
      tags: ['Account'],
      summary: 'List API keys (secrets are never shown again)',
      security,
      querystring: PageQuery,
      response: responses(200, 'ApiKeyList'),
    },
    handler: (request) => services.apiKeys.list(actorOf(request), request.query),
  });

  app.post('/v1/api_keys', {
    schema: {
      operationId: 'createApiKey',
      tags: ['Account'],
      summary: 'Create an API key; its secret is shown once',
      security,
      headers: IdempotencyHeaders,
      body: ref(ApiKeyCreate),
      response: responses(201, 'ApiKeyWithSecret'),
    },
    handler: async (request, reply) =>
      reply.code(201).send(await services.apiKeys.create(actorOf(request), request.body ?? {})),
  });

  app.post('/v1/api_keys/:id/revoke', {
    schema: {
      operationId: 'revokeApiKey',
      tags: ['Account'],
      summary: 'Revoke an API key at once',
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'ApiKey'),
    },
    handler: (request) => services.apiKeys.revoke(actorOf(request), request.params.id),
  });
}
