import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type RouteSchema = { schema?: unknown; method: string; url: string; httpStatus: string; contentType?: string };
type Serialize = (data: unknown) => string;
type SharedSchemas = Record<string, unknown>;
type BuildSerializer = (externalSchemas: SharedSchemas, options: unknown) => (route: RouteSchema) => Serialize;

// The serializer compiler Fastify uses by default (fast-json-stringify), resolved from Fastify
// itself: always the version this Fastify ships with.
const fromFastify = createRequire(import.meta.resolve('fastify'));
const stockSerializers = (
  fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => BuildSerializer }
).SerializerSelector();

/** The ids of the shared schemas a schema names in a `$ref` (`Invoice`, `Invoice#/properties/x`), fragments aside. */
function namedIds(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) namedIds(item, found);
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) found.add(value.split('#')[0] ?? '');
      else namedIds(value, found);
    }
  }
  return found;
}

/**
 * The shared schemas `schema` reaches through `$ref`s, transitively; all of them when one of its
 * references is not a shared schema's `$id` (a URI to resolve), as fast-json-stringify would.
 */
function reachedSchemas(schema: unknown, shared: SharedSchemas): SharedSchemas {
  const reached: SharedSchemas = {};
  const pending = [...namedIds(schema)];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (Object.hasOwn(reached, id)) continue;
    if (!Object.hasOwn(shared, id)) return shared;
    reached[id] = shared[id];
    pending.push(...namedIds(shared[id]));
  }
  return reached;
}

/** Whether `value` is plain JSON data, so that its text says all of it. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as object).every(isPlainJson);
}

/**
 * Serializers by a digest of what they depend on (the response schema, the shared schemas it
 * reaches, the options) when all of it is plain JSON. fast-json-stringify's serializer keeps the Ajv
 * validators it compiles for a union's branches on its first use (tens of milliseconds for one of
 * our larger objects), so sharing it shares them too.
 */
const compiledSerializers = new Map<string, Serialize>();

/**
 * Response serializers compiled on a route's first response instead of when the app gets ready.
 * Compiling all of them (some 200 routes × status codes, each resolving the shared schemas) took
 * about 120 MiB of short-lived heap at start-up, which V8 kept committed for the life of the
 * process; a process only ever answers with a few of them. The serializers are the same ones.
 *
 * Each is compiled with only the shared schemas its response reaches: fast-json-stringify checks
 * and indexes every shared schema it is given, 40 to 70 ms for our hundred-odd, for each
 * serializer, where one with its own few takes 1 to 20 ms. Routes that answer with the same
 * schema (the problem document of every error, `{ $ref: 'Invoice' }` of a dozen routes) share
 * one, as do apps built in one process.
 */
export const lazySerializers: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compile = (route: RouteSchema): Serialize => {
        const shared = reachedSchemas(route.schema, externalSchemas as SharedSchemas);
        const build = () => stockSerializers(shared, options)(route);
        if (![options, route.schema, shared].every(isPlainJson)) return build();
        const key = createHash('sha256')
          .update(JSON.stringify([options, route.schema, shared]))
          .digest('base64');
        let serialize = compiledSerializers.get(key);
        if (!serialize) {
          serialize = build();
          compiledSerializers.set(key, serialize);
        }
        return serialize;
      };
      return (route: RouteSchema) => {
        let serialize: Serialize | undefined;
        return (data: unknown) => {
          serialize ??= compile(route);
          return serialize(data);
        };
      };
    },
  },
};
