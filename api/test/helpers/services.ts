import pg from 'pg';
import type { Test } from 'tap';
import { ManualClock } from '../../src/clock.ts';
import type { Actor } from '../../src/domain/shared/actor.ts';
import { createServices, type Services } from '../../src/services.ts';
import { createDatabase, type Database } from '../../src/store/database.ts';
import { createTestDatabase } from './database.ts';

export interface ServicesContext {
  /** The services on the database, as the app uses them (tenant and system roles, row-level security). */
  services: Services;
  database: Database;
  /** A connection as the database's owner (a superuser here): sees and changes every row, as an operator would. */
  owner: pg.Client;
  /** The database's URL (its owner's). */
  url: string;
}

/**
 * A fresh database of its own for tests that work below HTTP: the services, and an owner
 * connection to look at or change what the services cannot. Torn down with the test.
 */
export async function setupServices(
  t: Test,
  options: { now?: string; poolSize?: number; fastPaths?: boolean } = {},
): Promise<ServicesContext> {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: options.poolSize ?? 2 });
  const owner = new pg.Client({ connectionString: testDb.url });
  await owner.connect();
  t.teardown(async () => {
    await owner.end();
    await database.close();
    await testDb.drop();
  });
  const services = createServices({
    database,
    clock: new ManualClock(options.now ?? '2026-05-01T10:00:00Z'),
    fastPaths: options.fastPaths ?? true,
  });
  return { services, database, owner, url: testDb.url };
}

/** An actor with write access to a live account, as an API key of it would authenticate. */
export const liveActor = (accountId: string, timeZone = 'UTC'): Actor => ({
  accountId,
  keyId: null,
  readOnly: false,
  mode: 'live',
  timeZone,
});
