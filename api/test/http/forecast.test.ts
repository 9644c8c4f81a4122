import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';

t.test('cash forecast on a known book, figures computed by hand', async (t) => {
  // Today is Tuesday 2026-06-30 in Paris: week 1 runs 06-30 to 07-06, week 3 07-14 to 07-20, …
  const clock = new ManualClock('2026-06-30T10:00:00Z');
  const ctx = await setupApp(t, { clock });
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const customer = async (who: TestAccount, name: string) =>
    (await call(who, 'POST', '/v1/customers', { name, email: `${name.replace(/\W/g, '')}@example.com` })).json()
      .id as string;
  const invoice = async (who: TestAccount, customerId: string, number: string, body: object) => {
    const res = await call(who, 'POST', '/v1/invoices', {
      number,
      customer_id: customerId,
      currency: 'EUR',
      issue_date: '2026-04-01',
      ...body,
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const pay = async (customerId: string, invoiceId: string, amount: number, on: string) => {
    const res = await call(acme, 'POST', '/v1/payments', {
      customer_id: customerId,
      amount,
      currency: 'EUR',
      method: 'transfer',
      received_on: on,
      allocations: [{ invoice_id: invoiceId, amount }],
    });
    t.equal(res.statusCode, 201, res.body);
  };

  // Durand paid 100.00 ten days late and 300.00 twenty days late: 17.5 days weighted by amount, 18 rounded.
  const durand = await customer(acme, 'Durand SA');
  await pay(
    durand,
    await invoice(acme, durand, 'P-1', { subtotal: 10000, due_date: '2026-05-01' }),
    10000,
    '2026-05-11',
  );
  await pay(
    durand,
    await invoice(acme, durand, 'P-2', { subtotal: 30000, due_date: '2026-05-10' }),
    30000,
    '2026-05-30',
  );
  // Due 07-01 + 18 days = 07-19: week 3.
  await invoice(acme, durand, 'O-1', { subtotal: 50000, due_date: '2026-07-01' });
  // Overdue, but promised for 07-03: + 18 days = 07-21, week 4.
  const promised = await invoice(acme, durand, 'O-2', { subtotal: 7000, due_date: '2026-06-01' });
  t.equal((await call(acme, 'POST', `/v1/invoices/${promised}/promise`, { date: '2026-07-03' })).statusCode, 200);

  // Martin has no history: no shift.
  const martin = await customer(acme, 'Martin SARL');
  const planned = await invoice(acme, martin, 'O-3', { subtotal: 12000, due_date: '2026-06-15' });
  const plan = await call(acme, 'POST', `/v1/invoices/${planned}/payment_plans`, {
    installments: [
      { due_date: '2026-07-02', amount: 4000 }, // week 1
      { due_date: '2026-07-30', amount: 4000 }, // week 5
      { due_date: '2026-08-29', amount: 4000 }, // week 9
    ],
  });
  t.equal(plan.statusCode, 201, plan.body);
  await invoice(acme, martin, 'O-4', { subtotal: 999, currency: 'USD', due_date: '2026-12-31' }); // later
  await invoice(acme, martin, 'O-5', { subtotal: 2500, due_date: '2026-06-30' }); // week 1 (due today)
  await invoice(acme, martin, 'O-6', { subtotal: 1500, due_date: '2026-06-01' }); // overdue

  // Another account's book must not show.
  await invoice(other, await customer(other, 'Elsewhere'), 'X-1', { subtotal: 777700, due_date: '2026-07-02' });

  const amounts = (amount: number, items: number, basis: Partial<Record<string, number>> = {}) => ({
    amount,
    items,
    by_basis: { due_date: 0, promise: 0, installment: 0, ...basis },
  });
  const res = await call(acme, 'GET', '/v1/reports/forecast');
  t.equal(res.statusCode, 200, res.body);
  const report = res.json();
  t.equal(report.as_of, '2026-06-30');
  t.equal(report.weeks, 13);
  t.same(
    report.currencies.map((c: { currency: string }) => c.currency),
    ['EUR', 'USD'],
  );
  const eur = report.currencies[0];
  t.same(eur.overdue, amounts(1500, 1, { due_date: 1500 }), 'O-6: due before today, no history to shift it');
  t.equal(eur.weeks.length, 13);
  t.same(eur.weeks[0], {
    week: 1,
    from: '2026-06-30',
    to: '2026-07-06',
    ...amounts(6500, 2, { due_date: 2500, installment: 4000 }),
  });
  t.same(eur.weeks[1], { week: 2, from: '2026-07-07', to: '2026-07-13', ...amounts(0, 0) });
  t.same(eur.weeks[2].amount, 50000, 'O-1 due 07-01 expected 18 days later');
  t.same(eur.weeks[3], {
    week: 4,
    from: '2026-07-21',
    to: '2026-07-27',
    ...amounts(7000, 1, { promise: 7000 }),
  });
  t.same(eur.weeks[4], { week: 5, from: '2026-07-28', to: '2026-08-03', ...amounts(4000, 1, { installment: 4000 }) });
  t.same(eur.weeks[8], { week: 9, from: '2026-08-25', to: '2026-08-31', ...amounts(4000, 1, { installment: 4000 }) });
  t.same(
    eur.weeks.filter((w: { amount: number }) => w.amount > 0).map((w: { week: number }) => w.week),
    [1, 3, 4, 5, 9],
  );
  t.same(eur.later, amounts(0, 0));
  t.equal(eur.total, 73000, 'everything still due in EUR, the planned invoice counted once');
  const usd = report.currencies[1];
  t.same(usd.overdue, amounts(0, 0));
  t.same(usd.later, amounts(999, 1, { due_date: 999 }), 'due on 31 December: after the 13 weeks');
  t.equal(usd.total, 999);
  t.same(
    usd.weeks.map((w: { amount: number }) => w.amount),
    Array(13).fill(0),
    'nothing in USD within the weeks',
  );

  t.test('a paid installment leaves the forecast', async (t) => {
    await pay(martin, planned, 4000, '2026-06-30');
    const after = (await call(acme, 'GET', '/v1/reports/forecast?weeks=5')).json();
    t.equal(after.weeks, 5);
    const eurAfter = after.currencies[0];
    t.equal(eurAfter.weeks.length, 5);
    t.same(eurAfter.weeks[0], {
      week: 1,
      from: '2026-06-30',
      to: '2026-07-06',
      ...amounts(2500, 1, { due_date: 2500 }),
    });
    t.same(eurAfter.later, amounts(4000, 1, { installment: 4000 }), 'week 9 is beyond 5 weeks');
    t.equal(eurAfter.total, 69000);
  });

  t.test('GraphQL gives the same figures', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const res = await gql(`{ forecastReport(weeks: 5) { asOf weeks currencies { currency total
      overdue { amount items } later { amount fromInstallments }
      weeks { week from to expected { amount items fromDueDates fromPromises fromInstallments } } } } }`);
    t.same(res.errors, undefined);
    const [eurG] = (res.data as { forecastReport: { currencies: Array<Record<string, any>> } }).forecastReport
      .currencies;
    if (!eurG) throw new Error('no EUR forecast');
    t.equal(eurG.total, 69000);
    t.same(eurG.weeks[3], {
      week: 4,
      from: '2026-07-21',
      to: '2026-07-27',
      expected: { amount: 7000, items: 1, fromDueDates: 0, fromPromises: 7000, fromInstallments: 0 },
    });
    t.same(eurG.later, { amount: 4000, fromInstallments: 4000 });
  });

  t.test('bad input and the other account', async (t) => {
    const bad = await call(acme, 'GET', '/v1/reports/forecast?weeks=27');
    t.equal(bad.statusCode, 400);
    t.match(bad.headers['content-type'], /application\/problem\+json/);
    const theirs = (await call(other, 'GET', '/v1/reports/forecast')).json();
    t.same(
      theirs.currencies.map((c: { currency: string; total: number }) => [c.currency, c.total]),
      [['EUR', 777700]],
    );
  });
});
