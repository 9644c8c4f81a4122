import SchemaBuilder from '@pothos/core';
import type { Actor } from '../domain/shared/index.ts';
import type { Services } from '../services.ts';
import type { Loaders } from './loaders.ts';

/** What every resolver receives: the caller (set by the auth hook) and the domain services. */
export interface GraphqlContext {
  actor: Actor;
  services: Services;
  /** This request's DataLoaders, through which nested fields load their objects in batches. */
  loaders: Loaders;
}

/**
 * The one schema builder. Scalars are declared here and implemented in `types/scalars.ts`;
 * each file under `types/` adds one object type with its queries and mutations.
 */
export const builder = new SchemaBuilder<{
  Context: GraphqlContext;
  Scalars: {
    /** Calendar date, `YYYY-MM-DD`. */
    Date: { Input: string; Output: string };
    /** Instant, ISO 8601 in UTC. */
    DateTime: { Input: string; Output: string };
    /** Integer in the currency's minor unit; beyond GraphQL's 32-bit `Int`. */
    Amount: { Input: number; Output: number };
    /** Flat map of string keys to string values. */
    Metadata: { Input: Record<string, string>; Output: Record<string, string> };
    /** Any JSON object, as stored (an event's `data`). Output only. */
    JSON: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
  // Output fields are non-null unless they say `nullable: true`, as the REST schemas are.
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.queryType({});
builder.mutationType({});
