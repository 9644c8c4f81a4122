import { type Kysely, sql } from 'kysely';

// Changing a policy no longer flags its invoices inside the request: the policy records that a
// replan is pending (`replan_after`: '' to start, then the last invoice id flagged) and how many
// invoices are still to flag; the workers' tick flags them in batches and clears it. Until then
// the sender replans an invoice whose policy has a replan pending before deciding anything.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reminder_policies
      ADD COLUMN replan_after text,
      ADD COLUMN invoices_to_replan integer NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX reminder_policies_replan_pending ON reminder_policies (account_id) WHERE replan_after IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reminder_policies_replan_pending`.execute(db);
  await sql`ALTER TABLE reminder_policies DROP COLUMN replan_after, DROP COLUMN invoices_to_replan`.execute(db);
}
