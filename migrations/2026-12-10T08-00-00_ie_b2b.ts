import { type Kysely, sql } from 'kysely';

// The `ie_b2b` preset: the European Communities (Late Payment in Commercial Transactions)
// Regulations 2012 (S.I. No. 580 of 2012), the ECB main refinancing rate (already shipped as
// `ecb_mro`) plus 8 points, and 40/70/100 EUR of compensation.
const PRESETS = `'none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b', 'ie_b2b'`;
const BEFORE = `'none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b'`;

async function allow(db: Kysely<any>, presets: string): Promise<void> {
  await sql`
    ALTER TABLE accounts DROP CONSTRAINT accounts_late_fee_preset_check,
      ADD CONSTRAINT accounts_late_fee_preset_check CHECK (late_fee_preset IN (${sql.raw(presets)}))`.execute(db);
  await sql`
    ALTER TABLE payment_terms DROP CONSTRAINT payment_terms_late_fee_kind_check,
      ADD CONSTRAINT payment_terms_late_fee_kind_check CHECK (late_fee_kind IN (${sql.raw(presets)}, 'custom'))`.execute(
    db,
  );
}

export async function up(db: Kysely<any>): Promise<void> {
  await allow(db, PRESETS);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`UPDATE accounts SET late_fee_preset = 'none' WHERE late_fee_preset = 'ie_b2b'`.execute(db);
  await sql`UPDATE payment_terms SET late_fee_kind = 'none' WHERE late_fee_kind = 'ie_b2b'`.execute(db);
  await allow(db, BEFORE);
}
