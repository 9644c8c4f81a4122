import pg from 'pg';
import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { recordEvent } from '../../src/domain/outbox/index.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// Erasure: a debtor's personal data goes, in one transaction and for good; what accounting law
// keeps (invoices, payments, fees, when reminders were sent) stays. Message bodies past their
// retention are purged by the workers' job.

t.test("a customer's personal data is erased, its accounts are kept", async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  await call(acme, 'PATCH', '/v1/account', { sender_email: 'billing@acme.example' });
  const personal = {
    name: 'Jean Dupont',
    email: 'jean.dupont@example.fr',
    cc_emails: ['compta.dupont@example.fr'],
    contact_name: 'Jean',
    phone: '+33 6 12 34 56 78',
    mobile: '06 98 76 54 32',
    external_id: 'shop-jean',
    legal_name: 'DUPONT JEAN EI',
    billing_address: { line1: '12 rue des Lilas', postal_code: '69003', city: 'Lyon', country: 'FR' },
    metadata: { crm: 'jean-dupont' },
  };
  const customer = (await call(acme, 'POST', '/v1/customers', personal)).json();
  const keeper = (await call(acme, 'POST', '/v1/customers', { name: 'Kept SARL', email: 'kept@example.fr' })).json();
  const invoice = (
    await call(acme, 'POST', '/v1/invoices', {
      number: 'F-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 50_000,
      issue_date: '2026-02-01',
      due_date: '2026-03-01',
    })
  ).json();
  const kept = (
    await call(acme, 'POST', '/v1/invoices', {
      number: 'F-2',
      customer_id: keeper.id,
      currency: 'EUR',
      subtotal: 20_000,
      issue_date: '2026-02-01',
      due_date: '2026-03-01',
    })
  ).json();
  await call(acme, 'POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 10_000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [{ invoice_id: invoice.id, amount: 10_000 }],
  });
  // The due-day reminder goes out: a message with the customer's words and addresses.
  clock.set('2026-03-02T09:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  await call(acme, 'POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'Amount', note: 'Jean says he paid' });
  await call(acme, 'PATCH', `/v1/customers/${customer.id}`, { contact_name: 'Jean D.' });
  const messagesBefore = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('messages').select(['customer_id', 'to_addresses']).execute(),
  );
  t.ok(
    messagesBefore.some((m) => m.customer_id === customer.id && m.to_addresses.includes(personal.email)),
    'a reminder was sent to the customer',
  );

  // The customer had answered STOP to a text: its number is suppressed, and an event says so.
  t.equal(customer.mobile, '+33698765432');
  await ctx.database.withAccount(acme.accountId, async (trx) => {
    await trx
      .insertInto('phone_suppressions')
      .values({ account_id: acme.accountId, phone: customer.mobile, reason: 'stop', created_at: clock.now() })
      .execute();
    await recordEvent(trx, {
      accountId: acme.accountId,
      type: 'phone_suppression.created',
      objectType: 'phone_suppression',
      objectId: customer.mobile,
      data: { object: 'phone_suppression', phone: customer.mobile, reason: 'stop', message_id: null },
      at: clock.now(),
    });
  });

  const erased = await call(acme, 'POST', `/v1/customers/${customer.id}/anonymize`);
  t.equal(erased.statusCode, 200, erased.body);
  t.match(erased.json(), {
    id: customer.id,
    name: 'Erased customer',
    email: null,
    cc_emails: [],
    contact_name: null,
    phone: null,
    mobile: null,
    external_id: null,
    legal_name: null,
    billing_address: null,
    metadata: {},
    erased_at: '2026-03-02T09:00:00.000Z',
  });

  // Nothing personal is left anywhere in the account's rows.
  const dump = await ctx.database.withAccount(acme.accountId, async (trx) =>
    JSON.stringify({
      customers: await trx.selectFrom('customers').selectAll().where('id', '=', customer.id).execute(),
      messages: await trx.selectFrom('messages').selectAll().where('customer_id', '=', customer.id).execute(),
      events: await trx.selectFrom('events').select(['data', 'object_id']).execute(),
      phoneSuppressions: await trx.selectFrom('phone_suppressions').selectAll().execute(),
      tasks: await trx.selectFrom('tasks').selectAll().where('customer_id', '=', customer.id).execute(),
      disputes: await trx.selectFrom('disputes').selectAll().where('invoice_id', '=', invoice.id).execute(),
      suppressions: await trx.selectFrom('email_suppressions').selectAll().execute(),
    }),
  );
  for (const value of [
    'Jean Dupont',
    'jean.dupont@example.fr',
    'compta.dupont',
    '12 34 56 78',
    '698765432',
    'Lilas',
    'jean-dupont',
    'shop-jean',
    'Jean says',
    'Jean D.',
  ])
    t.notMatch(dump, value, `no trace of '${value}'`);

  // Accounting stays: the invoice, its amounts, the payment, the record of what was sent.
  t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
    number: 'F-1',
    total: 50_000,
    amount_paid: 10_000,
    customer_id: customer.id,
  });
  t.equal((await call(acme, 'GET', `/v1/payments?customer_id=${customer.id}`)).json().data.length, 1);
  const sent = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('messages')
      .select(['status', 'sent_at', 'subject', 'body_purged_at'])
      .where('customer_id', '=', customer.id)
      .execute(),
  );
  t.ok(sent.length > 0 && sent.every((m) => m.status === 'sent' && m.sent_at && m.subject === '' && m.body_purged_at));
  const pending = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('reminder_occurrences')
      .select(['status', 'skip_reason'])
      .where('invoice_id', '=', invoice.id)
      .where('status', 'in', ['scheduled', 'held'])
      .execute(),
  );
  t.same(pending, [], 'no reminder left to send');
  const skipped = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('reminder_occurrences')
      .select('id')
      .where('invoice_id', '=', invoice.id)
      .where('skip_reason', '=', 'erased')
      .execute(),
  );
  t.ok(skipped.length > 0, 'its pending reminders were skipped as erased');

  const events = (await call(acme, 'GET', `/v1/events?object_id=${customer.id}`)).json().data;
  t.same(
    events.map((e: { type: string }) => e.type),
    ['customer.anonymized', 'customer.updated', 'customer.created'],
  );
  t.ok(
    events.every((e: { data: { name: string } }) => e.data.name === 'Erased customer'),
    'earlier events too',
  );

  // The other customer and the other tenant are untouched.
  t.match((await call(acme, 'GET', `/v1/customers/${keeper.id}`)).json(), { name: 'Kept SARL', erased_at: null });
  t.equal((await call(acme, 'GET', `/v1/invoices/${kept.id}`)).json().number, 'F-2');
  t.equal((await call(other, 'POST', `/v1/customers/${keeper.id}/anonymize`)).statusCode, 404);
  t.equal((await call(acme, 'GET', `/v1/customers/${keeper.id}`)).json().name, 'Kept SARL');

  // Again: the same answer, no second event.
  const again = await call(acme, 'POST', `/v1/customers/${customer.id}/anonymize`);
  t.equal(again.statusCode, 200);
  t.same(again.json(), erased.json());
  t.equal(
    (await call(acme, 'GET', `/v1/events?object_id=${customer.id}&type=customer.anonymized`)).json().data.length,
    1,
  );

  // GraphQL.
  const gql = graphqlClient(ctx, acme.auth);
  const viaGraphql = await gql(`mutation { anonymizeCustomer(id: "${keeper.id}") { name email erasedAt } }`);
  t.same((viaGraphql.data as { anonymizeCustomer: unknown }).anonymizeCustomer, {
    name: 'Erased customer',
    email: null,
    erasedAt: '2026-03-02T09:00:00.000Z',
  });
});

