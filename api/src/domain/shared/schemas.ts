import Type, { type TSchema } from 'typebox';

/** Shared building blocks of the public schemas (REST body/response, GraphQL inputs, services). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Id = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `A \`${prefix}_…\` id.` });

export const Currency = Type.String({
  format: 'currency',
  minLength: 3,
  maxLength: 3,
  description: 'ISO 4217 currency code, upper case.',
  examples: ['EUR'],
});

/** Integer amount in the currency's minor unit (cents for EUR, yen for JPY, fils for KWD). */
export const Amount = Type.Integer({
  minimum: 0,
  maximum: 100_000_000_000_000,
  description: "Integer amount in the currency's minor unit (ISO 4217 exponent): 1250 EUR = 12.50 €.",
});

export const CalendarDate = Type.String({ format: 'date', description: 'Calendar date, YYYY-MM-DD.' });
export const Timestamp = Type.String({ format: 'date-time' });
export const TimeZone = Type.String({ format: 'time-zone', maxLength: 64, description: 'IANA time zone.' });
export const Locale = Type.String({
  pattern: '^[a-z]{2}(-[A-Z]{2})?$',
  description: 'BCP 47 language tag: `fr`, `en`, `fr-FR`…',
});
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Url = Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' });

export const Metadata = Type.Record(Type.String(), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  propertyNames: { maxLength: 40 },
  description: 'Up to 50 string keys and values of your own (order id, CRM id…).',
});

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' })),
  starting_after: Type.Optional(
    Type.String({ maxLength: 64, description: 'Cursor: the id of the last object of the previous page.' }),
  ),
};

/** A page of objects; items reference the shared schema `item` (a registered `$id`). */
export const PageQuery = Type.Object(ListQuery, { additionalProperties: false });
export type PageQuery = Type.Static<typeof PageQuery>;

export const ListOf = (item: string) =>
  Type.Object(
    {
      object: Type.Literal('list'),
      data: Type.Array(Type.Ref(item)),
      has_more: Type.Boolean(),
      next_cursor: Nullable(Type.String({ description: 'Pass as `starting_after` to get the next page.' })),
    },
    { $id: `${item}List`, additionalProperties: false },
  );

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Builds a page from `limit + 1` rows fetched in id order. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const has_more = rows.length > limit;
  const data = has_more ? rows.slice(0, limit) : rows;
  return { object: 'list', data, has_more, next_cursor: has_more ? (data.at(-1)?.id ?? null) : null };
}

/** `?metadata[key]=value`: only objects whose metadata holds every pair given. */
export const MetadataFilter = Type.Optional(
  Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), {
    maxProperties: 5,
    description:
      'Only objects whose metadata holds these values: `metadata[order_id]=1042` (up to 5 keys, all must match).',
  }),
);
