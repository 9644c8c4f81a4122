import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { isValidTimeZone } from './domain/calendar.ts';
import { isCurrency } from './domain/money.ts';
import { AppError, type FieldError, validationFailed } from './errors.ts';

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
  required: (_e) => `is required`,
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
  refuseUnstorableText('input', unstorableTextFields(value));
  return value as T;
}

/** A member of a value whose shape is not known (a request's body, query string or path parameters), if it is an object. */
export function member(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLSTATE 22021), and an unpaired UTF-16 surrogate has no
 * UTF-8 form (the driver would silently store U+FFFD instead).
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed();

const pointerPart = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON pointers (relative to `root`) of every string, or object key, in `value` that PostgreSQL cannot store. */
export function unstorableTextFields(value: unknown, root = ''): string[] {
  const found: string[] = [];
  const walk = (v: unknown, at: string, depth: number): void => {
    if (found.length >= 20 || depth > 64) return;
    if (typeof v === 'string') {
      if (!isStorableText(v)) found.push(at || '/');
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${at}/${i}`, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        const path = `${at}/${pointerPart(key)}`;
        if (!isStorableText(key)) found.push(path);
        walk(item, path, depth + 1);
      }
    }
  };
  walk(value, root, 0);
  return found;
}

export const UNSTORABLE_TEXT_MESSAGE = 'contains a character that cannot be stored (U+0000 or an unpaired surrogate)';

/** `request/invalid_characters` naming the fields, or nothing when every string can be stored. */
export function refuseUnstorableText(part: string, fields: string[]): void {
  if (fields.length === 0) return;
  throw new AppError(
    'request/invalid_characters',
    400,
    `The ${part} contains text that cannot be stored: ${fields.join(', ')}.`,
    {
      errors: fields.map((field) => ({ field, message: UNSTORABLE_TEXT_MESSAGE })),
    },
  );
}
