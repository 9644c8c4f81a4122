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
  const customer = (
    await call('POST', '/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.example', locale: 'fr' })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'F-9',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 1_000_000,
      issue_date: '2026-01-02',
      due_date: '2026-01-02',
    })
  ).json();

  // The due-today email goes out first: the final notice is never the first message.
  clock.set('2026-01-02T08:30:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  // +30 days: Sunday 1 February → Monday 2 February, 09:00 Paris.
  clock.set('2026-02-02T09:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const after = (await call('GET', `/v1/invoices/${invoice.id}`)).json();
  // 40 EUR recovery fee + 10,000 EUR × 12.15 % (ECB 2.15 % on 1 January + 10) × 30 days / 365 = 99.86 EUR:
  // 3 January to 1 February, the last day that is over (2 February is still open).
  t.equal(after.late_fees, 4000 + 9986, 'the recovery fee plus 30 days of interest');
  t.equal(after.balance, 1_000_000 + after.late_fees);
  const final = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('messages')
      .select(['template_key', 'text'])
      .where('template_key', '=', 'final_notice')
      .executeTakeFirstOrThrow(),
  );
  const due = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(10_139.86);
  t.match(final.text, due, `the final notice states the amount due with fees (${due})`);
  // Each fee with its rate, days and legal basis, in the customer's language (French typography).
  const text = final.text.replace(/[\s\u00a0\u202f]+/g, ' ');
  t.ok(
    text.includes(
      'Intérêts de retard au taux annuel de 12,15 % (taux de refinancement de la Banque centrale européenne, 2,15 %, majoré de 10 points), du 3 janvier 2026 au 1er février 2026 (art. L441-10 du Code de commerce) : 99,86 €',
    ),
    `interest as a part: ${text}`,
  );
  t.ok(
    text.includes(
      'Indemnité forfaitaire pour frais de recouvrement (art. L441-10 et D441-5 du Code de commerce) : 40,00 €',
    ),
    'the fixed fee as a part',
  );
  t.notOk(text.includes('Pénalités et frais de retard :'), 'not the bare total');
});

t.test('terms can hold the fixed fee back until the reminder step chosen for fees', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-01-02T06:00:00Z');
  const acme = await ctx.createAccount({ time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const terms = await call('POST', '/v1/payment_terms', {
    name: 'Fee at the formal notice',
    due: { kind: 'due_on_receipt' },
    late_fee: { kind: 'fr_b2b', fixed_fee_at: 'fee_step' },
  });
  t.equal(terms.statusCode, 201, terms.body);
  t.match(terms.json().late_fee, { kind: 'fr_b2b', fixed_fee_at: 'fee_step' });
  const policy = await call('POST', '/v1/reminder_policies', {
    name: 'Friendly, then formal',
    send_hour: 9,
    skip_weekends: false,
    steps: [
      { offset_days: 5, channel: 'email', template_key: 'overdue_friendly' },
      { offset_days: 20, channel: 'email', template_key: 'final_notice', applies_late_fees: true },
    ],
  });
  t.equal(policy.statusCode, 201, policy.body);
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Dupont SARL',
      email: 'compta@dupont.example',
      locale: 'fr',
      reminder_policy_id: policy.json().id,
    })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'F-10',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 1_000_000,
      issue_date: '2026-01-02',
      payment_terms_id: terms.json().id,
    })
  ).json();
  t.equal(invoice.due_date, '2026-01-02');
  const run = () => ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const fees = async () =>
    (await call('GET', `/v1/invoices/${invoice.id}/fees`)).json().data as Array<{ kind: string; amount: number }>;

  // Day 10: the friendly reminder went out and interest runs, but no fixed fee yet.
  clock.set('2026-01-12T10:00:00Z');
  await run();
  const day10 = await fees();
  t.ok(
    day10.some((f) => f.kind === 'interest'),
    'interest accrues from the day after the due date',
  );
  t.equal(day10.filter((f) => f.kind === 'recovery_fee').length, 0, 'no fixed fee before the chosen step');

  // Day 20 at 09:00 Paris: the formal notice is sent and carries the 40 EUR, once.
  clock.set('2026-01-22T08:30:00Z');
  await run();
  clock.set('2026-01-23T10:00:00Z');
  await run();
  const after = await fees();
  t.same(
    after.filter((f) => f.kind === 'recovery_fee').map((f) => f.amount),
    [4000],
    'the fixed fee once, at the chosen step',
  );
  const sent = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('messages').select('id').execute(),
  );
  t.equal(sent.length, 2, 'both reminders sent');
});
