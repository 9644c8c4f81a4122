import Type, { type TSchema } from 'typebox';

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

const problem = Type.Ref('Problem');

/** Response schemas of an operation: its success body plus the problem document every error uses. */
export function responses(status: 200 | 201, ref: string, extra: Record<number, TSchema> = {}) {
  return {
    [status]: Type.Ref(ref),
    ...(status === 201 && { 200: Type.Ref(ref) }),
    ...extra,
    '4XX': problem,
    '5XX': problem,
  };
}

export const Deleted = (object: string) =>
  Type.Object(
    { id: Type.String(), object: Type.Literal(object), deleted: Type.Literal(true) },
    { additionalProperties: false },
  );

export const security = [{ bearerAuth: [] }];
