/** Recognises Postgres errors the domain turns into its own (SQLSTATE codes). */
interface PgError {
  code?: string;
  constraint?: string;
}

const pgError = (error: unknown): PgError => (typeof error === 'object' && error !== null ? (error as PgError) : {});

export const isUniqueViolation = (error: unknown, constraint?: string): boolean =>
  pgError(error).code === '23505' && (constraint === undefined || pgError(error).constraint === constraint);

export const isForeignKeyViolation = (error: unknown): boolean => pgError(error).code === '23503';

export const constraintOf = (error: unknown): string | undefined => pgError(error).constraint;
