import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';

/** Mounts /graphql (filled in by the GraphQL layer). */
export async function registerGraphql(_app: FastifyInstance, _deps: { services: Services; config: Config }): Promise<void> {}
