import { type Kysely, sql } from 'kysely';

// A customer's pause shows on each of its invoices: the pause is copied to them when it is set
// or lifted (by the service) and when an invoice is created (by this trigger, whatever the path).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE invoices
      ADD COLUMN customer_paused boolean NOT NULL DEFAULT false,
      ADD COLUMN customer_paused_until date,
      ADD COLUMN customer_pause_reason text`.execute(db);
  await sql`
    UPDATE invoices i SET customer_paused = c.paused, customer_paused_until = c.paused_until, customer_pause_reason = c.pause_reason
      FROM customers c WHERE c.account_id = i.account_id AND c.id = i.customer_id AND c.paused`.execute(db);
  await sql`
    CREATE FUNCTION invoices_copy_customer_pause() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT c.paused, c.paused_until, c.pause_reason
        INTO NEW.customer_paused, NEW.customer_paused_until, NEW.customer_pause_reason
        FROM customers c WHERE c.account_id = NEW.account_id AND c.id = NEW.customer_id;
      NEW.customer_paused := coalesce(NEW.customer_paused, false);
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER invoices_copy_customer_pause BEFORE INSERT OR UPDATE OF customer_id ON invoices
      FOR EACH ROW EXECUTE FUNCTION invoices_copy_customer_pause()`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION invoices_copy_customer_pause() TO relance_app, relance_system`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER invoices_copy_customer_pause ON invoices`.execute(db);
  await sql`DROP FUNCTION invoices_copy_customer_pause()`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN customer_paused, DROP COLUMN customer_paused_until, DROP COLUMN customer_pause_reason`.execute(db);
}
