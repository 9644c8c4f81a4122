import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

function migratorFor<Schema>(db: Kysely<Schema>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
}

/** Applies every pending migration as the connecting (owner) role. Throws on the first failure. */
export async function migrateToLatest(connectionString: string): Promise<string[]> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 4000 }) }),
  });
  try {
    const { error, results } = await migratorFor(db).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).map((r) => r.migrationName);
  } finally {
    await db.destroy();
  }
}

/** Names of migrations present in the code but not applied to the database. */
export async function pendingMigrations<Schema>(db: Kysely<Schema>): Promise<string[]> {
  const migrations = await migratorFor(db).getMigrations();
  return migrations.filter((m) => !m.executedAt).map((m) => m.name);
}
