import { type Kysely, sql } from 'kysely';

// A "paiement transmis" (211) from the French e-invoicing platform is a payment claim made by the
// buyer's platform: source `einvoice` (docs/einvoicing.md).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE payment_claims DROP CONSTRAINT payment_claims_source_check`.execute(db);
  await sql`ALTER TABLE payment_claims ADD CONSTRAINT payment_claims_source_check CHECK (source IN ('api', 'page', 'einvoice'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM payment_claims WHERE source = 'einvoice'`.execute(db);
  await sql`ALTER TABLE payment_claims DROP CONSTRAINT payment_claims_source_check`.execute(db);
  await sql`ALTER TABLE payment_claims ADD CONSTRAINT payment_claims_source_check CHECK (source IN ('api', 'page'))`.execute(
    db,
  );
}
