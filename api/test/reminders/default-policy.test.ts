import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

const HOUR = 3600_000;

t.test('the default policy played hour by hour over 45 days, Europe/Paris, weekends skipped', async (t) => {
  const ctx = await setupApp(t, {});
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T00:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: acme.auth, payload });
  const customer = (
    await post('/v1/customers', {
      name: 'Dupont SARL',
      email: 'compta@dupont.example',
      contact_name: 'Marie Dupont',
      locale: 'fr',
    })
  ).json();
  // Due Friday 20 March 2026; +30 days falls on Sunday 19 April → Monday 20 April.
  const invoice = (
    await post('/v1/invoices', {
      number: 'F-001',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 100000,
      tax: 20000,
      issue_date: '2026-03-02',
      due_date: '2026-03-20',
    })
  ).json();
  t.equal(invoice.status, 'open');

  const end = new Date('2026-04-16T00:00:00Z').getTime() + 5 * 24 * HOUR; // 45 days
  for (let at = clock.now().getTime(); at <= end; at += HOUR) {
    clock.set(new Date(at));
    await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  }

  const { messages, tasks, events } = await ctx.database.withAccount(acme.accountId, async (trx) => ({
    messages: await trx.selectFrom('messages').selectAll().orderBy('created_at').execute(),
    tasks: await trx.selectFrom('tasks').selectAll().orderBy('created_at').execute(),
    events: await trx
      .selectFrom('events')
      .select(['type', 'created_at'])
      .where('type', 'like', 'invoice.%')
      .orderBy('seq')
      .execute(),
  }));

  // 09:00 in Paris: UTC+1 until 29 March, UTC+2 after.
  t.same(
    messages.map((m) => [m.template_key, m.sent_at?.toISOString(), m.status]),
    [
      ['before_due', '2026-03-13T08:00:00.000Z', 'sent'],
      ['due_today', '2026-03-20T08:00:00.000Z', 'sent'],
      ['overdue_friendly', '2026-03-27T08:00:00.000Z', 'sent'],
      ['overdue_firm', '2026-04-03T07:00:00.000Z', 'sent'],
      ['final_notice', '2026-04-20T07:00:00.000Z', 'sent'],
    ],
    'exactly five emails, each at 09:00 local on its day',
  );
  t.same(
    tasks.map((task) => [task.kind, task.due_on, task.created_at.toISOString()]),
    [
      ['call', '2026-04-03', '2026-04-03T07:00:00.000Z'],
      ['letter', '2026-04-20', '2026-04-20T07:00:00.000Z'],
    ],
  );
  for (const m of messages) {
    const day = new Date(m.sent_at ?? 0).getUTCDay();
    t.ok(day !== 0 && day !== 6, `${m.template_key} not on a weekend`);
    t.same(m.to_addresses, ['compta@dupont.example']);
    t.equal(m.locale, 'fr');
    t.match(m.subject, 'F-001');
  }
  t.match(messages[3]?.text ?? '', /14 jours/, 'the firm reminder states the days overdue');
  t.same(
    events.map((e) => e.type),
    ['invoice.created', 'invoice.due_soon', 'invoice.overdue'],
  );
  t.equal(
    events[2]?.created_at.toISOString(),
    '2026-03-20T23:00:00.000Z',
    'overdue from local midnight after the due date',
  );

  const timeline = (
    await ctx.app.inject({ method: 'GET', url: `/v1/invoices/${invoice.id}/timeline`, headers: acme.auth })
  ).json();
  t.equal(timeline.reminders.length, 7);
  t.ok(timeline.reminders.every((r: { status: string }) => r.status === 'sent'));
});