t.test('message bodies past their retention are purged, their facts kept', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2024-01-10T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  await call('PATCH', '/v1/account', { sender_email: 'billing@acme.example' });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  const invoiceDue = async (number: string, due: string) =>
    call('POST', '/v1/invoices', {
      number,
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 100,
      issue_date: '2024-01-01',
      due_date: due,
    });
  await invoiceDue('OLD-1', '2024-01-10');
  clock.set('2024-01-10T10:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  clock.set('2026-01-20T08:00:00Z');
  await invoiceDue('NEW-1', '2026-01-20');
  clock.set('2026-01-20T10:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const messages = () =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('messages')
        .select(['created_at', 'subject', 'text', 'status', 'sent_at'])
        .orderBy('created_at')
        .execute(),
    );
  const before = await messages();
  t.ok(before.length >= 2 && before.every((m) => m.subject !== ''), 'two messages with their words');

  t.equal(
    await ctx.services.erasure.purgeMessageBodies(24),
    before.filter((m) => m.created_at < new Date('2024-01-20T10:00:00Z')).length,
  );
  const after = await messages();
  const old = after.filter((m) => m.created_at < new Date('2025-01-01'));
  const recent = after.filter((m) => m.created_at >= new Date('2025-01-01'));
  t.ok(
    old.length > 0 && old.every((m) => m.subject === '' && m.text === '' && m.status === 'sent' && m.sent_at),
    'older than 24 months: facts only',
  );
  t.ok(recent.length > 0 && recent.every((m) => m.subject !== ''), 'recent ones keep their words');
  t.equal(await ctx.services.erasure.purgeMessageBodies(24), 0, 'a second run has nothing to do');
});

