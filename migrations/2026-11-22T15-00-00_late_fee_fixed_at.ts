import { type Kysely, sql } from 'kysely';

// When payment terms add their fixed recovery fee: as soon as the invoice is overdue (the
// default), or only when a reminder step with `applies_late_fees` is sent (the step the user chose).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE payment_terms
      ADD COLUMN late_fee_fixed_at text NOT NULL DEFAULT 'overdue' CHECK (late_fee_fixed_at IN ('overdue', 'fee_step'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE payment_terms DROP COLUMN late_fee_fixed_at`.execute(db);
}
