import { Kind, type ValueNode } from 'graphql';
import { isValidIsoDate } from '../../domain/calendar.ts';
import { AppError } from '../../errors.ts';
import { builder } from '../builder.ts';

// Thrown as AppError (not GraphQLError): graphql-js keeps it as `originalError`, so the error
// formatter renders the same `request/validation_failed` code as REST.
const invalid = (detail: string) => new AppError('request/validation_failed', 400, detail);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isValidIsoDate(value)) throw invalid('A Date must be a calendar date YYYY-MM-DD.');
  return value;
}

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid('A DateTime must be an RFC 3339 date-time such as 2026-03-02T09:00:00Z.');
  }
  return new Date(value).toISOString();
}

function parseAmount(value: unknown): number {
  // Range (≥ 0, the maximum) is the service's to check, as for REST.
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalid('An Amount must be an integer in minor units.');
  return value;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Metadata must be an object of string keys and string values.');
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalid(`Metadata value '${key}' must be a string.`);
  }
  return value as Record<string, string>;
}

/** A literal `{ key: "value", other: $variable }`; variables are unknown while the query is validated. */
function metadataLiteral(
  node: ValueNode,
  variables: Record<string, unknown> | null | undefined,
): Record<string, string> {
  if (node.kind !== Kind.OBJECT) throw invalid('Metadata must be an object of string keys and string values.');
  const out: Record<string, string> = {};
  for (const field of node.fields) {
    const key = field.name.value;
    if (field.value.kind === Kind.STRING) out[key] = field.value.value;
    else if (field.value.kind === Kind.VARIABLE && !variables) out[key] = '';
    else if (field.value.kind === Kind.VARIABLE && typeof variables?.[field.value.name.value] === 'string') {
      out[key] = variables[field.value.name.value] as string;
    } else throw invalid(`Metadata value '${key}' must be a string.`);
  }
  return out;
}

const stringLiteral = (node: ValueNode): unknown => (node.kind === Kind.STRING ? node.value : undefined);

builder.scalarType('Date', {
  description: "A calendar date, `YYYY-MM-DD`, in the account's time zone.",
  serialize: (value) => value,
  parseValue: parseDate,
  parseLiteral: (node) => parseDate(stringLiteral(node)),
});

builder.scalarType('DateTime', {
  description: 'An instant, RFC 3339 in UTC: `2026-03-02T09:00:00.000Z`.',
  serialize: (value) => value,
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(stringLiteral(node)),
});

builder.scalarType('Amount', {
  description:
    "An integer amount in the currency's minor unit (ISO 4217 exponent): 1250 EUR = 12.50 €. " +
    'Up to 10^14, so wider than `Int`; sent as a JSON number.',
  serialize: (value) => value,
  parseValue: parseAmount,
  parseLiteral: (node) => parseAmount(node.kind === Kind.INT ? Number(node.value) : undefined),
});

builder.scalarType('Metadata', {
  description: 'Up to 50 string keys (40 characters) with string values (500 characters) of your own.',
  serialize: (value) => value,
  parseValue: parseMetadata,
  parseLiteral: metadataLiteral,
});

builder.scalarType('JSON', {
  description: "A JSON object, as the REST API shows it (snake_case keys): an event's `data`.",
  serialize: (value) => value,
  parseValue: () => {
    throw invalid('JSON values are not accepted as input.');
  },
});
