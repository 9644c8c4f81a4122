import { type Kysely, sql } from 'kysely';

// Business or consumer debtors, and who they (and the creditor) are in law. The statutory B2B
// late-fee presets (a fixed recovery fee, commercial interest) apply between businesses only:
// a consumer's invoice never gets them. Existing customers are businesses, as Relance assumed.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE customers
      ADD COLUMN kind text NOT NULL DEFAULT 'business' CHECK (kind IN ('business', 'consumer')),
      ADD COLUMN legal_name text,
      ADD COLUMN registration_number text,
      ADD COLUMN vat_number text,
      ADD COLUMN billing_address jsonb`.execute(db);
  await sql`
    ALTER TABLE accounts
      ADD COLUMN registration_number text,
      ADD COLUMN vat_number text,
      ADD COLUMN billing_address jsonb`.execute(db);
  // Why an invoice's statutory fees were not applied (a consumer under a B2B preset), once seen.
  await sql`ALTER TABLE invoices ADD COLUMN late_fees_skipped jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE invoices DROP COLUMN late_fees_skipped`.execute(db);
  await sql`
    ALTER TABLE accounts DROP COLUMN registration_number, DROP COLUMN vat_number, DROP COLUMN billing_address`.execute(
    db,
  );
  await sql`
    ALTER TABLE customers DROP COLUMN kind, DROP COLUMN legal_name, DROP COLUMN registration_number,
      DROP COLUMN vat_number, DROP COLUMN billing_address`.execute(db);
}
