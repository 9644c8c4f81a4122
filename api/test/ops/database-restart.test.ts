import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createDatabase } from '../../src/store/database.ts';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

// The embedded PostgreSQL is stopped and started again while clients write: the API process
// lives on, answers 503 while the database is away, and serves again within seconds of its return.
t.test('the database restarts under write load', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'relance-restart-'));
  const port = await freePort();
  let embedded = await startEmbeddedPostgres({ dataDir, port, portSet: true });
  t.teardown(async () => {
    await embedded.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  await migrateToLatest(embedded.url);
  const database = createDatabase(embedded.url, { max: 10 });
  const app = await buildApp({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_PER_MINUTE: '100000' }),
    database,
    clock: new ManualClock('2026-03-02T09:00:00Z'),
  });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await database.close();
  });
  const { account, api_key } = await app.services.accounts.create({ name: 'Acme' });
  const auth = { authorization: `Bearer ${api_key.secret}` };
  const create = (i: number) =>
    app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { ...auth, 'idempotency-key': `c-${i}` },
      payload: { name: `C ${i}`, external_id: `e-${i}` },
    });

  let next = 0;
  let running = true;
  const answers: Array<{ i: number; status: number; at: number; code?: string }> = [];
  const clients = Array.from({ length: 4 }, async () => {
    while (running) {
      const i = next++;
      const res = await create(i);
      answers.push({
        i,
        status: res.statusCode,
        at: Date.now(),
        code: res.statusCode >= 400 ? res.json().code : undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  await new Promise((resolve) => setTimeout(resolve, 800));
  const stoppedAt = Date.now();
  await embedded.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  embedded = await startEmbeddedPostgres({ dataDir, port, portSet: true });
  const backAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  running = false;
  await Promise.all(clients);

  const byStatus = Object.fromEntries([...Map.groupBy(answers, (a) => a.status)].map(([s, list]) => [s, list.length]));
  t.comment(`answers: ${JSON.stringify(byStatus)}; database away ${backAt - stoppedAt} ms`);
  t.ok(
    answers.every((a) => a.status === 201 || (a.status === 503 && a.code === 'database/unavailable')),
    'every request got 201 or 503 database/unavailable',
  );
  t.ok(
    answers.some((a) => a.status === 503),
    'requests met the stopped database',
  );
  const firstOkAfter = answers.find((a) => a.at > backAt && a.status === 201);
  t.ok(firstOkAfter, 'service resumed');
  t.ok(
    firstOkAfter && firstOkAfter.at - backAt < 5_000,
    `within seconds (${firstOkAfter ? firstOkAfter.at - backAt : '-'} ms)`,
  );

  // Retried with their keys, the refused ones go through; nothing is there twice.
  for (const a of answers.filter((x) => x.status === 503)) {
    let res = await create(a.i);
    for (let tries = 0; res.statusCode === 409 && res.json().code === 'idempotency/in_progress' && tries < 3; tries++) {
      res = await app.inject({
        method: 'POST',
        url: '/v1/customers',
        headers: auth,
        payload: { name: `C ${a.i}`, external_id: `e-${a.i}` },
      });
    }
    t.ok(
      [200, 201].includes(res.statusCode) || res.json().code === 'customer/external_id_taken',
      `retry of ${a.i}: ${res.statusCode}`,
    );
  }
  const count = await database.withAccount(account.id, (trx) =>
    trx
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  t.equal(Number(count.n), answers.length, 'one customer per request: none lost, none twice');
});
