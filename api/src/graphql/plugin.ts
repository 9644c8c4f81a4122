import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Kind, type DocumentNode, type ValueNode, visit } from 'graphql';
import mercurius from 'mercurius';
import type { Config } from '../config.ts';
import type { Actor } from '../domain/shared/index.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { isStorableText, refuseUnstorableText, unstorableTextFields } from '../validation.ts';
import type { GraphqlContext } from './builder.ts';
import { assertParseableDepth, formatGraphqlErrors, limitRules } from './errors.ts';
import { createLoaders } from './loaders.ts';
import { buildGraphqlSchema } from './schema.ts';

/**
 * Mounts the GraphQL API at /graphql (GraphiQL, in development, is graphiql.ts). The auth hook has
 * already authenticated the request; resolvers call the same services as the REST routes.
 */
export async function registerGraphql(app: FastifyInstance, deps: { services: Services; config: Config }): Promise<void> {
  const { services, config } = deps;
  await app.register(mercurius, {
    schema: buildGraphqlSchema(),
    path: '/graphql',
    // Our own GraphiQL (graphiql.ts) serves its files itself; mercurius's loads them from a CDN.
    graphiql: false,
    allowBatchedQueries: false,
    validationRules: limitRules({ maxDepth: config.graphqlMaxDepth, maxCost: config.graphqlMaxCost, introspection: config.graphqlIntrospection }),
    // The request is checked in preHandler below; the context must not throw, as mercurius also
    // builds it to format errors raised before the handler.
    context: (request: FastifyRequest): GraphqlContext => ({
      actor: request.actor as Actor,
      services,
      loaders: createLoaders(services, () => request.actor as Actor),
    }),
    errorFormatter: (execution, context) => formatGraphqlErrors(execution, context as { reply?: FastifyReply }, { suggestions: config.graphqlSuggestions }),
    additionalRouteOptions: {
      preHandler: async (request: FastifyRequest) => {
        if (Array.isArray(request.body)) {
          throw new AppError('graphql/batch_not_supported', 400, 'Send one operation per request; batched queries are not supported.');
        }
        assertParseableDepth((request.body as { query?: unknown } | undefined)?.query ?? (request.query as { query?: unknown }).query);
        // Defence in depth: the auth hook matches '/graphql' exactly, not every URL the router maps here.
        if (!request.actor) {
          throw new AppError('auth/missing_api_key', 401, 'Send your API key as `Authorization: Bearer rk_…`.', {
            headers: { 'www-authenticate': 'Bearer realm="relance"' },
          });
        }
      },
    },
  });
  // Arguments written in the query and variables alike: text PostgreSQL cannot store never reaches a resolver.
  app.graphql.addHook('preExecution', async (_schema, document, _context, variables) => {
    refuseUnstorableText('operation', [...unstorableArguments(document), ...unstorableTextFields(variables ?? {})]);
  });
}

/** Pointers (`/argument/field/0`) of the string literals of `document` that cannot be stored. */
function unstorableArguments(document: DocumentNode): string[] {
  const found: string[] = [];
  const walk = (value: ValueNode, at: string): void => {
    if (value.kind === Kind.STRING && !isStorableText(value.value)) found.push(at);
    else if (value.kind === Kind.LIST) value.values.forEach((item, i) => walk(item, `${at}/${i}`));
    else if (value.kind === Kind.OBJECT) for (const field of value.fields) walk(field.value, `${at}/${field.name.value}`);
  };
  visit(document, {
    Argument: (node) => walk(node.value, `/${node.name.value}`),
    VariableDefinition: (node) => void (node.defaultValue && walk(node.defaultValue, `/${node.variable.name.value}`)),
  });
  return found;
}
