import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, pgAccepts, runScript, waitFor } from '../helpers/process.ts';

/** Runs main.ts until it exits; returns its exit code, output and how long it took. */
async function startAndExit(args: string[], env: Record<string, string>) {
  const started = Date.now();
  const run = runScript('api/src/main.ts', args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, output: run.output(), seconds: (Date.now() - started) / 1000 };
}

/** Holds a TCP port, as another program would. */
function occupy(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

t.test('a database that cannot be reached: one line, the password hidden, exit 1', async (t) => {
  const closed = await freePort();
  const result = await startAndExit(['all'], {
    DATABASE_URL: `postgres://relance:s3cret-pw@127.0.0.1:${closed}/relance`,
    PORT: String(await freePort()),
  });
  t.equal(result.code, 1);
  t.match(
    result.output,
    `relance: cannot reach the database at postgres://relance:***@127.0.0.1:${closed}/relance (DATABASE_URL): nothing listens there`,
  );
  t.notMatch(result.output, 's3cret-pw', 'the password is never printed');
  t.notMatch(result.output, /\n\s+at /, 'no stack trace');
  t.comment(`exited after ${result.seconds.toFixed(1)} s`);
});

t.test('the API port in use: one line naming PORT, and no worker started', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  const port = await freePort();
  const holder = await occupy(port);
  t.teardown(() => holder?.close());
  const result = await startAndExit(['all'], { DATABASE_URL: testDb.url, PORT: String(port), LOG_LEVEL: 'info' });
  t.equal(result.code, 1);
  t.match(
    result.output,
    `relance: the API: port ${port} on 127.0.0.1 is already in use: stop the other program, or set PORT to a free port`,
  );
  t.notMatch(result.output, 'workers started', 'the workers start only once the API listens');
  t.notMatch(result.output, /\n\s+at /);
});

t.test('a database migrated by a newer Relance: one line naming the unknown migration', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  await migrateToLatest(testDb.url);
  const owner = new pg.Client({ connectionString: testDb.url });
  await owner.connect();
  await owner.query(
    "INSERT INTO kysely_migration (name, timestamp) VALUES ('2099-01-01T00-00-00_from_the_future', now())",
  );
  await owner.end();
  const result = await startAndExit(['api'], { DATABASE_URL: testDb.url, PORT: String(await freePort()) });
  t.equal(result.code, 1);
  t.match(
    result.output,
    /relance: the database at postgres:\/\/\S+ was migrated by a newer Relance \(migration 2099-01-01T00-00-00_from_the_future is unknown to this code\)/,
  );
});

t.test('embedded PostgreSQL: a taken port, a named taken port, and a database left running by a crash', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'relance-startup-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const base = { DATABASE_URL: '', RELANCE_DATA_DIR: dataDir, LOG_LEVEL: 'info' };

  // EMBEDDED_POSTGRES_PORT given and taken: an error at once, not a 60 s wait.
  const named = await freePort();
  const holder = await occupy(named);
  t.teardown(() => holder?.close());
  const refused = await startAndExit(['api'], {
    ...base,
    EMBEDDED_POSTGRES_PORT: String(named),
    PORT: String(await freePort()),
  });
  t.equal(refused.code, 1);
  t.match(refused.output, `relance: the embedded PostgreSQL cannot listen on port ${named} (EMBEDDED_POSTGRES_PORT)`);
  t.ok(refused.seconds < 25, `well before pg_ctl's wait (${refused.seconds.toFixed(1)} s, initdb included)`);

  // The default port (54329) taken: another port is picked and said.
  const defaultHolder = await occupy(54329);
  t.teardown(() => defaultHolder?.close());
  const port = await freePort();
  const first = runScript('api/src/main.ts', ['api'], { ...base, PORT: String(port) });
  await waitFor(first.output, (out) => out.includes('Relance is running') || /relance: |Error/.test(out), 90_000);
  t.match(first.output(), 'Relance is running (api)');
  const moved = /the embedded PostgreSQL listens on (\d+) instead/.exec(first.output());
  t.ok(moved, 'the log says which port it took');
  const pgPort = Number(moved?.[1]);
  t.ok(await pgAccepts(pgPort));

  // Killed without a chance to stop its database: PostgreSQL stays up, holding its port.
  first.child.kill('SIGKILL');
  await first.exited;
  t.ok(await pgAccepts(pgPort), 'the crash left PostgreSQL running');

  // The next start finds it through postmaster.pid, reuses it, and stops it when it stops.
  const second = runScript('api/src/main.ts', ['api'], { ...base, PORT: String(port) });
  await waitFor(second.output, (out) => out.includes('Relance is running') || /relance: |Error/.test(out), 60_000);
  t.match(second.output(), 'Relance is running (api)');
  t.match(second.output(), 'was left running by a Relance that stopped without stopping it');
  const account = await fetch(`http://127.0.0.1:${port}/ready`);
  t.equal(account.status, 200);
  second.child.kill('SIGINT');
  t.equal(await second.exited, 0);
  t.notOk(await pgAccepts(pgPort), 'the adopted database is stopped with the process');
});
