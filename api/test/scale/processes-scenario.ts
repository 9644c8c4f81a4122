import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';
import { systemClock } from '../../src/clock.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { ADMIN_URL, createTestDatabase, urlFor } from '../helpers/database.ts';
import { freePort, middayZone, runScript, waitFor } from '../helpers/process.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

/**
 * Real child processes (`main.ts api` and `main.ts worker`) on one database, as production runs
 * them: reminders due at once for live accounts (sent through the real Resend SDK to a stand-in),
 * a test account moved by its test clock through either API process, and webhooks to two
 * endpoints per account. Every reminder leaves once, every event reaches each endpoint once.
 */

const LIVE_ACCOUNTS = 3;
const INVOICES_PER_ACCOUNT = 12;

export interface Scenario {
  apis: number;
  workers: number;
  /** pg-boss in a database of its own (QUEUE_DATABASE_URL). */
  separateQueue: boolean;
}

async function emptyDatabase(t: Test): Promise<string> {
  const name = `relance_queue_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });
  return urlFor(name);
}

/** Starts the processes, runs the scenario and checks its outcome (the two scale tests share it). */
export async function runProcessesScenario(t: Test, scenario: Scenario) {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  const queueUrl = scenario.separateQueue ? await emptyDatabase(t) : undefined;
  const database = createDatabase(testDb.url, { max: 4 });
  t.teardown(() => database.close());
  const services = createServices({ database, clock: systemClock });
  const resend = await startResendStandIn({ delayMs: 20 });
  t.teardown(() => resend.close());
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());

  const env = {
    DATABASE_URL: testDb.url,
    ...(queueUrl && { QUEUE_DATABASE_URL: queueUrl }),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '4',
    RESEND_API_KEY: 're_test_many_processes',
    RESEND_BASE_URL: resend.url,
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  };
  const children: Array<ReturnType<typeof runScript>> = [];
  t.teardown(async () => {
    for (const child of children) child.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
  });
  const apis: string[] = [];
  for (let i = 0; i < scenario.apis; i++) {
    const port = await freePort();
    children.push(runScript('api/src/main.ts', ['api'], { ...env, PORT: String(port) }));
    apis.push(`http://127.0.0.1:${port}`);
  }
  for (let i = 0; i < scenario.workers; i++) children.push(runScript('api/src/main.ts', ['worker'], env));
  await Promise.all(
    children.map((c) =>
      waitFor(c.output, (out) => out.includes('Relance is running') || /Error|error/.test(out), 300_000),
    ),
  );
  for (const c of children) t.match(c.output(), 'Relance is running', 'each process started');

  // Requests alternate between the API processes, as a load balancer would spread them.
  let turn = 0;
  const call = async (key: string, method: string, path: string, body?: object) => {
    const base = apis[turn++ % apis.length];
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body && { 'content-type': 'application/json' }) },
      ...(body && { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as any;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  const accounts: Array<{ id: string; key: string; mode: 'live' | 'test'; endpointsAt: Date }> = [];
  for (let i = 0; i <= LIVE_ACCOUNTS; i++) {
    const mode = i < LIVE_ACCOUNTS ? 'live' : 'test';
    // Live accounts send on real time: about noon in their zone, weekends included, so their
    // reminders are within the send window whenever the test runs.
    const { account, api_key } = await services.accounts.create({
      name: `Company ${i}`,
      time_zone: mode === 'live' ? middayZone() : 'Europe/Paris',
      mode,
    });
    if (mode === 'live') {
      const [policy] = (await call(api_key.secret, 'GET', '/v1/reminder_policies')).data;
      await call(api_key.secret, 'PATCH', `/v1/reminder_policies/${policy.id}`, { skip_weekends: false });
    }
    for (const n of [1, 2]) {
      await call(api_key.secret, 'POST', '/v1/webhook_endpoints', {
        url: `${receiver.url}/${account.id}/${n}`,
        enabled_events: ['*'],
      });
    }
    accounts.push({ id: account.id, key: api_key.secret, mode, endpointsAt: new Date() });
  }

  // Live accounts: invoices overdue by 3 to 40 days, so reminders are due now.
  const today = new Date();
  const dayOffset = (days: number) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  for (const account of accounts) {
    for (let n = 0; n < INVOICES_PER_ACCOUNT; n++) {
      const customer = await call(account.key, 'POST', '/v1/customers', {
        name: `Client ${n}`,
        email: `client${n}@company${accounts.indexOf(account)}.example`,
      });
      const due = account.mode === 'live' ? dayOffset(-3 - 3 * n) : dayOffset(10 + n);
      await call(account.key, 'POST', '/v1/invoices', {
        number: `F-${n}`,
        customer_id: customer.id,
        subtotal: 10_000 + n,
        issue_date: dayOffset(-60),
        due_date: due,
      });
    }
  }
  const sandbox = accounts.find((a) => a.mode === 'test')!;
  // The test clock moves twice, once through each API process, while the workers run.
  await call(sandbox.key, 'POST', '/v1/test_clock/advance', {
    to: new Date(today.getTime() + 30 * 86_400_000).toISOString(),
  });
  await call(sandbox.key, 'POST', '/v1/test_clock/advance', {
    to: new Date(today.getTime() + 90 * 86_400_000).toISOString(),
  });

  // Settled: no live reminder left to send that is due, every event dispatched, no delivery pending.
  const settled = async () =>
    database.withSystem(async (trx) => {
      const pending = await trx
        .selectFrom('reminder_occurrences as o')
        .innerJoin('accounts as a', 'a.id', 'o.account_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('a.mode', '=', 'live')
        .where('o.status', 'in', ['scheduled', 'sending'])
        .where('o.scheduled_at', '<=', new Date())
        .executeTakeFirstOrThrow();
      const undispatched = await trx
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dispatched', '=', false)
        .executeTakeFirstOrThrow();
      const deliveries = await trx
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(pending.n) + Number(undispatched.n) + Number(deliveries.n);
    });
  const until = Date.now() + 300_000;
  while ((await settled()) > 0) {
    if (Date.now() > until)
      throw new Error(`not settled: ${await settled()} items left\n${children.map((c) => c.output()).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // A moment more: a duplicate, if any, would arrive now.
  await new Promise((resolve) => setTimeout(resolve, 3000));

  const rows = await database.withSystem(async (trx) => ({
    occurrences: await trx
      .selectFrom('reminder_occurrences')
      .select(['account_id', 'id', 'status', 'channel', 'scheduled_at'])
      .execute(),
    messages: await trx.selectFrom('messages').select(['account_id', 'occurrence_id', 'status', 'transport']).execute(),
    events: await trx.selectFrom('events').select(['account_id', 'id', 'created_at']).execute(),
    deliveries: await trx
      .selectFrom('webhook_deliveries')
      .select(['account_id', 'endpoint_id', 'event_id', 'status'])
      .execute(),
  }));

  // Reminders: each leaves once.
  const live = new Set(accounts.filter((a) => a.mode === 'live').map((a) => a.id));
  const sentLive = rows.occurrences.filter(
    (o) => live.has(o.account_id) && o.status === 'sent' && o.channel === 'email',
  );
  t.ok(
    sentLive.length >= LIVE_ACCOUNTS * INVOICES_PER_ACCOUNT,
    `every overdue live invoice got its email (${sentLive.length} sent)`,
  );
  const messagesPerOccurrence = Map.groupBy(rows.messages, (m) => m.occurrence_id);
  t.equal([...messagesPerOccurrence.values()].filter((m) => m.length > 1).length, 0, 'no reminder has two messages');
  const requests = resend.requests.filter((r) => r.method === 'POST');
  const keys = requests.map((r) => String(r.headers['idempotency-key'] ?? r.path));
  t.equal(resend.emailsAccepted(), sentLive.length, 'the provider accepted exactly one email per sent live reminder');
  t.equal(new Set(keys).size, keys.length, 'no email was offered to the provider twice');
  const sandboxSent = rows.occurrences.filter((o) => o.account_id === sandbox.id && o.status === 'sent');
  const sandboxMessages = rows.messages.filter((m) => m.account_id === sandbox.id);
  t.ok(
    sandboxSent.length > INVOICES_PER_ACCOUNT,
    `the test clock sent the sandbox's reminders (${sandboxSent.length})`,
  );
  t.ok(
    sandboxMessages.every((m) => m.transport === 'outbox'),
    'through the outbox only',
  );

  // Webhooks: every event once per endpoint.
  const endpointsOf = (accountId: string) => [1, 2].map((n) => `/${accountId}/${n}`);
  let duplicates = 0;
  let missing = 0;
  for (const account of accounts) {
    // Events recorded once both endpoints existed must reach both.
    const events = new Set(
      rows.events.filter((e) => e.account_id === account.id && e.created_at > account.endpointsAt).map((e) => e.id),
    );
    for (const path of endpointsOf(account.id)) {
      const ids = receiver.received.filter((r) => r.path === path).map((r) => r.headers['webhook-id']);
      duplicates += ids.length - new Set(ids).size;
      missing += [...events].filter((id) => !ids.includes(id)).length;
    }
  }
  t.ok(rows.events.length > 200, `events to deliver: ${rows.events.length}`);
  t.equal(missing, 0, 'every event reached every endpoint of its account');
  t.equal(duplicates, 0, 'and none twice');
  t.equal(receiver.received.length, rows.deliveries.length, 'one request per delivery');
  t.ok(rows.deliveries.every((d) => d.status === 'succeeded'));

  // The queue's tables live where they were told to.
  const schemaIn = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rowCount } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'`);
    const jobs = rowCount
      ? (
          await client.query(
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('reminders.send', 'webhooks.deliver')`,
          )
        ).rows[0].n
      : 0;
    await client.end();
    return { schema: Boolean(rowCount), jobs };
  };
  if (queueUrl) {
    t.same(await schemaIn(testDb.url), { schema: false, jobs: 0 }, 'no pg-boss schema in the domain database');
    t.ok((await schemaIn(queueUrl)).jobs > 0, 'the jobs went to the queue database');
  } else {
    t.ok((await schemaIn(testDb.url)).jobs > 0, 'the jobs live in the domain database');
  }
  return { children };
}
