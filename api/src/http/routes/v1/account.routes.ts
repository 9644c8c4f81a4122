import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AccountUpdate } from '../../../domain/accounts/index.ts';
import { ApiKeyCreate } from '../../../domain/api-keys/index.ts';
import { AccountSenderUpdate } from '../../../domain/senders/index.ts';
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

  app.get('/v1/account/sender', {
    schema: {
      operationId: 'getAccountSender',
      tags: ['Account'],
      summary: "The account's own email provider credential (its key is never shown)",
      security,
      response: responses(200, 'AccountSender'),
    },
    handler: (request) => services.senders.get(actorOf(request)),
  });

  app.put('/v1/account/sender', {
    schema: {
      operationId: 'setAccountSender',
      tags: ['Account'],
      summary: "Send this account's emails with its own Resend key (checked with Resend, stored encrypted)",
      description:
        "An admin key only. Resend is asked about the key first (`GET /domains`): a refused key is a 422 `account_sender/invalid_api_key`; a domain that is not verified there is a 422 `account_sender/domain_not_verified`. The key is stored encrypted with the service's RELANCE_SECRETS_KEY and paced on its own rate budget. Replaces the previous credential.",
      security,
      body: ref(AccountSenderUpdate),
      response: responses(200, 'AccountSender'),
    },
    handler: (request) => services.senders.set(actorOf(request), request.body),
  });

  app.delete('/v1/account/sender', {
    schema: {
      operationId: 'deleteAccountSender',
      tags: ['Account'],
      summary: "Forget the account's own key: its emails go through the service's again",
      security,
      response: responses(200, 'AccountSenderDeleted', 'Deleted.'),
    },
    handler: (request) => services.senders.remove(actorOf(request)),
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
