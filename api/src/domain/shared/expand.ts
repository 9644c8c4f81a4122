import Type from 'typebox';
import { AppError } from '../../errors.ts';

/**
 * Stripe-style expansion: `?expand[]=customer&expand[]=payments` includes related objects in
 * the answer, loaded for the whole page at once (api/src/domain/related).
 */
export const expandQuery = (allowed: readonly string[]) =>
  Type.Optional(
    Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: 10,
      description: `Related objects to include in the answer: ${allowed.map((a) => `\`${a}\``).join(', ')} (\`expand[]=${allowed[0]}\`; repeat for several).`,
    }),
  );

/** The expansions asked for, checked against those this object has. */
export function expansions<T extends string>(given: readonly string[] | undefined, allowed: readonly T[]): Set<T> {
  const unknown = (given ?? [])
    .map((value, index) => ({ value, index }))
    .filter(({ value }) => !(allowed as readonly string[]).includes(value));
  if (unknown.length > 0) {
    throw new AppError(
      'request/invalid_expand',
      400,
      `Cannot expand ${unknown.map((u) => `'${u.value}'`).join(', ')}: this object expands ${allowed.map((a) => `'${a}'`).join(', ')}.`,
      {
        errors: unknown.map(({ index }) => ({
          field: `/expand/${index}`,
          message: `must be one of: ${allowed.join(', ')}`,
        })),
      },
    );
  }
  return new Set(given as T[] | undefined);
}
