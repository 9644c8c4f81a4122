import { type Kysely, sql } from 'kysely';

// The application roles had every right on every table of `public`, the migrator's bookkeeping
// included: a tenant session could rewrite the migration history or hold its lock. They only
// need to read it (nothing does today); the migrating user keeps its rights as the owner.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON kysely_migration, kysely_migration_lock FROM relance_app, relance_system`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`GRANT INSERT, UPDATE, DELETE ON kysely_migration, kysely_migration_lock TO relance_app, relance_system`.execute(
    db,
  );
}
