import { type Kysely, sql } from 'kysely';

// The invoice shows its late fees by kind (interest, fixed recovery fee) next to `late_fees`,
// so nobody pages through daily interest lines to find the interest. Stored on the invoice and
// kept up to date where fee lines are written and waived (the same statements that move
// `late_fees`), so lists read them with the row: no query per invoice.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE invoices
      ADD COLUMN late_fees_interest bigint NOT NULL DEFAULT 0 CHECK (late_fees_interest >= 0),
      ADD COLUMN late_fees_recovery_fee bigint NOT NULL DEFAULT 0 CHECK (late_fees_recovery_fee >= 0)`.execute(db);
  await sql`
    UPDATE invoices i
       SET late_fees_interest = f.interest, late_fees_recovery_fee = f.recovery_fee
      FROM (SELECT account_id, invoice_id,
                   coalesce(sum(amount) FILTER (WHERE kind = 'interest'), 0) AS interest,
                   coalesce(sum(amount) FILTER (WHERE kind = 'recovery_fee'), 0) AS recovery_fee
              FROM invoice_fees WHERE waived_at IS NULL GROUP BY account_id, invoice_id) f
     WHERE i.account_id = f.account_id AND i.id = f.invoice_id`.execute(db);
  // Every fee counted in late_fees is of one kind: the parts add up to the whole.
  await sql`
    ALTER TABLE invoices ADD CONSTRAINT invoices_late_fees_by_kind
      CHECK (late_fees = late_fees_interest + late_fees_recovery_fee)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE invoices DROP CONSTRAINT invoices_late_fees_by_kind,
      DROP COLUMN late_fees_interest, DROP COLUMN late_fees_recovery_fee`.execute(db);
}
