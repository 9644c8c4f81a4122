import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, migrateToLatest } from '../../src/store/migrate.ts';

/** The server tests create their databases on: PostgreSQL on 127.0.0.1:5432 unless told otherwise. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The template's name changes whenever a migration does, so a stale template is never used. */
function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  return `relance_tpl_${hash.digest('hex').slice(0, 12)}`;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (once, under a lock shared by parallel test processes) a migrated template database. */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(727274)');
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return;
      // Templates of other migration sets are left alone: another checkout may be testing with one
      // right now. They are small; `DROP DATABASE` the old `relance_tpl_*` ones when convenient.
      const building = `${name}_build`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await migrateToLatest(urlFor(building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await admin.query(`ALTER DATABASE "${name}" IS_TEMPLATE true`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(727274)');
    }
  });
  return name;
}

/**
 * Sends `DROP DATABASE` and returns without waiting for its answer. PostgreSQL makes each drop
 * wait for a checkpoint it forces (half a second to a second while the suite runs), and nothing
 * after a test's teardown needs the answer: once the statement is written, the connection no
 * longer keeps the process alive, and the server completes the drop whether or not the process
 * is still there to read the answer.
 */
async function dropInBackground(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  admin.on('error', () => {});
  admin
    .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    .catch((error: unknown) => process.stderr.write(`test database ${name} not dropped: ${error}\n`))
    .finally(() => admin.end().catch(() => {}));
  const socket = (admin as unknown as { connection: { stream: Socket } }).connection.stream;
  // The statement has left this process once what was written before an empty write is flushed.
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  socket.unref();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `relance_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Another process may be copying the same template this instant.
        if (attempt > 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  return {
    name,
    url: urlFor(name),
    drop: () => dropInBackground(name),
  };
}
