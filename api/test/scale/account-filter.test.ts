import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createDatabase, type StatementScope } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

/**
 * Under Citus, a statement that does not say which account it is about goes to every shard;
 * row-level security narrows the rows but not the shards. This test records every statement the
 * service sends during a tour of its API (REST and GraphQL), the test clock, the reminder
 * workers and webhook delivery, and checks that each one a tenant transaction (or a
 * one-statement path) sends to a tenant table names the account explicitly: `account_id = $n`
 * (or `IN`/`ANY`) in a filter, or `account_id` among an INSERT's columns. Statements of the
 * system role (the workers' scans across accounts) fan out by design: they are counted and
 * listed in docs/scaling.md, not failed.
 *
 * The statements that still rely on row-level security alone are listed in
 * `account-filter.baseline.json`: one that is not listed fails the test (a new query must name its
 * account), and fixing a listed one means deleting its line. `RELANCE_ACCOUNT_FILTER_BASELINE=write`
 * rewrites the list from this run.
 */
const BASELINE = new URL('./account-filter.baseline.json', import.meta.url);

/** The tenant tables (they carry account_id), read from the catalog. */
async function tenantTables(url: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND (c.relname = 'accounts' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id'))`);
  await client.end();
  return new Set(rows.map((r) => r.name));
}

const TABLE_REF = /\b(?:from|join|update|into)\s+(?:only\s+)?"?(?:public"?\."?)?([a-z_]+)"?/gi;
/** `account_id` (or `accounts.id`) compared with a parameter, a literal id or a list of them. */
const ACCOUNT_FILTER = /(?:"?\w+"?\.)?"?account_id"?\s*(?:=|in\b|=\s*any\b)\s*\(?\s*(?:\$\d+|'acct_)/i;
const ACCOUNTS_BY_ID =
  /\bfrom\s+"?accounts"?(?:\s+(?:as\s+)?"?\w+"?)?\s+where\s+(?:"?\w+"?\.)?"?id"?\s*(?:=|in\b)\s*\(?\s*\$\d+/i;
/** `update accounts set … where id = $n`: the account's own row, named by its key. */
const UPDATE_ACCOUNTS_BY_ID = /^\s*update\s+"?accounts"?\s+set\b[\s\S]*?\bwhere\s+(?:"?\w+"?\.)?"?id"?\s*=\s*\$\d+/i;
const INSERT_COLUMNS = /^\s*(?:with\b[\s\S]*?\)\s*)?insert\s+into\s+"?[a-z_]+"?\s*\(([^)]*)\)/i;

/** One line per statement shape: lists of parameters (their length varies with the data) and their numbers folded. */
function normalize(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\$\d+(?:, \$\d+)*/g, '$?');
}

export function tablesOf(text: string, tenant: Set<string>): string[] {
  return [...new Set([...text.matchAll(TABLE_REF)].map((m) => m[1]!.toLowerCase()).filter((name) => tenant.has(name)))];
}

export function namesTheAccount(text: string): boolean {
  if (ACCOUNT_FILTER.test(text) || ACCOUNTS_BY_ID.test(text) || UPDATE_ACCOUNTS_BY_ID.test(text)) return true;
  const insert = INSERT_COLUMNS.exec(text);
  return Boolean(
    insert &&
      /"?account_id"?/.test(insert[1]!) &&
      !/\b(?:update|delete|select\b[\s\S]*\bfrom)\b/i.test(
        text.slice(insert.index + insert[0].length).replace(/\bon conflict\b[\s\S]*$/i, ''),
      ),
  );
}

t.test('every tenant statement names its account', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  const statements = new Map<string, { scope: StatementScope; count: number }>();
  const database = createDatabase(testDb.url, {
    max: 10,
    onStatement(text, scope) {
      const key = `${scope}\u0000${text}`;
      const seen = statements.get(key);
      if (seen) seen.count++;
      else statements.set(key, { scope, count: 1 });
    },
  });
  t.teardown(() => database.close());
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const app = await buildApp({
    config: loadConfig({ NODE_ENV: 'test', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }),
    database,
    clock,
  });
  t.teardown(() => app.close());
  const worker = await startWorker({
    databaseUrl: testDb.url,
    database,
    services: app.services,
    clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());

  const tour = async (mode: 'live' | 'test') => {
    const { api_key } = await app.services.accounts.create({ name: `Tour ${mode}`, time_zone: 'Europe/Paris', mode });
    const headers = { authorization: `Bearer ${api_key.secret}` };
    const call = async (method: string, url: string, payload?: object) => {
      const response = await app.inject({ method: method as 'GET', url, headers, ...(payload && { payload }) });
      t.ok(
        response.statusCode < 400,
        `${method} ${url}: ${response.statusCode} ${response.statusCode >= 400 ? response.body : ''}`,
      );
      return response.json();
    };
    await call('GET', '/v1/account');
    await call('PATCH', '/v1/account', { reply_to: 'billing@tour.example' });
    await call('GET', '/v1/api_keys');
    await call('POST', '/v1/webhook_endpoints', { url: `${receiver.url}/${mode}`, enabled_events: ['*'] });
    await call('GET', '/v1/webhook_endpoints');
    await call('GET', '/v1/payment_terms');
    const customer = await call('POST', '/v1/customers', {
      name: 'Client',
      email: 'client@tour.example',
      external_id: 'C-1',
    });
    await call('GET', `/v1/customers/${customer.id}`);
    await call('PATCH', `/v1/customers/${customer.id}`, { name: 'Client SA' });
    await call('GET', '/v1/customers?limit=10');
    const invoices = [];
    for (let i = 0; i < 3; i++) {
      invoices.push(
        await call('POST', '/v1/invoices', {
          number: `T-${i}`,
          customer_id: customer.id,
          subtotal: 12_000 + i,
          issue_date: '2026-01-02',
          due_date: `2026-02-0${i + 1}`,
        }),
      );
    }
    const [first, second, third] = invoices;
    await call('GET', `/v1/invoices/${first.id}`);
    await call('GET', '/v1/invoices?limit=10&status=open');
    await call('GET', `/v1/invoices/${first.id}/timeline`);
    await call('POST', '/v1/payments', {
      customer_id: customer.id,
      amount: 5000,
      currency: 'EUR',
      received_on: '2026-03-01',
      method: 'transfer',
      allocations: [{ invoice_id: first.id, amount: 5000 }],
    });
    await call('GET', '/v1/payments');
    await call('POST', `/v1/invoices/${second.id}/disputes`, { reason: 'Wrong amount' });
    await call('GET', '/v1/disputes');
    await call('POST', `/v1/invoices/${third.id}/promise`, { date: '2026-03-20' });
    await call('POST', `/v1/customers/${customer.id}/pause`, { until: '2026-03-10' });
    await call('POST', `/v1/customers/${customer.id}/resume`);
    await call('GET', '/v1/reminder_policies');
    await call('GET', '/v1/templates');
    await call('GET', '/v1/tasks');
    await call('GET', '/v1/messages');
    await call('GET', '/v1/events?limit=20');
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers,
      payload: { query: '{ invoices(first: 5) { edges { node { id number customer { name } } } } }' },
    });
    if (mode === 'test') await call('POST', '/v1/test_clock/advance', { to: '2026-05-01T12:00:00Z' });
  };
  await tour('live');
  await tour('test');
  // The workers: the tick plans and sends the live account's reminders, webhooks leave.
  await worker.tick();
  for (let i = 0; i < 50 && (await worker.dispatchWebhooks()) > 0; i++);
  await receiver.waitFor(10, 30_000).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const tenant = await tenantTables(testDb.url);
  const offenders: string[] = [];
  let checked = 0;
  let system = 0;
  for (const [key, { scope }] of statements) {
    const text = key.slice(key.indexOf('\u0000') + 1);
    if (tablesOf(text, tenant).length === 0) continue;
    if (scope === 'system') {
      system++;
      continue;
    }
    checked++;
    if (!namesTheAccount(text)) offenders.push(`[${scope}] ${normalize(text)}`);
  }
  offenders.splice(0, offenders.length, ...[...new Set(offenders)].sort());
  t.comment(`tenant statements checked: ${checked}; system statements (cross-account by design): ${system}`);
  t.ok(checked > 50, 'the tour sent many distinct tenant statements');
  if (process.env.RELANCE_ACCOUNT_FILTER_BASELINE === 'write')
    writeFileSync(BASELINE, `${JSON.stringify(offenders, null, 2)}\n`);
  const known = new Set<string>(existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : []);
  t.same(
    offenders.filter((o) => !known.has(o)),
    [],
    'every tenant statement filters on account_id, or is a known one still to fix',
  );
  const fixed = [...known].filter((o) => !offenders.includes(o));
  if (fixed.length > 0) t.comment(`no longer sent (fixed or moved; delete from the baseline): ${fixed.length}`);
  t.comment(`tenant statements that still rely on row-level security alone: ${offenders.length} of ${checked}`);
});
