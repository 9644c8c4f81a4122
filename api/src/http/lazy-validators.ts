import type { ValidateFunction } from 'ajv';

/**
 * A request validator compiled on the route's first request rather than when the app gets ready:
 * compiling every route's body, query and params schemas cost about 0.4 s of CPU at each start,
 * for routes a process may never serve. It is the same Ajv function, called the same way: Fastify
 * reads `errors` after a failed call and `schemaEnv` (Ajv's mark) to let it coerce a request part
 * in place, and both are the compiled function's.
 */
export function lazyValidator(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validator = () => {
    compiled ??= compile();
    return compiled;
  };
  const validate = ((data: unknown, context?: unknown) =>
    (validator() as (data: unknown, context?: unknown) => boolean | Promise<unknown>)(
      data,
      context,
    )) as ValidateFunction;
  Object.defineProperties(validate, {
    errors: { get: () => compiled?.errors },
    schemaEnv: { get: () => validator().schemaEnv },
    schema: { get: () => validator().schema },
  });
  return validate;
}
