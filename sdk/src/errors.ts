import type { FieldError, Problem } from './types.ts';

/** An error answer of the API, with the stable `code` of its problem document. */
export class RelanceError extends Error {
  /** Stable, namespaced code such as `invoice/number_taken`; `http/<status>` if the body was not a problem document. */
  readonly code: string;
  readonly status: number;
  /** Quote it to support: it finds the request in the server's logs. */
  readonly requestId: string | undefined;
  /** Per-field messages of a `request/validation_failed` error. */
  readonly errors: FieldError[];
  /** The problem document as received, when there was one. */
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined, requestId?: string) {
    super(problem?.detail ?? `The Relance API answered with HTTP ${status}.`);
    this.name = 'RelanceError';
    this.code = problem?.code ?? `http/${status}`;
    this.status = status;
    this.requestId = problem?.request_id ?? requestId;
    this.errors = problem?.errors ?? [];
    this.problem = problem;
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string';
}

/**
 * The data of an openapi-fetch result, or a `RelanceError` for an error answer:
 * `const invoice = unwrap(await relance.GET('/v1/invoices/{id}', { params: { path: { id } } }))`.
 */
export function unwrap<Data>(result: { data?: Data; error?: unknown; response: Response }): Data {
  const { data, error, response } = result;
  if (error === undefined && response.ok) return data as Data;
  throw new RelanceError(
    response.status,
    isProblem(error) ? error : undefined,
    response.headers.get('x-request-id') ?? undefined,
  );
}

/**
 * Relance could not be reached: a network error, or no answer within the timeout, on every
 * attempt. A POST carried the same `Idempotency-Key` each time, so sending it again later with
 * that key is safe.
 */
export class RelanceConnectionError extends Error {
  readonly code: 'connection/failed' | 'connection/timeout';
  readonly attempts: number;
  constructor(method: string, url: string, attempts: number, reason: string, timedOut: boolean, cause?: unknown) {
    super(`${method} ${url} failed after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${reason}`, { cause });
    this.name = 'RelanceConnectionError';
    this.code = timedOut ? 'connection/timeout' : 'connection/failed';
    this.attempts = attempts;
  }
}
