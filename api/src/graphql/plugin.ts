import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type DocumentNode,
  getNamedType,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  typeFromAST,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import mercurius from 'mercurius';
import type { Config } from '../config.ts';
import type { Actor } from '../domain/shared/index.ts';
import { AppError, validationFailed } from '../errors.ts';
import { ID_FORMAT } from '../http/input-guard.ts';
import type { Services } from '../services.ts';
import { isStorableText, member, refuseUnstorableText, unstorableTextFields } from '../validation.ts';
import type { GraphqlContext } from './builder.ts';
import { assertParseableDepth, formatGraphqlErrors, limitRules } from './errors.ts';
import { createLoaders } from './loaders.ts';
import { buildGraphqlSchema } from './schema.ts';

/**
 * Mounts the GraphQL API at /graphql (GraphiQL, in development, is graphiql.ts). The auth hook has
 * already authenticated the request; resolvers call the same services as the REST routes.
 */
export async function registerGraphql(
  app: FastifyInstance,
  deps: { services: Services; config: Config },
): Promise<void> {
  const { services, config } = deps;
  await app.register(mercurius, {
    schema: buildGraphqlSchema(),
    path: '/graphql',
    // Our own GraphiQL (graphiql.ts) serves its files itself; mercurius's loads them from a CDN.
    graphiql: false,
    allowBatchedQueries: false,
    validationRules: limitRules({
      maxDepth: config.graphqlMaxDepth,
      maxCost: config.graphqlMaxCost,
      introspection: config.graphqlIntrospection,
    }),
    // The request is checked in preHandler below; the context must not throw, as mercurius also
    // builds it to format errors raised before the handler.
    context: (request: FastifyRequest): GraphqlContext => ({
      actor: request.actor as Actor,
      services,
      loaders: createLoaders(services, () => request.actor as Actor),
    }),
    errorFormatter: (execution, context) =>
      formatGraphqlErrors(execution, context as { reply?: FastifyReply }, { suggestions: config.graphqlSuggestions }),
    additionalRouteOptions: {
      preHandler: async (request: FastifyRequest) => {
        if (Array.isArray(request.body)) {
          throw new AppError(
            'graphql/batch_not_supported',
            400,
            'Send one operation per request; batched queries are not supported.',
          );
        }
        assertParseableDepth(member(request.body, 'query') ?? member(request.query, 'query'));
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
  app.graphql.addHook('preExecution', async (schema, document, _context, variables) => {
    refuseUnstorableText('operation', [...unstorableArguments(document), ...unstorableTextFields(variables ?? {})]);
    // An id that cannot be ours is refused before any resolver looks it up (as REST's path ids are).
    const malformed = malformedIds(schema, document, variables ?? {});
    if (malformed.length > 0)
      throw validationFailed(
        malformed.map((field) => ({ field, message: 'is not an id (a prefix, `_`, and 26 characters)' })),
        'The operation names an id that cannot exist.',
      );
  });
}

/** Pointers of the `ID` arguments, input fields and variables (at any depth) whose value is not one of our ids. */
export function malformedIds(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): string[] {
  const found: string[] = [];
  const isId = (type: GraphQLInputType | null | undefined) =>
    type !== null && type !== undefined && getNamedType(type).name === 'ID';
  const typeInfo = new TypeInfo(schema);
  const paths: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: { enter: (node) => void paths.push(`/${node.name.value}`), leave: () => void paths.pop() },
      ObjectField: {
        enter: (node) => void paths.push(`${paths.at(-1) ?? ''}/${node.name.value}`),
        leave: () => void paths.pop(),
      },
      StringValue: (node) => {
        if (isId(typeInfo.getInputType()) && !ID_FORMAT.test(node.value)) found.push(paths.at(-1) ?? '/');
      },
    }),
  );
  // Variables, walked along their declared types.
  const walk = (type: GraphQLInputType, value: unknown, at: string): void => {
    if (value === null || value === undefined) return;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (Array.isArray(value)) for (const [i, item] of value.entries()) walk(inner.ofType, item, `${at}/${i}`);
    } else if (isInputObjectType(inner)) {
      if (typeof value === 'object')
        for (const [name, field] of Object.entries(inner.getFields()))
          walk(field.type, (value as Record<string, unknown>)[name], `${at}/${name}`);
    } else if (inner.name === 'ID' && typeof value === 'string' && !ID_FORMAT.test(value)) found.push(at);
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      if (type && isInputType(type))
        walk(type, variables[variable.variable.name.value], `/${variable.variable.name.value}`);
    }
  }
  return found;
}

/** Pointers (`/argument/field/0`) of the string literals of `document` that cannot be stored. */
function unstorableArguments(document: DocumentNode): string[] {
  const found: string[] = [];
  const walk = (value: ValueNode, at: string): void => {
    if (value.kind === Kind.STRING && !isStorableText(value.value)) found.push(at);
    else if (value.kind === Kind.LIST) for (const [i, item] of value.values.entries()) walk(item, `${at}/${i}`);
    else if (value.kind === Kind.OBJECT)
      for (const field of value.fields) walk(field.value, `${at}/${field.name.value}`);
  };
  visit(document, {
    Argument: (node) => walk(node.value, `/${node.name.value}`),
    VariableDefinition: (node) => {
      if (node.defaultValue) walk(node.defaultValue, `/${node.variable.name.value}`);
    },
  });
  return found;
}
