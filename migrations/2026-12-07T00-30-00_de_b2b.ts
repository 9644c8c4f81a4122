import { type Kysely, sql } from 'kysely';

// The `de_b2b` preset (§288 Abs. 2 and 5 BGB) and its reference rate, the Basiszinssatz of
// §247 BGB published by the Deutsche Bundesbank (source `bundesbank_base`). It changes only on
// 1 January and 1 July, by the change of the ECB main refinancing rate since its last change.
// A frozen copy of the values known at release (see reference-rates.data.ts for the sources).
const BUNDESBANK_BASE: [string, number][] = [
  ['2016-07-01', -88],
  ['2023-01-01', 162],
  ['2023-07-01', 312],
  ['2024-01-01', 362],
  ['2024-07-01', 337],
  ['2025-01-01', 227],
  ['2025-07-01', 127],
  ['2026-01-01', 127],
];

const PRESETS = `'none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b'`;
const SOURCES = `'ecb_mro', 'boe_base', 'bundesbank_base'`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE accounts DROP CONSTRAINT accounts_late_fee_preset_check,
      ADD CONSTRAINT accounts_late_fee_preset_check CHECK (late_fee_preset IN (${sql.raw(PRESETS)}))`.execute(db);
  await sql`
    ALTER TABLE payment_terms DROP CONSTRAINT payment_terms_late_fee_kind_check,
      ADD CONSTRAINT payment_terms_late_fee_kind_check CHECK (late_fee_kind IN (${sql.raw(PRESETS)}, 'custom'))`.execute(
    db,
  );
  await sql`
    ALTER TABLE reference_rates DROP CONSTRAINT reference_rates_source_check,
      ADD CONSTRAINT reference_rates_source_check CHECK (source IN (${sql.raw(SOURCES)}))`.execute(db);
  await sql`
    ALTER TABLE reference_rate_alerts DROP CONSTRAINT reference_rate_alerts_source_check,
      ADD CONSTRAINT reference_rate_alerts_source_check CHECK (source IN (${sql.raw(SOURCES)}))`.execute(db);
  await db
    .insertInto('reference_rates')
    .values(BUNDESBANK_BASE.map(([effective_on, rate_bps]) => ({ source: 'bundesbank_base', effective_on, rate_bps })))
    .onConflict((oc) => oc.columns(['source', 'effective_on']).doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('reference_rates').where('source', '=', 'bundesbank_base').execute();
  await sql`
    ALTER TABLE reference_rate_alerts DROP CONSTRAINT reference_rate_alerts_source_check,
      ADD CONSTRAINT reference_rate_alerts_source_check CHECK (source IN ('ecb_mro', 'boe_base'))`.execute(db);
  await sql`
    ALTER TABLE reference_rates DROP CONSTRAINT reference_rates_source_check,
      ADD CONSTRAINT reference_rates_source_check CHECK (source IN ('ecb_mro', 'boe_base'))`.execute(db);
  await sql`
    ALTER TABLE payment_terms DROP CONSTRAINT payment_terms_late_fee_kind_check,
      ADD CONSTRAINT payment_terms_late_fee_kind_check
        CHECK (late_fee_kind IN ('none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'custom'))`.execute(db);
  await sql`
    ALTER TABLE accounts DROP CONSTRAINT accounts_late_fee_preset_check,
      ADD CONSTRAINT accounts_late_fee_preset_check CHECK (late_fee_preset IN ('none', 'fr_b2b', 'eu_b2b', 'uk_b2b'))`.execute(
    db,
  );
}
