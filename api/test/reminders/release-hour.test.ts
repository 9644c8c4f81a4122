import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

// A reminder held by a dispute, released late at night on a Friday, goes out at the policy's
// next send time (09:00 on Monday, weekends skipped), never at the hour of the release.

const HOUR = 3_600_000;

t.test('a released reminder waits for the next send time', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-12-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  await call('PATCH', '/v1/account', { sender_email: 'billing@acme.example' });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'R-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10_000,
      issue_date: '2026-11-11',
      due_date: '2026-12-11',
    })
  ).json();
  const run = () => ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  await run();
  const dispute = (await call('POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'Amount' })).json();

  // Friday 11 December, the due day: the due-today reminder is held by the dispute.
  clock.set('2026-12-11T08:00:00Z');
  await run();
  const dueDay = async () =>
    (await call('GET', `/v1/invoices/${invoice.id}/timeline`))
      .json()
      .reminders.find((r: { offset_days: number }) => r.offset_days === 0);
  t.match(await dueDay(), { status: 'held', scheduled_at: '2026-12-11T08:00:00.000Z' });

  // Resolved for the creditor at 23:30 in Paris.
  clock.set('2026-12-11T22:30:00Z');
  const resolved = await call('POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_creditor' });
  t.equal(resolved.statusCode, 200, resolved.body);
  t.match(await dueDay(), { status: 'scheduled', scheduled_at: '2026-12-14T08:00:00.000Z' }, 'Monday 09:00 in Paris');

  const sentAt: string[] = [];
  for (let hour = 0; hour < 72; hour += 6) {
    await run();
    const entry = await dueDay();
    if (entry.status === 'sent' && sentAt.length === 0) sentAt.push(clock.now().toISOString());
    clock.advance(6 * HOUR);
  }
  t.same(
    sentAt,
    ['2026-12-14T10:30:00.000Z'],
    'sent at the first run (every 6 hours) after Monday 09:00, not on Friday night',
  );
});
