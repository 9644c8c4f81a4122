import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('recipients: no address, a suppressed address, a suppressed copy', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-10T06:00:00Z');
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const invoiceFor = async (customer: { id: string }, n: number) =>
    (
      await call('POST', '/v1/invoices', {
        number: `R-${n}`,
        customer_id: customer.id,
        subtotal: 100,
        issue_date: '2026-03-01',
        due_date: '2026-03-10',
      })
    ).json();

  const silent = (await call('POST', '/v1/customers', { name: 'No email' })).json();
  const bounced = (await call('POST', '/v1/customers', { name: 'Bounced', email: 'gone@example.com' })).json();
  const copied = (
    await call('POST', '/v1/customers', {
      name: 'Copied',
      email: 'ok@example.com',
      cc_emails: ['Gone@Example.com', 'boss@example.com'],
    })
  ).json();
  const [a, b, c] = [await invoiceFor(silent, 1), await invoiceFor(bounced, 2), await invoiceFor(copied, 3)];
  await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .insertInto('email_suppressions')
      .values({ account_id: acme.accountId, email: 'gone@example.com', reason: 'bounced', created_at: clock.now() })
      .execute(),
  );

  clock.set('2026-03-10T12:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const due = async (invoice: { id: string }) =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('reminder_occurrences')
        .select(['status', 'skip_reason'])
        .where('invoice_id', '=', invoice.id)
        .where('offset_days', '=', 0)
        .executeTakeFirstOrThrow(),
    );
  t.same(await due(a), { status: 'skipped', skip_reason: 'no_recipient' });
  t.same(await due(b), { status: 'skipped', skip_reason: 'suppressed' });
  t.same(await due(c), { status: 'sent', skip_reason: null });
  const messages = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('messages').select(['invoice_id', 'to_addresses', 'cc_addresses']).execute(),
  );
  t.same(
    messages,
    [{ invoice_id: c.id, to_addresses: ['ok@example.com'], cc_addresses: ['boss@example.com'] }],
    'the suppressed copy is dropped, the rest goes',
  );
});
