import Type, { type TSchema } from 'typebox';

/**
 * A `$ref` to a shared schema (registered with its `$id`, one OpenAPI component), typed as that
 * schema: with the TypeBox type provider, a handler's `request.body` is the schema's static type.
 * (A bare `Type.Ref('Name')` would type it `unknown`.)
 */
export function ref<T extends TSchema>(schema: T): T {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new TypeError('ref() needs a schema with an $id');
  // The JSON is `{ $ref: id }`; only its static type is the target's.
  return Type.Ref(id) as unknown as T;
}

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** Every error is an RFC 9457 problem document. */
export const problems = {
  '4XX': {
    description: 'The request was refused; `code` says why.',
    content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
  },
  '5XX': {
    description: 'A failure on our side; quote `request_id`.',
    content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
  },
};

/** Response schemas of an operation: its success body plus the problem document every error uses. */
export function responses(
  status: 200 | 201,
  ref: string,
  description = `The ${ref.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.`,
) {
  const ok = (text: string) => ({ description: text, content: { 'application/json': { schema: Type.Ref(ref) } } });
  return {
    ...(status === 201
      ? { 201: ok(`Created: ${description}`), 200: ok(`Already registered (same external_id): ${description}`) }
      : { 200: ok(description) }),
    ...problems,
  };
}

/** Optional on every POST: repeats with the same key and body get the first answer back (kept 24 hours). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Makes the request safe to retry: the first response is replayed for 24 hours. 1 to 255 visible ASCII characters (`idempotency/invalid_key` otherwise).',
    }),
  ),
});

export const Deleted = (object: string) =>
  Type.Object(
    { id: Type.String(), object: Type.Literal(object), deleted: Type.Literal(true) },
    { additionalProperties: false },
  );

export const security = [{ bearerAuth: [] }];
