import pg from 'pg';
import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

// The send path claims the attempt, calls the provider with no transaction open, then settles.
// Here the provider accepts the email and the settle fails (a trigger refuses it, as a crash or a
// lost connection would at that moment): the reminder stays `sending`, and its retry asks the
// provider again under the same idempotency key with the same bytes, so one email exists.
t.test('provider accepted, settle lost: the retry reuses the key and exactly one email exists', async (t) => {
  const ctx = await setupApp(t);
  const resend = await startResendStandIn({ delayMs: 300 });
  const owner = new pg.Client({ connectionString: ctx.databaseUrl });
  await owner.connect();
  t.teardown(async () => {
    await owner.end();
    await resend.close();
  });
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const services = createServices({
    database: ctx.database,
    clock,
    transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
  });
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    ctx.app.inject({ method, url, headers: acme.auth, payload });
  await call('PATCH', '/v1/account', { sender_email: 'billing@acme.example', sender_name: 'Acme' });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'SC-1',
      customer_id: customer.id,
      subtotal: 100,
      issue_date: '2026-03-01',
      due_date: '2026-03-02',
    })
  ).json();
  const run = () => services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const read = () =>
    ctx.database.withAccount(acme.accountId, async (trx) => ({
      occurrence: await trx
        .selectFrom('reminder_occurrences')
        .select(['id', 'status', 'attempts', 'message_id'])
        .where('invoice_id', '=', invoice.id)
        .where('offset_days', '=', 0)
        .executeTakeFirstOrThrow(),
      messages: await trx
        .selectFrom('messages')
        .select(['id', 'status', 'attempts', 'provider_message_id'])
        .where('invoice_id', '=', invoice.id)
        .execute(),
      sentEvents: await trx.selectFrom('events').select('object_id').where('type', '=', 'reminder.sent').execute(),
    }));

  await owner.query(`
    CREATE FUNCTION refuse_settle() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'settle refused (test)'; END $$;
    CREATE TRIGGER refuse_settle BEFORE UPDATE ON reminder_occurrences
      FOR EACH ROW WHEN (OLD.status = 'sending' AND NEW.status = 'sent') EXECUTE FUNCTION refuse_settle()`);

  clock.set('2026-03-02T10:00:00Z');
  const openTransactions: number[] = [];
  const first = run();
  // While the provider holds the request (300 ms), nothing of Relance's waits in a transaction.
  for (let i = 0; i < 200 && resend.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(resend.requests.length, 1, 'the provider got the email');
  const { rows } = await owner.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`,
  );
  openTransactions.push(rows[0]?.n ?? -1);
  await t.rejects(first, /settle refused/, 'the settle failed after the provider accepted');
  t.same(openTransactions, [0], 'no transaction open during the provider call');

  const lost = await read();
  t.match(lost.occurrence, { status: 'sending', attempts: 1 }, 'the claimed attempt is on the reminder, not settled');
  t.match(
    lost.messages,
    [{ status: 'pending', attempts: 0, provider_message_id: null }],
    'the message waits, unsettled',
  );
  t.equal(resend.emailsAccepted(), 1);

  await owner.query('DROP TRIGGER refuse_settle ON reminder_occurrences; DROP FUNCTION refuse_settle()');
  clock.set('2026-03-02T10:00:30Z');
  await run();
  t.equal(resend.requests.length, 1, 'not retried before its back-off (60 s after one attempt)');
  clock.set('2026-03-02T10:02:00Z');
  await run();

  const settled = await read();
  t.match(settled.occurrence, { status: 'sent', attempts: 2 });
  const emails = resend.requests.filter((r) => r.path === '/emails');
  t.equal(emails.length, 2, 'asked twice');
  t.same(
    new Set(emails.map((r) => r.headers['idempotency-key'])),
    new Set([settled.occurrence.id]),
    'both times under the reminder id',
  );
  t.equal(new Set(emails.map((r) => JSON.stringify(r.body))).size, 1, 'the same stored bytes');
  t.equal(resend.emailsAccepted(), 1, 'exactly one email at the provider');
  t.equal(settled.messages.length, 1, 'one message');
  t.match(settled.messages[0], { status: 'sent', attempts: 1 });
  t.ok(settled.messages[0]?.provider_message_id, 'with the id the provider gave the first time');
  t.equal(settled.sentEvents.filter((e) => e.object_id === settled.occurrence.id).length, 1, 'one reminder.sent');
});

// The same path when PostgreSQL drops every connection while the provider holds the request:
// no transaction was open, so nothing is lost; the settle runs on a new connection.
t.test('every backend terminated during the provider call: the send settles, one email', async (t) => {
  const ctx = await setupApp(t);
  const resend = await startResendStandIn({ delayMs: 300 });
  const owner = new pg.Client({ connectionString: ctx.databaseUrl });
  await owner.connect();
  t.teardown(async () => {
    await owner.end();
    await resend.close();
  });
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const services = createServices({
    database: ctx.database,
    clock,
    transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
  });
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    ctx.app.inject({ method, url, headers: acme.auth, payload });
  await call('PATCH', '/v1/account', { sender_email: 'billing@acme.example' });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'TB-1',
      customer_id: customer.id,
      subtotal: 100,
      issue_date: '2026-03-01',
      due_date: '2026-03-02',
    })
  ).json();

  clock.set('2026-03-02T10:00:00Z');
  const running = services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  for (let i = 0; i < 200 && resend.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const { rows } = await owner.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  t.ok((rows[0]?.n ?? 0) > 0, `terminated ${rows[0]?.n} backends while the provider held the request`);
  await running;

  const occurrence = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('reminder_occurrences')
      .select(['status', 'attempts'])
      .where('invoice_id', '=', invoice.id)
      .where('offset_days', '=', 0)
      .executeTakeFirstOrThrow(),
  );
  t.match(occurrence, { status: 'sent', attempts: 1 }, 'settled on a new connection');
  t.equal(resend.requests.length, 1);
  t.equal(resend.emailsAccepted(), 1);
});
