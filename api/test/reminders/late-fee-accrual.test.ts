import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('the workers bring late fees up to date once a day on overdue invoices', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-01-02T06:00:00Z');
  const fr = await ctx.createAccount({ name: 'FR', time_zone: 'Europe/Paris' });
  const none = await ctx.createAccount({ name: 'No fees', time_zone: 'Europe/Paris' });
  const call = (who: typeof fr, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  await call(fr, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' });
  const invoiceOf = async (who: typeof fr) => {
    const customer = (await call(who, 'POST', '/v1/customers', { name: 'C' })).json();
    return (
      await call(who, 'POST', '/v1/invoices', {
        number: 'LF-1',
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2026-01-01',
        due_date: '2026-01-01',
      })
    ).json();
  };
  const charged = await invoiceOf(fr);
  const free = await invoiceOf(none);
  const tick = () => ctx.services.reminders.scheduler.prepare({ kind: 'live', now: clock.now() });

  clock.set('2026-01-12T10:00:00Z'); // 11 days late: 2–11 January are over
  await tick();
  const day10 = (await call(fr, 'GET', `/v1/invoices/${charged.id}`)).json();
  // 40 EUR recovery fee + 10,000 EUR × 12.15 % × 10 / 365 = 33.29 EUR.
  t.equal(day10.late_fees, 4000 + 3329);
  await tick();
  t.equal(
    (await call(fr, 'GET', `/v1/invoices/${charged.id}`)).json().late_fees,
    day10.late_fees,
    'once a day: a second pass adds nothing',
  );

  clock.set('2026-01-13T10:00:00Z');
  await tick();
  const day11 = (await call(fr, 'GET', `/v1/invoices/${charged.id}`)).json();
  t.ok(
    day11.late_fees > day10.late_fees && day11.late_fees - day10.late_fees < 400,
    `one more day of interest (${day11.late_fees - day10.late_fees})`,
  );
  const fees = (await call(fr, 'GET', `/v1/invoices/${charged.id}/fees`)).json();
  t.equal(fees.data.filter((f: { kind: string }) => f.kind === 'recovery_fee').length, 1, 'the fixed fee exactly once');
  t.equal(
    (await call(none, 'GET', `/v1/invoices/${free.id}`)).json().late_fees,
    0,
    'an account without a preset charges nothing',
  );
});
