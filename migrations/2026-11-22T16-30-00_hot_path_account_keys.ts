import { type Kysely, sql } from 'kysely';

// Three foreign keys to `accounts` that every payment checked without need. A foreign-key check
// locks the referenced row (FOR KEY SHARE): one account's concurrent writes all locked its one
// row, each check a multixact of the others. Dropped:
// - events → accounts: an event is written on every change, under the row-level security policy
//   of the transaction's account (WITH CHECK account_id = the account), which exists since it
//   authenticated. Deleting an account by hand deletes its events first.
// - payment_allocations → accounts: implied by the allocation's keys to its payment and invoice,
//   which now cascade, so deleting a payment or an invoice removes its allocations.
// - payments → accounts: implied by the payment's key to its customer. Deleting an account by
//   hand deletes its payments (and bank lines, which name them) before the account.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events DROP CONSTRAINT events_account_id_fkey`.execute(db);
  await sql`ALTER TABLE payments DROP CONSTRAINT payments_account_id_fkey`.execute(db);
  await sql`
    ALTER TABLE payment_allocations
      DROP CONSTRAINT payment_allocations_account_id_fkey,
      DROP CONSTRAINT payment_allocations_account_id_payment_id_fkey,
      DROP CONSTRAINT payment_allocations_account_id_invoice_id_fkey,
      ADD CONSTRAINT payment_allocations_account_id_payment_id_fkey
        FOREIGN KEY (account_id, payment_id) REFERENCES payments (account_id, id) ON DELETE CASCADE,
      ADD CONSTRAINT payment_allocations_account_id_invoice_id_fkey
        FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id) ON DELETE CASCADE`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE payment_allocations
      DROP CONSTRAINT payment_allocations_account_id_payment_id_fkey,
      DROP CONSTRAINT payment_allocations_account_id_invoice_id_fkey,
      ADD CONSTRAINT payment_allocations_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
      ADD CONSTRAINT payment_allocations_account_id_payment_id_fkey FOREIGN KEY (account_id, payment_id) REFERENCES payments (account_id, id),
      ADD CONSTRAINT payment_allocations_account_id_invoice_id_fkey FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id)`.execute(
    db,
  );
  await sql`ALTER TABLE payments ADD CONSTRAINT payments_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE`.execute(
    db,
  );
  await sql`ALTER TABLE events ADD CONSTRAINT events_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE`.execute(
    db,
  );
}
