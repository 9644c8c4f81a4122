import { type Kysely, sql } from 'kysely';

// `?metadata[key]=value` on the invoice, customer and payment lists is a containment test
// (`metadata @> '{"key":"value"}'`), which a GIN index with jsonb_path_ops answers.
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['invoices', 'customers', 'payments']) {
    await sql`CREATE INDEX ${sql.raw(`${table}_metadata`)} ON ${sql.table(table)} USING gin (metadata jsonb_path_ops)`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['invoices', 'customers', 'payments'])
    await sql`DROP INDEX ${sql.raw(`${table}_metadata`)}`.execute(db);
}
