import { type Kysely, sql } from 'kysely';

// The lists of values of the busiest tables' status and method columns, as domains instead of
// table CHECK constraints. Postgres reads a table's CHECK constraints back from their stored
// text and plans them again in every statement that writes the table (for an UPDATE, all of them,
// whatever it changes), and a list of values is the longest text to read; a domain's constraint
// is read once per connection and checked only where a value is written. Same rule, same error
// (23514 check_violation).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE DOMAIN relance_invoice_status AS text CHECK (VALUE IN ('draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible'))`.execute(
    db,
  );
  await sql`CREATE DOMAIN relance_payment_method AS text CHECK (VALUE IN ('transfer', 'card', 'check', 'cash', 'direct_debit', 'other'))`.execute(
    db,
  );
  await sql`CREATE DOMAIN relance_payment_status AS text CHECK (VALUE IN ('succeeded', 'reversed'))`.execute(db);
  await sql`
    ALTER TABLE invoices
      DROP CONSTRAINT invoices_status_check,
      ALTER COLUMN status TYPE relance_invoice_status`.execute(db);
  await sql`
    ALTER TABLE payments
      DROP CONSTRAINT payments_method_check,
      DROP CONSTRAINT payments_status_check,
      ALTER COLUMN method TYPE relance_payment_method,
      ALTER COLUMN status TYPE relance_payment_status`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE payments
      ALTER COLUMN method TYPE text,
      ALTER COLUMN status TYPE text,
      ADD CONSTRAINT payments_method_check CHECK (method IN ('transfer', 'card', 'check', 'cash', 'direct_debit', 'other')),
      ADD CONSTRAINT payments_status_check CHECK (status IN ('succeeded', 'reversed'))`.execute(db);
  await sql`
    ALTER TABLE invoices
      ALTER COLUMN status TYPE text,
      ADD CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible'))`.execute(
    db,
  );
  await sql`DROP DOMAIN relance_payment_status`.execute(db);
  await sql`DROP DOMAIN relance_payment_method`.execute(db);
  await sql`DROP DOMAIN relance_invoice_status`.execute(db);
}
