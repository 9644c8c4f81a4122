import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TemplateContent, TemplateParams, TemplatePreviewRequest } from '../../../domain/templates/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdempotencyHeaders, responses, security, ref } from './common.ts';

export async function templateRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Templates'];

  app.get('/v1/templates', {
    schema: {
      operationId: 'listTemplates',
      tags,
      security,
      response: responses(200, 'TemplateList', 'The templates in effect.'),
      summary: 'List the templates in effect',
      description:
        "Each default key in each locale (this account's version where it wrote one, `source: custom`), then the account's " +
        'own keys. Not paginated: `has_more` is always false.',
    },
    handler: (request) => services.templates.list(actorOf(request)),
  });

  app.get('/v1/templates/:key/:locale', {
    schema: {
      operationId: 'getTemplate',
      tags,
      security,
      params: TemplateParams,
      response: responses(200, 'Template'),
      summary: 'Get the template in effect for a key and locale',
    },
    handler: (request) => {
      const { key, locale } = request.params;
      return services.templates.get(actorOf(request), key, locale);
    },
  });

  app.put('/v1/templates/:key/:locale', {
    schema: {
      operationId: 'putTemplate',
      tags,
      security,
      params: TemplateParams,
      body: ref(TemplateContent),
      response: responses(200, 'Template'),
      summary: "Write the account's version of a template",
      description:
        'Replaces the default (or a key of your own) for this account. The template is rendered on sample reminders first: ' +
        'a misspelt variable (`template/missing_variable`) or a syntax error (`template/invalid`) is refused with 422 and nothing is stored.',
    },
    handler: (request) => {
      const { key, locale } = request.params;
      return services.templates.put(actorOf(request), key, locale, request.body);
    },
  });

  app.delete('/v1/templates/:key/:locale', {
    schema: {
      operationId: 'deleteTemplate',
      tags,
      security,
      params: TemplateParams,
      response: responses(200, 'TemplateDeleted', 'Deleted.'),
      summary: "Delete the account's version of a template: the default applies again",
    },
    handler: (request) => {
      const { key, locale } = request.params;
      return services.templates.delete(actorOf(request), key, locale);
    },
  });

  app.post('/v1/templates/preview', {
    schema: {
      operationId: 'previewTemplate',
      tags,
      security,
      headers: IdempotencyHeaders,
      body: ref(TemplatePreviewRequest),
      response: responses(200, 'TemplatePreview'),
      summary: 'Render a template with a real invoice',
      description:
        'Renders the template in effect for `key` (or the `subject`, `html` and `text` given) with the invoice, its customer and the ' +
        'account as they are today. Nothing is sent or stored. A read-only key may preview.',
    },
    handler: (request) => services.templates.preview(actorOf(request), request.body),
  });
}
