import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { freePort, pgAccepts, runScript, waitFor } from '../helpers/process.ts';

t.test('npm start with no DATABASE_URL: embedded PostgreSQL, demo account, clean shutdown', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'relance-start-'));
  const pgPort = await freePort();
  const port = await freePort();
  const env = {
    DATABASE_URL: '',
    RELANCE_DATA_DIR: dataDir,
    EMBEDDED_POSTGRES_PORT: String(pgPort),
    PORT: String(port),
  };
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = runScript('api/src/main.ts', [], env);
  await waitFor(first.output, (out) => /rk_test_[\w-]{32}/.test(out) || /Error/.test(out), 90_000);
  const secret = /(rk_test_[\w-]{32})/.exec(first.output())?.[1];
  t.ok(secret, 'the demo key is printed');
  t.match(first.output(), `http://127.0.0.1:${port}/docs`);
  t.ok(existsSync(path.join(dataDir, 'pg', 'PG_VERSION')), 'data lives under RELANCE_DATA_DIR');

  const base = `http://127.0.0.1:${port}`;
  // Real time: a reference rate the shipped data lacks shows as a warning, never as not ready.
  t.match(await (await fetch(`${base}/ready`)).json(), { status: 'ready', warnings: Array });
  const account = (await (
    await fetch(`${base}/v1/account`, { headers: { authorization: `Bearer ${secret}` } })
  ).json()) as { name: string; mode: string };
  t.equal(account.mode, 'test', 'the demo account is in test mode');
  t.equal(account.name, 'Demo company');
  t.ok((await fetch(`${base}/docs`)).ok, 'Swagger UI is served');
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string };
  t.equal(openapi.openapi, '3.1.0');

  first.child.kill('SIGINT');
  t.equal(await first.exited, 0, 'exits cleanly on Ctrl-C');
  t.notOk(await pgAccepts(pgPort), 'the embedded database stopped after the app');

  const second = runScript('api/src/main.ts', ['api'], env);
  await waitFor(second.output, (out) => out.includes('Relance is running') || /Error/.test(out), 60_000);
  t.notMatch(second.output(), /rk_test_/, 'no second demo account');
  const again = await fetch(`${base}/v1/account`, { headers: { authorization: `Bearer ${secret}` } });
  t.equal(again.status, 200, 'data persisted across restarts');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
  t.notOk(await pgAccepts(pgPort));
});
