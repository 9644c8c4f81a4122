import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { MessageListQuery, SuppressionListQuery, SuppressionRemoved } from '../../../domain/messages/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, problems, responses, security } from './common.ts';

export async function messageRoutes(
  instance: FastifyInstance,
  options: { services: Services; resendWebhookSecret: string | undefined },
) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { services, resendWebhookSecret } = options;
  const tags = ['Messages'];

  app.get('/v1/messages', {
    schema: {
      operationId: 'listMessages',
      tags,
      security,
      querystring: MessageListQuery,
      response: responses(200, 'MessageList'),
      summary: 'List the emails sent (or kept in the outbox), newest first',
      description: 'Without their bodies; get one message to read its HTML and text.',
    },
    handler: (request) => services.messages.list(actorOf(request), request.query),
  });

  app.get('/v1/messages/:id', {
    schema: {
      operationId: 'getMessage',
      tags,
      summary: 'Get a message, with its bodies as sent',
      security,
      params: IdParams,
      response: responses(200, 'Message'),
    },
    handler: (request) => services.messages.get(actorOf(request), request.params.id),
  });

  app.get('/v1/suppressions', {
    schema: {
      operationId: 'listSuppressions',
      tags,
      security,
      querystring: SuppressionListQuery,
      response: responses(200, 'SuppressionList'),
      summary: 'List suppressed addresses, in address order',
      description: 'Addresses that hard-bounced or complained: reminders are not sent to them.',
    },
    handler: (request) => services.messages.listSuppressions(actorOf(request), request.query),
  });

  app.delete('/v1/suppressions/:email', {
    schema: {
      operationId: 'removeSuppression',
      tags,
      security,
      summary: 'Let reminders go to a suppressed address again',
      params: Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
      response: {
        200: { description: 'Removed.', content: { 'application/json': { schema: SuppressionRemoved } } },
        ...problems,
      },
    },
    handler: (request) => services.messages.removeSuppression(actorOf(request), request.params.email),
  });

  // The signature covers the body's exact bytes: this scope keeps them as a string instead of parsing JSON.
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    // No API key here (auth.ts lists the route): Resend signs each call with the webhook secret.
    raw.post('/v1/provider_events/resend', {
      schema: { hide: true },
      handler: (request) =>
        services.messages.handleProviderEvent(
          typeof request.body === 'string' ? request.body : '',
          request.headers,
          resendWebhookSecret,
        ),
    });
    // An account's own Resend account posts here, signed with that account's own secret.
    raw.post<{ Params: { account_id: string } }>('/v1/provider_events/resend/:account_id', {
      schema: { hide: true },
      handler: async (request) =>
        services.messages.handleProviderEvent(
          typeof request.body === 'string' ? request.body : '',
          request.headers,
          await services.senders.webhookSecretOf(request.params.account_id),
          request.params.account_id,
        ),
    });
  });
}
