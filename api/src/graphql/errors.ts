import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { FastifyReply } from 'fastify';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError, type ValidationRule } from 'graphql';
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
export function limitRules(limits: { maxDepth: number; maxCost: number; maxAliases?: number }): ValidationRule[] {
  return [
    maxAliasesRule({ n: limits.maxAliases ?? 10, propagateOnRejection: false, onReject: refuse('graphql/too_many_aliases') }),
    maxDepthRule({ n: limits.maxDepth, propagateOnRejection: false, onReject: refuse('graphql/query_too_deep') }),
    costLimitRule({ maxCost: limits.maxCost, propagateOnRejection: false, onReject: refuse('graphql/query_too_costly') }),
  ];
}

const appErrorIn = (error: unknown): AppError | undefined => {
  for (let e = error, hops = 0; e instanceof Error && hops < 5; e = (e as GraphQLError).originalError, hops++) {
    if (e instanceof AppError) return e;
  }
  return undefined;
};

const render = (e: AppError): Rendered => ({ message: e.message, code: e.code, status: e.status, errors: e.errors, headers: e.headers, existingId: e.existingId });

/** A resolver's error: ours as it is, anything else hidden behind `internal/error`. */
function renderExecutionError(error: GraphQLError, reply: FastifyReply | undefined): Rendered {
  const appError = appErrorIn(error.originalError) ?? fromDatabaseError(error.originalError);
  if (appError) {
    // A lost database connection: the client retries after the delay, as over REST.
    if (appError.status === 503) for (const [name, value] of Object.entries(appError.headers ?? {})) reply?.header(name, value);
    return render(appError);
  }
  reply?.log.error({ err: error.originalError ?? error, path: error.path }, 'graphql resolver failed');
  return { message: INTERNAL, code: 'internal/error', status: 500 };
}

/** An error of a query refused before execution: syntax, validation, variables, limits. */
function renderRefusal(error: Error): Rendered {
  const appError = appErrorIn(error);
  if (appError) return render(appError);
  const code = (error as GraphQLError).extensions?.code;
  return { message: error.message, code: typeof code === 'string' ? code : 'graphql/invalid_query', status: 400 };
}

/**
 * An error before or around execution: a refused query (mercurius wraps the validation errors
 * in one error), or one raised by the HTTP layer (authentication, rate limit, body parsing).
 */
function renderBeforeExecution(error: Error, reply: FastifyReply | undefined): Array<[Rendered, GraphQLError | undefined]> {
  const code = (error as { code?: unknown }).code;
  if (code === 'MER_ERR_METHOD_NOT_ALLOWED') {
    return [[{ message: 'Mutations must be sent with POST.', code: 'graphql/method_not_allowed', status: 405 }, undefined]];
  }
  const wrapped = (error as { errors?: unknown }).errors;
  if (Array.isArray(wrapped) && !(error instanceof AppError)) {
    return (wrapped as Error[]).map((inner) => [renderRefusal(inner), inner instanceof GraphQLError ? inner : undefined]);
  }
  if ((typeof code === 'string' && code.startsWith('MER_ERR_GQL_')) || (error instanceof GraphQLError && !appErrorIn(error))) {
    return [[renderRefusal(error), error instanceof GraphQLError ? error : undefined]];
  }
  const appError = appErrorIn(error) ?? toAppError(error);
  if (appError.status >= 500) reply?.log.error({ err: error }, 'graphql request failed');
  return [[render(appError), error instanceof GraphQLError ? error : undefined]];
}

const format = (r: Rendered, source: GraphQLError | undefined): GraphQLFormattedError => ({
  message: r.message,
  ...(source?.locations && { locations: source.locations }),
  ...(source?.path && { path: source.path }),
  extensions: { code: r.code, status: r.status, ...(r.errors && { errors: r.errors }), ...(r.existingId && { existingId: r.existingId }) },
});

/**
 * Mercurius' error formatter: every error carries `extensions.code` (and `status`, and the
 * field `errors` of a validation failure). Resolver errors answer 200 as GraphQL expects, a
 * refused query 400, and an error around GraphQL its own status (401, 405, 429…).
 */
export function formatGraphqlErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: { reply?: FastifyReply },
): { statusCode: number; response: FormattedExecutionResult } {
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
    for (const [rendered, source] of renderBeforeExecution(error.originalError ?? error, reply)) {
      for (const [name, value] of Object.entries(rendered.headers ?? {})) reply?.header(name, value);
      statusCode = Math.max(statusCode, rendered.status);
      errors.push(format(rendered, source ?? error));
    }
  }
  // A request refused before execution has no `data` entry (GraphQL over HTTP).
  return { statusCode, response: { ...('data' in execution && { data: execution.data }), errors } };
}
