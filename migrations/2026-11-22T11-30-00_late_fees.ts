import { type Kysely, sql } from 'kysely';

// Late fees: global reference rates (ECB, Bank of England), a late-fee rule on payment terms,
// a legal preset per account, and the fee lines of each invoice.

// The rates known at release (basis points), frozen here as migrations never import today's code.
const ECB_MRO: [string, number][] = [
  ['2016-03-16', 0],
  ['2022-07-27', 50],
  ['2022-09-14', 125],
  ['2022-11-02', 200],
  ['2022-12-21', 250],
  ['2023-02-08', 300],
  ['2023-03-22', 350],
  ['2023-05-10', 375],
  ['2023-06-21', 400],
  ['2023-08-02', 425],
  ['2023-09-20', 450],
  ['2024-06-12', 425],
  ['2024-09-18', 365],
  ['2024-10-23', 340],
  ['2024-12-18', 315],
  ['2025-02-05', 290],
  ['2025-03-12', 265],
  ['2025-04-23', 240],
  ['2025-06-11', 215],
];
const BOE_BASE: [string, number][] = [
  ['2018-08-02', 75],
  ['2020-03-11', 25],
  ['2020-03-19', 10],
  ['2021-12-16', 25],
  ['2022-02-03', 50],
  ['2022-03-17', 75],
  ['2022-05-05', 100],
  ['2022-06-16', 125],
  ['2022-08-04', 175],
  ['2022-09-22', 225],
  ['2022-11-03', 300],
  ['2022-12-15', 350],
  ['2023-02-02', 400],
  ['2023-03-23', 425],
  ['2023-05-11', 450],
  ['2023-06-22', 500],
  ['2023-08-03', 525],
  ['2024-08-01', 500],
  ['2024-11-07', 475],
  ['2025-02-06', 450],
  ['2025-05-08', 425],
  ['2025-08-07', 400],
  ['2025-12-18', 375],
];

export async function up(db: Kysely<any>): Promise<void> {
  // Global data, shared by every account: no account_id, no RLS. Tenants may only read it;
  // only the operator role writes (the CLI `rates add`), never a request made with an API key.
  await sql`
    CREATE TABLE reference_rates (
      source text NOT NULL CHECK (source IN ('ecb_mro', 'boe_base')),
      effective_on date NOT NULL,
      rate_bps integer NOT NULL CHECK (rate_bps BETWEEN -10000 AND 100000),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source, effective_on)
    )`.execute(db);
  await sql`REVOKE ALL ON reference_rates FROM relance_app, relance_system`.execute(db);
  await sql`GRANT SELECT ON reference_rates TO relance_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE ON reference_rates TO relance_system`.execute(db);
  const rows = [
    ...ECB_MRO.map(([on, bps]) => ({ source: 'ecb_mro', effective_on: on, rate_bps: bps })),
    ...BOE_BASE.map(([on, bps]) => ({ source: 'boe_base', effective_on: on, rate_bps: bps })),
  ];
  await db.insertInto('reference_rates').values(rows).execute();

  await sql`
    ALTER TABLE accounts
      ADD COLUMN late_fee_preset text NOT NULL DEFAULT 'none'
        CHECK (late_fee_preset IN ('none', 'fr_b2b', 'eu_b2b', 'uk_b2b'))`.execute(db);

  // The late-fee rule of payment terms. late_fee_kind NULL: the account's preset applies.
  await sql`
    ALTER TABLE payment_terms
      ADD COLUMN late_fee_kind text CHECK (late_fee_kind IN ('none', 'fr_b2b', 'eu_b2b', 'uk_b2b', 'custom')),
      ADD COLUMN late_fee_rate_bps integer CHECK (late_fee_rate_bps BETWEEN 0 AND 100000),
      ADD COLUMN late_fee_fixed_amount bigint CHECK (late_fee_fixed_amount >= 0),
      ADD COLUMN late_fee_fixed_currency char(3),
      ADD COLUMN late_fee_grace_days integer NOT NULL DEFAULT 0 CHECK (late_fee_grace_days BETWEEN 0 AND 365),
      ADD COLUMN late_fee_cap_bps integer CHECK (late_fee_cap_bps BETWEEN 0 AND 100000),
      ADD CHECK ((late_fee_fixed_amount IS NULL) = (late_fee_fixed_currency IS NULL)),
      ADD CHECK (late_fee_kind = 'custom' OR (late_fee_rate_bps IS NULL AND late_fee_fixed_amount IS NULL))`.execute(
    db,
  );

  await sql`
    CREATE TABLE invoice_fees (
      account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      id text NOT NULL,
      invoice_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('recovery_fee', 'interest')),
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      period_from date NOT NULL,
      period_to date NOT NULL CHECK (period_to >= period_from),
      rate_bps integer,
      waived_at timestamptz,
      waive_reason text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, id),
      FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE,
      CHECK ((waived_at IS NULL) = (waive_reason IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX invoice_fees_invoice ON invoice_fees (account_id, invoice_id, id)`.execute(db);
  // The fixed recovery fee is added once per invoice, whatever races.
  await sql`
    CREATE UNIQUE INDEX invoice_fees_one_recovery_fee ON invoice_fees (account_id, invoice_id)
      WHERE kind = 'recovery_fee'`.execute(db);
  await sql`ALTER TABLE invoice_fees ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE invoice_fees FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`
    CREATE POLICY tenant_isolation ON invoice_fees TO relance_app
      USING (account_id = relance_current_account())
      WITH CHECK (account_id = relance_current_account())`.execute(db);
  await sql`CREATE POLICY system_access ON invoice_fees TO relance_system USING (true) WITH CHECK (true)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE invoice_fees`.execute(db);
  await sql`
    ALTER TABLE payment_terms
      DROP COLUMN late_fee_kind, DROP COLUMN late_fee_rate_bps, DROP COLUMN late_fee_fixed_amount,
      DROP COLUMN late_fee_fixed_currency, DROP COLUMN late_fee_grace_days, DROP COLUMN late_fee_cap_bps`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN late_fee_preset`.execute(db);
  await sql`DROP TABLE reference_rates`.execute(db);
}
