import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/**
 * The migrations of MIGRATIONS_DIR by name (the file name without its extension, as Kysely's
 * FileMigrationProvider names them), each module imported only when it runs: a process that
 * starts on an up-to-date database reads the folder, not its 50-odd modules.
 */
const lazyMigrations: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of (await fs.readdir(MIGRATIONS_DIR)).sort()) {
      if (!/\.(ts|mts|js|mjs)$/.test(file) || file.endsWith('.d.ts')) continue;
      const load = async () => (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Migration;
      migrations[file.replace(/\.[^.]+$/, '')] = {
        up: async (db) => (await load()).up(db),
        down: async (db) => (await load()).down?.(db),
      };
    }
    return migrations;
  },
};

function migratorFor<Schema>(db: Kysely<Schema>): Migrator {
  return new Migrator({ db, provider: lazyMigrations });
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
