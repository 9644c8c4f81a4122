import type { Test } from 'tap';
import { buildApp } from '../../src/app.ts';
import { ManualClock, type Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { Services } from '../../src/services.ts';
import { createDatabase, type Database } from '../../src/store/database.ts';
import { createTestDatabase } from './database.ts';

export interface TestAccount {
  accountId: string;
  apiKey: string;
  /** `Authorization` header for this account's key. */
  auth: { authorization: string };
}

export interface TestContext {
  app: Awaited<ReturnType<typeof buildApp>>;
  services: Services;
  database: Database;
  databaseUrl: string;
  clock: Clock;
  /** Creates an account (with its built-in terms) and returns its first API key. */
  createAccount(input?: { name?: string; time_zone?: string; mode?: 'live' | 'test' }): Promise<TestAccount>;
}

/**
 * Builds the real app on a fresh database of its own, torn down with the test.
 * `env` overrides configuration variables (e.g. RATE_LIMIT_PER_MINUTE).
 */
export async function setupApp(
  t: Test,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestContext> {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 10 });
  const clock = options.clock ?? new ManualClock('2026-03-02T09:00:00Z');
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', ...options.env }), database, clock });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await database.close();
    await testDb.drop();
  });
  return {
    app,
    services: app.services,
    database,
    databaseUrl: testDb.url,
    clock,
    async createAccount(input = {}) {
      const { account, api_key } = await app.services.accounts.create({ name: input.name ?? 'Acme', ...input });
      return { accountId: account.id, apiKey: api_key.secret, auth: { authorization: `Bearer ${api_key.secret}` } };
    },
  };
}
