import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { isValidTimeZone } from './domain/calendar.ts';
import { isCurrency } from './domain/money.ts';
import { type FieldError, validationFailed } from './errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerceTypes ? 'array' : false,
    removeAdditional: false,
    // Bodies stay as sent (services apply defaults), so a request hashes the same before and after validation.
    useDefaults: coerceTypes,
    strict: false,
  });
  addFormats(ajv);
  ajv.addFormat('time-zone', { type: 'string', validate: isValidTimeZone });
  ajv.addFormat('currency', { type: 'string', validate: isCurrency });
  return ajv;
}

/** Bodies: no coercion, unknown fields rejected (schemas say additionalProperties: false). */
export const bodyAjv = makeAjv(false);
/** Query strings and path parameters arrive as strings: coerce them to the declared types. */
export const queryAjv = makeAjv(true);

const FORMAT_MESSAGES: Record<string, string> = {
  'time-zone': 'must be an IANA time zone such as Europe/Paris',
  currency: 'must be an ISO 4217 currency code such as EUR',
  date: 'must be a calendar date YYYY-MM-DD',
  'date-time': 'must be an RFC 3339 date-time',
};

const MESSAGES: Record<string, (e: ErrorObject) => string> = {
  required: (e) => `is required`,
  additionalProperties: () => 'is not a known field',
  type: (e) => `must be ${String(e.params.type).replace(',', ' or ')}`,
  enum: (e) => `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`,
  const: (e) => `must be ${JSON.stringify(e.params.allowedValue)}`,
  format: (e) => FORMAT_MESSAGES[String(e.params.format)] ?? `must be a valid ${e.params.format}`,
  pattern: () => 'has an invalid format',
};

/** Ajv errors as our per-field errors: a JSON pointer and a sentence, one per field. */
export function fieldErrors(errors: readonly ErrorObject[], root = ''): FieldError[] {
  const out = new Map<string, string>();
  for (const e of errors) {
    // anyOf / oneOf failures repeat their branches' errors; keep the branch errors only.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    let field = `${root}${e.instancePath}`;
    if (e.keyword === 'required') field = `${field}/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') field = `${field}/${String(e.params.additionalProperty)}`;
    const message = MESSAGES[e.keyword]?.(e) ?? e.message ?? 'is invalid';
    if (!out.has(field || '/')) out.set(field || '/', message);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates `value` against `schema` (the same schema REST declares), throwing `request/validation_failed`. */
export function parseInput<T>(schema: TSchema, value: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = bodyAjv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw validationFailed(fieldErrors(validate.errors ?? []));
  return value as T;
}
