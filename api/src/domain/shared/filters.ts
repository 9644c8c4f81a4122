import { type RawBuilder, type SqlBool, sql } from 'kysely';

/** `metadata @> {…}`: every pair of the filter is in the row's metadata (GIN index `<table>_metadata`). */
export function metadataContains(filter: Record<string, string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`metadata @> ${JSON.stringify(filter)}::jsonb`;
}
