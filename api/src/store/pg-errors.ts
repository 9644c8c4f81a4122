/** Recognises Postgres errors the domain turns into its own (SQLSTATE codes). */
interface PgError {
  code?: string;
  constraint?: string;
  message?: string;
}

const pgError = (error: unknown): PgError => (typeof error === 'object' && error !== null ? (error as PgError) : {});

export const isUniqueViolation = (error: unknown, constraint?: string): boolean =>
  pgError(error).code === '23505' && (constraint === undefined || pgError(error).constraint === constraint);

export const isForeignKeyViolation = (error: unknown): boolean => pgError(error).code === '23503';

export const constraintOf = (error: unknown): string | undefined => pgError(error).constraint;

/**
 * A data exception (SQLSTATE class 22: a value PostgreSQL cannot store or convert, such as
 * U+0000 in text, an out-of-range number or date). The input is at fault, never the server.
 */
export const isDataException = (error: unknown): boolean => /^22[0-9A-Z]{3}$/.test(pgError(error).code ?? '');

/** Node socket errors and pg's own messages when a connection cannot be had or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Cannot use a pool after calling end|terminating connection/i;

/**
 * The database went away under a statement: the connection was terminated (an administrator,
 * a failover, a restart: SQLSTATE 57P01-57P03), broken (class 08), or could not be opened.
 * Retrying later can succeed; nothing in the failed transaction was committed.
 */
export function isConnectionLost(error: unknown): boolean {
  const { code, message } = pgError(error);
  if (code && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || CONNECTION_CODES.has(code))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

const COMMIT_UNKNOWN = Symbol('commitOutcomeUnknown');

/** Marks an error of a COMMIT whose connection was lost: whether it committed is unknown. */
export function markCommitOutcomeUnknown(error: unknown): void {
  if (typeof error === 'object' && error !== null) (error as { [COMMIT_UNKNOWN]?: true })[COMMIT_UNKNOWN] = true;
}

export const isCommitOutcomeUnknown = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { [COMMIT_UNKNOWN]?: true })[COMMIT_UNKNOWN] === true;
