/**
 * The one error type the domain raises. Each adapter renders it: REST as
 * `application/problem+json`, GraphQL as an error with `extensions.code`.
 * Every `code` is listed in docs/errors.md.
 */
export interface FieldError {
  /** JSON pointer to the offending field, e.g. `/line_items/0/quantity`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  /** The object that already exists, when a conflict (409) is about one: rendered as `existing_id`. */
  readonly existingId: string | undefined;

  constructor(
    code: string,
    status: number,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; existingId?: string } = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers;
    this.existingId = options.existingId;
  }
}

export const notFound = (kind: string, id: string): AppError =>
  new AppError(`${kind}/not_found`, 404, `No ${kind.replace(/_/g, ' ')} found with id '${id}' in this account.`);

export const validationFailed = (errors: FieldError[], detail = 'The request is not valid.'): AppError =>
  new AppError('request/validation_failed', 400, detail, { errors });