t.test('an erasure that fails half-way leaves nothing half-erased', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  await call('PATCH', '/v1/account', { sender_email: 'billing@acme.example' });
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Jean Dupont',
      email: 'jean.dupont@example.fr',
      mobile: '+33698765432',
    })
  ).json();
  await call('POST', '/v1/invoices', {
    number: 'F-1',
    customer_id: customer.id,
    currency: 'EUR',
    subtotal: 50_000,
    issue_date: '2026-02-01',
    due_date: '2026-03-01',
  });
  clock.set('2026-03-02T09:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const snapshot = () =>
    ctx.database.withAccount(acme.accountId, async (trx) =>
      JSON.stringify({
        customer: await trx.selectFrom('customers').selectAll().where('id', '=', customer.id).execute(),
        messages: await trx.selectFrom('messages').selectAll().where('customer_id', '=', customer.id).execute(),
        events: await trx.selectFrom('events').select(['id', 'data']).orderBy('id').execute(),
        occurrences: await trx.selectFrom('reminder_occurrences').select(['id', 'status']).orderBy('id').execute(),
      }),
    );
  const before = await snapshot();
  t.match(before, 'jean.dupont@example.fr', 'a message went to the customer');

  // The database refuses the erasure's step on messages, after the customer row was already erased
  // in the same transaction (an operator's trigger, standing for any failure mid-way).
  const owner = new pg.Client({ connectionString: ctx.databaseUrl });
  await owner.connect();
  t.teardown(() => owner.end());
  await owner.query(`
    CREATE FUNCTION refuse_purge() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.body_purged_at IS NOT NULL AND OLD.body_purged_at IS NULL THEN
        RAISE EXCEPTION 'refused for the test';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_purge BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION refuse_purge();`);
  const failed = await call('POST', `/v1/customers/${customer.id}/anonymize`);
  t.equal(failed.statusCode, 500);
  t.match(failed.headers['content-type'], /application\/problem\+json/);
  t.equal(await snapshot(), before, 'the customer, its messages, events and reminders are as they were');
  t.equal((await call('GET', `/v1/customers/${customer.id}`)).json().erased_at, null);

  await owner.query('DROP TRIGGER refuse_purge ON messages');
  const erased = await call('POST', `/v1/customers/${customer.id}/anonymize`);
  t.equal(erased.statusCode, 200, erased.body);
  t.notMatch(await snapshot(), 'jean.dupont@example.fr', 'erased once the database lets it');
});
