import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { FastifyReply } from 'fastify';
import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type ValidationRule,
} from 'graphql';
import { AppError, type FieldError } from '../errors.ts';
import { fromDatabaseError, toAppError } from '../http/problem.ts';

/** A GraphQL error as we render it: the message plus our stable code in `extensions`. */
interface Rendered {
  message: string;
  code: string;
  status: number;
  errors?: FieldError[] | undefined;
  headers?: Record<string, string> | undefined;
  existingId?: string | undefined;
}

const INTERNAL = 'Something went wrong on our side; the request id helps us find it.';

/** Refuses an operation past a limit with our code; the armor rules would throw a bare "Syntax Error". */
const refuse = (code: string) => [
  (context: { reportError(error: GraphQLError): void } | null, error: GraphQLError) =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } })),
];

/**
 * Depth, alias and cost limits, run with the specified validation rules before anything executes.
 * The alias cap keeps one request from fanning out into dozens of list queries.
 */
export function limitRules(limits: {
  maxDepth: number;
  maxCost: number;
  maxAliases?: number;
  introspection?: boolean;
}): ValidationRule[] {
  return [
    ...(limits.introspection === false ? [noIntrospection] : []),
    maxAliasesRule({
      n: limits.maxAliases ?? 10,
      propagateOnRejection: false,
      onReject: refuse('graphql/too_many_aliases'),
    }),
    maxDepthRule({ n: limits.maxDepth, propagateOnRejection: false, onReject: refuse('graphql/query_too_deep') }),
    // The rule above does not count under `__schema` (an introspection query is deeper than any
    // normal one): this one does, with room for the standard introspection query.
    maxDepthRule({
      n: Math.max(limits.maxDepth, INTROSPECTION_MAX_DEPTH),
      ignoreIntrospection: false,
      propagateOnRejection: false,
      onReject: refuse('graphql/query_too_deep'),
    }),
    costLimitRule({
      maxCost: limits.maxCost,
      propagateOnRejection: false,
      onReject: refuse('graphql/query_too_costly'),
    }),
  ];
}

/** Deep enough for graphql-js's `getIntrospectionQuery()` (GraphiQL's: depth 21), not for an `ofType` tower. */
export const INTROSPECTION_MAX_DEPTH = 25;

/** Refuses `__schema` and `__type` (`__typename` stays: clients use it to tell types apart). */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError('Introspection is disabled on this server.', {
          nodes: node,
          extensions: { code: 'graphql/introspection_disabled' },
        }),
      );
    }
  },
});

/** Deepest bracket nesting a query text may have: the parser recurses per level (8,000 overflowed its stack). */
const MAX_NESTING = 64;

/** Refuses a query text nested deeper than the parser should see, before it is parsed. */
export function assertParseableDepth(query: unknown): void {
  if (typeof query !== 'string') return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '(' || c === '[') {
      if (++depth > MAX_NESTING)
        throw new AppError('graphql/query_too_deep', 400, `The query is nested deeper than ${MAX_NESTING} levels.`);
    } else if (c === '}' || c === ')' || c === ']') depth--;
  }
}

/** Without suggestions, an error names no field the caller did not write ("Did you mean …?"). */
const withoutSuggestions = (message: string): string => message.replace(/ ?Did you mean [^?]*\?/g, '');

const appErrorIn = (error: unknown): AppError | undefined => {
  for (let e = error, hops = 0; e instanceof Error && hops < 5; e = (e as GraphQLError).originalError, hops++) {
    if (e instanceof AppError) return e;
  }
  return undefined;
};

const render = (e: AppError): Rendered => ({
  message: e.message,
  code: e.code,
  status: e.status,
  errors: e.errors,
  headers: e.headers,
  existingId: e.existingId,
});

