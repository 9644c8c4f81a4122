import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('the final notice brings French B2B late fees up to date and states them', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-01-02T06:00:00Z');
  const acme = await ctx.createAccount({ time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  t.equal((await call('PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' })).statusCode, 200);
  const customer = (await call('POST', '/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.example', locale: 'fr' })).json();
  const invoice = (await call('POST', '/v1/invoices', { number: 'F-9', customer_id: customer.id, currency: 'EUR', subtotal: 1_000_000, issue_date: '2026-01-02', due_date: '2026-01-02' })).json();

  // +30 days: Sunday 1 February → Monday 2 February, 09:00 Paris.
  clock.set('2026-02-02T09:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const after = (await call('GET', `/v1/invoices/${invoice.id}`)).json();
  // 40 EUR recovery fee + 10,000 EUR × 12.15 % (ECB 2.15 % on 1 January + 10) × 31 days / 365 = 103.19 EUR.
  t.equal(after.late_fees, 4000 + 10319, 'the recovery fee plus 31 days of interest');
  t.equal(after.balance, 1_000_000 + after.late_fees);
  const final = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('messages').select(['template_key', 'text']).where('template_key', '=', 'final_notice').executeTakeFirstOrThrow(),
  );
  const due = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(10_143.19);
  t.match(final.text, due, `the final notice states the amount due with fees (${due})`);
});
