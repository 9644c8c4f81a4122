import { type Kysely, sql } from 'kysely';

// Rates never silently stale: an interest line computed with a reference rate that was never
// recorded says so (invoice_fees.rate_assumed, rate_note), and each account hears it once per
// source and reference date (reference_rate_alerts remembers the `reference_rate.missing` sent).

// Reference dates whose rate is the one already recorded before them, known at release: rows
// that repeat the rate say "checked, unchanged on that day". The ECB held its rates from
// 11 June 2025 through its meeting of 18 December 2025 (MRO 2.15 %); the Bank of England's
// 3.75 % of 18 December 2025 was in force on 31 December 2025 (next MPC decision: February 2026).
const CONFIRMED: [string, string, number][] = [
  ['ecb_mro', '2025-07-01', 215],
  ['ecb_mro', '2026-01-01', 215],
  ['boe_base', '2025-12-31', 375],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE invoice_fees
      ADD COLUMN rate_assumed boolean NOT NULL DEFAULT false,
      ADD COLUMN rate_note text,
      ADD CHECK (rate_assumed = (rate_note IS NOT NULL))`.execute(db);

  await sql`
    CREATE TABLE reference_rate_alerts (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('ecb_mro', 'boe_base')),
      reference_date date NOT NULL,
      invoice_id text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, source, reference_date)
    )`.execute(db);
  await sql`ALTER TABLE reference_rate_alerts ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE reference_rate_alerts FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON reference_rate_alerts TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`
    CREATE POLICY system_access ON reference_rate_alerts TO relance_system
      USING (true) WITH CHECK (true)`.execute(db);

  await db
    .insertInto('reference_rates')
    .values(CONFIRMED.map(([source, effective_on, rate_bps]) => ({ source, effective_on, rate_bps })))
    .onConflict((oc) => oc.columns(['source', 'effective_on']).doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [source, effective_on] of CONFIRMED) {
    await db
      .deleteFrom('reference_rates')
      .where('source', '=', source)
      .where('effective_on', '=', effective_on)
      .execute();
  }
  await sql`DROP TABLE reference_rate_alerts`.execute(db);
  await sql`ALTER TABLE invoice_fees DROP COLUMN rate_assumed, DROP COLUMN rate_note`.execute(db);
}
