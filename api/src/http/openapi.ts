import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { openApiWebhooks } from '../domain/events/index.ts';

/** Serves the OpenAPI 3.1 document at /openapi.json and Swagger UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, options: { publicUrl: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Relance API',
        version: '2026-11-22',
        description:
          'Headless invoice follow-up. Amounts are integers in minor units of their ISO 4217 currency; dates are ' +
          "calendar dates in the account's time zone. Errors are `application/problem+json` with a stable `code`.",
      },
      servers: [{ url: options.publicUrl }],
      // What Relance POSTs to webhook endpoints: one entry per event type (docs/events.md).
      webhooks: openApiWebhooks() as never,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `rk_live_…` or `rk_test_…`.' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