/** A resolver's error: ours as it is, anything else hidden behind `internal/error`. */
function renderExecutionError(error: GraphQLError, reply: FastifyReply | undefined): Rendered {
  const appError = appErrorIn(error.originalError) ?? fromDatabaseError(error.originalError);
  if (appError) {
    // A lost database connection: the client retries after the delay, as over REST.
    if (appError.status === 503)
      for (const [name, value] of Object.entries(appError.headers ?? {})) reply?.header(name, value);
    return render(appError);
  }
  reply?.log.error({ err: error.originalError ?? error, path: error.path }, 'graphql resolver failed');
  return { message: INTERNAL, code: 'internal/error', status: 500 };
}

/** An error of a query refused before execution: syntax, validation, variables, limits. */
function renderRefusal(error: Error, suggestions: boolean): Rendered {
  const appError = appErrorIn(error);
  if (appError) return render(appError);
  const code = (error as GraphQLError).extensions?.code;
  return {
    message: suggestions ? error.message : withoutSuggestions(error.message),
    code: typeof code === 'string' ? code : 'graphql/invalid_query',
    status: 400,
  };
}

/**
 * An error before or around execution: a refused query (mercurius wraps the validation errors
 * in one error), or one raised by the HTTP layer (authentication, rate limit, body parsing).
 */
function renderBeforeExecution(
  error: Error,
  reply: FastifyReply | undefined,
  suggestions: boolean,
): Array<[Rendered, GraphQLError | undefined]> {
  const code = (error as { code?: unknown }).code;
  if (code === 'MER_ERR_METHOD_NOT_ALLOWED') {
    return [
      [{ message: 'Mutations must be sent with POST.', code: 'graphql/method_not_allowed', status: 405 }, undefined],
    ];
  }
  const wrapped = (error as { errors?: unknown }).errors;
  if (Array.isArray(wrapped) && !(error instanceof AppError)) {
    return (wrapped as Error[]).map((inner) => [
      renderRefusal(inner, suggestions),
      inner instanceof GraphQLError ? inner : undefined,
    ]);
  }
  if (
    (typeof code === 'string' && code.startsWith('MER_ERR_GQL_')) ||
    (error instanceof GraphQLError && !appErrorIn(error))
  ) {
    return [[renderRefusal(error, suggestions), error instanceof GraphQLError ? error : undefined]];
  }
  const appError = appErrorIn(error) ?? toAppError(error);
  if (appError.status >= 500) reply?.log.error({ err: error }, 'graphql request failed');
  return [[render(appError), error instanceof GraphQLError ? error : undefined]];
}

const format = (r: Rendered, source: GraphQLError | undefined): GraphQLFormattedError => ({
  message: r.message,
  ...(source?.locations && { locations: source.locations }),
  ...(source?.path && { path: source.path }),
  extensions: {
    code: r.code,
    status: r.status,
    ...(r.errors && { errors: r.errors }),
    ...(r.existingId && { existingId: r.existingId }),
  },
});

/**
 * Mercurius' error formatter: every error carries `extensions.code` (and `status`, and the
 * field `errors` of a validation failure). Resolver errors answer 200 as GraphQL expects, a
 * refused query 400, and an error around GraphQL its own status (401, 405, 429…).
 */
export function formatGraphqlErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: { reply?: FastifyReply },
  options: { suggestions?: boolean } = {},
): { statusCode: number; response: FormattedExecutionResult } {
  const suggestions = options.suggestions ?? true;
  const { reply } = context;
  const errors: GraphQLFormattedError[] = [];
  let statusCode = 200;
  for (const error of execution.errors) {
    if (error.path) {
      const rendered = renderExecutionError(error, reply);
      // Lost database: the whole answer says "retry", so clients and proxies that only read the status do.
      if (rendered.status === 503) statusCode = 503;
      errors.push(format(rendered, error));
      continue;
    }
    for (const [rendered, source] of renderBeforeExecution(error.originalError ?? error, reply, suggestions)) {
      for (const [name, value] of Object.entries(rendered.headers ?? {})) reply?.header(name, value);
      statusCode = Math.max(statusCode, rendered.status);
      errors.push(format(rendered, source ?? error));
    }
  }
  // A request refused before execution has no `data` entry (GraphQL over HTTP).
  return { statusCode, response: { ...('data' in execution && { data: execution.data }), errors } };
}
