import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type RouteSchema = { schema?: unknown; method: string; url: string; httpStatus: string; contentType?: string };
type Serialize = (data: unknown) => string;
type BuildSerializer = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => Serialize;

// The serializer compiler Fastify uses by default (fast-json-stringify), resolved from Fastify
// itself: always the version this Fastify ships with.
const fromFastify = createRequire(import.meta.resolve('fastify'));
const stockSerializers = (
  fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => BuildSerializer }
).SerializerSelector();

/**
 * Response serializers compiled on a route's first response instead of when the app gets ready.
 * Compiling all of them (some 200 routes × status codes, each resolving the shared schemas) took
 * about 120 MiB of short-lived heap at start-up, which V8 kept committed for the life of the
 * process; a process only ever answers with a few of them. The serializers are the same ones.
 */
export const lazySerializers: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compile = stockSerializers(externalSchemas, options);
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
