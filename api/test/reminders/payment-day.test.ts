import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp } from '../helpers/app.ts';

// The payment day is not charged on what it pays, whatever the hour the payment is recorded:
// the daily accrual (just after local midnight) charges only the days that are over, so a
// payment recorded that afternoon finds its day uncharged.

t.test('a payment recorded in the afternoon after a midnight accrual: its day is not charged', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2025-07-01T08:00:00Z');
  const acct = await ctx.createAccount({ name: 'Berlin GmbH', time_zone: 'Europe/Berlin' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acct.auth, ...(payload && { payload }) });
  t.equal((await call('PATCH', '/v1/account', { late_fee_preset: 'de_b2b' })).statusCode, 200);
  const customer = (await call('POST', '/v1/customers', { name: 'Kunde AG' })).json();
  const invoice = async (number: string) =>
    (
      await call('POST', '/v1/invoices', {
        number,
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2025-06-01',
        due_date: '2025-06-15',
      })
    ).json();
  const full = await invoice('PD-1');
  const part = await invoice('PD-2');
  const tick = () => ctx.services.reminders.scheduler.prepare({ kind: 'live', now: clock.now() });
  const interestLines = async (id: string) =>
    ((await call('GET', `/v1/invoices/${id}/fees?limit=100`)).json().data as Array<Record<string, unknown>>)
      .filter((f) => f.kind === 'interest')
      .map((f) => [f.amount, f.period_from, f.period_to]);

  clock.set('2025-07-20T22:05:00Z'); // 00:05 on 21 July in Berlin: the daily accrual
  await tick();
  // 16 June–20 July: 15 days at 11.27 % + 20 days at 10.27 % on 10,000.00 = 102.59 EUR.
  t.same(await interestLines(full.id), [[10259, '2025-06-16', '2025-07-20']], 'the open day 21 July is not charged');
  const morning = (await call('GET', `/v1/invoices/${full.id}`)).json();
  t.equal(morning.balance, 1_000_000 + 4000 + 10259);

  clock.set('2025-07-21T13:00:00Z'); // 15:00 in Berlin: the customer pays what it was told it owes
  const paid = await call('POST', '/v1/payments', {
    customer_id: customer.id,
    amount: morning.balance,
    currency: 'EUR',
    received_on: '2025-07-21',
    method: 'transfer',
    allocations: [{ invoice_id: full.id, amount: morning.balance }],
  });
  t.equal(paid.statusCode, 201, paid.body);
  const partial = await call('POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 400_000,
    currency: 'EUR',
    received_on: '2025-07-21',
    method: 'transfer',
    allocations: [{ invoice_id: part.id, amount: 400_000 }],
  });
  t.equal(partial.statusCode, 201, partial.body);
  t.match((await call('GET', `/v1/invoices/${full.id}`)).json(), { status: 'paid', balance: 0 }, 'settled exactly');

  clock.set('2025-07-22T22:05:00Z'); // 00:05 on 23 July: 21 and 22 July are over
  await tick();
  t.same(
    await interestLines(full.id),
    [[10259, '2025-06-16', '2025-07-20']],
    'the paid invoice: nothing charged for its payment day',
  );
  // The partly paid one: 21 and 22 July on the 6,000.00 left (the payment day counts on what is
  // still owed, not on what it paid): 600,000 × 1027 × 2 / 3,650,000 = 337.64; in all
  // (37,445,000,000 + 1,232,400,000) / 3,650,000 = 10,596.55 → 10,597, so 10,597 − 10,259 = 338.
  t.same(await interestLines(part.id), [
    [10259, '2025-06-16', '2025-07-20'],
    [338, '2025-07-21', '2025-07-22'],
  ]);
  const partNow = (await call('GET', `/v1/invoices/${part.id}`)).json();
  t.match(partNow, { late_fees: 4000 + 10597, late_fees_by_kind: { interest: 10597, recovery_fee: 4000 } });

  t.test('fees by kind: waived lines leave their kind, in REST lists and GraphQL', async (t) => {
    const fees = (await call('GET', `/v1/invoices/${part.id}/fees`)).json().data;
    const recovery = fees.find((f: { kind: string }) => f.kind === 'recovery_fee');
    const waived = await call('POST', `/v1/invoices/${part.id}/fees/${recovery.id}/waive`, { reason: 'goodwill' });
    t.equal(waived.statusCode, 200, waived.body);
    const listed = (await call('GET', '/v1/invoices?limit=100')).json().data;
    t.match(
      listed.find((i: { id: string }) => i.id === part.id),
      { late_fees: 10597, late_fees_by_kind: { interest: 10597, recovery_fee: 0 } },
    );
    const res = await graphqlClient(ctx, acct.auth)(
      `query($id: ID!) { invoice(id: $id) { lateFees lateFeesByKind { interest recoveryFee } } }`,
      { id: part.id },
    );
    t.equal(res.errors, undefined);
    t.match(res.data.invoice, { lateFeesByKind: { interest: 10597, recoveryFee: 0 } });
    t.equal(Number(res.data.invoice.lateFees), 10597);
  });
});
