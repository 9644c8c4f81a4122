import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError, type FieldError } from '../errors.ts';
import { isConnectionLost, isDataException } from '../store/pg-errors.ts';
import { fieldErrors } from '../validation.ts';

/** RFC 9457 problem details, as every REST error is rendered. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the error kind: `urn:relance:error:<code>`.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable, namespaced error code; see docs/errors.md.' }),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false })),
    ),
    existing_id: Type.Optional(
      Type.String({ description: 'On a conflict about an object that already exists: its id.' }),
    ),
  },
  { $id: 'Problem', additionalProperties: false },
);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own errors, as our stable codes. */
const FASTIFY_CODES: Record<string, [string, number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['request/body_too_large', 413, 'The request body is larger than this server accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    'request/unsupported_media_type',
    415,
    'Send JSON with Content-Type: application/json.',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['request/malformed', 400, 'The Content-Length does not match the body.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['request/malformed_json', 400, 'The body is empty but Content-Type says JSON.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['request/malformed_json', 400, 'The body is not valid JSON.'],
};

/** Seconds a client should wait before retrying when the database is away. */
const DATABASE_RETRY_AFTER = '2';

/**
 * PostgreSQL errors that are not a bug on our side: a value it cannot store (class 22) is the
 * input's fault; a lost connection is retryable. Shared by REST and GraphQL.
 */
export function fromDatabaseError(error: unknown): AppError | undefined {
  if (isDataException(error)) {
    return new AppError(
      'request/invalid_value',
      400,
      'A value in the request cannot be stored (out of range, or characters the database refuses).',
    );
  }
  if (isConnectionLost(error)) {
    return new AppError(
      'database/unavailable',
      503,
      'The database is unavailable for a moment; nothing was changed. Retry after the number of seconds in Retry-After.',
      {
        headers: { 'retry-after': DATABASE_RETRY_AFTER },
      },
    );
  }
  return undefined;
}

/** Turns anything thrown in a request into our error type. */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const fromDatabase = fromDatabaseError(error);
  if (fromDatabase) return fromDatabase;
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (fastifyError.validation) {
    const part = fastifyError.validationContext ?? 'body';
    // Pointers are relative to the part (body or query string), as the services and GraphQL report them.
    const errors: FieldError[] = fieldErrors(fastifyError.validation as never);
    const what =
      { body: 'request body', querystring: 'query string', params: 'path', headers: 'request headers' }[part] ??
      'request';
    return new AppError('request/validation_failed', 400, `The ${what} is not valid.`, { errors });
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new AppError(known[0], known[1], known[2]);
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('request/malformed', 400, 'The request could not be read.');
  }
  return new AppError('internal/error', 500, 'Something went wrong on our side; the request id helps us find it.');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send({
      type: `urn:relance:error:${error.code}`,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
      request_id: String(request.id),
      ...(error.errors && { errors: error.errors }),
      ...(error.existingId && { existing_id: error.existingId }),
    });
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.status === 503) request.log.warn({ err: error }, 'database unavailable');
    else if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new AppError('request/route_not_found', 404, `No route ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}
