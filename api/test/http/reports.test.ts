import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';

t.test('aging and DSO reports on a known book, figures computed by hand', async (t) => {
  // Today is 2026-06-30 in Paris.
  const clock = new ManualClock('2026-06-30T10:00:00Z');
  const ctx = await setupApp(t, { clock });
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const customer = async (who: TestAccount, name: string) =>
    (await call(who, 'POST', '/v1/customers', { name, email: `${name.replace(/\W/g, '')}@example.com` })).json()
      .id as string;
  const invoice = async (who: TestAccount, body: object) => {
    const res = await call(who, 'POST', '/v1/invoices', body);
    t.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const dupont = await customer(acme, 'Dupont SARL');
  const smith = await customer(acme, 'Smith Ltd');
  // EUR: not yet due 1,000.00; 10 days late 200.00; 45 days late 300.00 (100.00 paid on 500.00); 120 days late 50.00.
  await invoice(acme, {
    number: 'E-1',
    customer_id: dupont,
    currency: 'EUR',
    subtotal: 100000,
    issue_date: '2026-06-15',
    due_date: '2026-07-15',
  });
  await invoice(acme, {
    number: 'E-2',
    customer_id: dupont,
    currency: 'EUR',
    subtotal: 20000,
    issue_date: '2026-05-21',
    due_date: '2026-06-20',
  });
  const e3 = await invoice(acme, {
    number: 'E-3',
    customer_id: smith,
    currency: 'EUR',
    subtotal: 50000,
    issue_date: '2026-04-16',
    due_date: '2026-05-16',
  });
  await invoice(acme, {
    number: 'E-4',
    customer_id: smith,
    currency: 'EUR',
    subtotal: 5000,
    issue_date: '2026-02-01',
    due_date: '2026-03-02',
  });
  // GBP: 31 days late 99.99, kept apart from EUR.
  await invoice(acme, {
    number: 'G-1',
    customer_id: smith,
    currency: 'GBP',
    subtotal: 9999,
    issue_date: '2026-04-30',
    due_date: '2026-05-30',
  });
  // Paid and void invoices are not receivables; the void one is not a sale either.
  const paid = await invoice(acme, {
    number: 'E-5',
    customer_id: dupont,
    currency: 'EUR',
    subtotal: 40000,
    issue_date: '2026-05-01',
    due_date: '2026-05-31',
  });
  const voided = await invoice(acme, {
    number: 'E-6',
    customer_id: dupont,
    currency: 'EUR',
    subtotal: 70000,
    issue_date: '2026-06-01',
    due_date: '2026-07-01',
  });
  t.equal((await call(acme, 'POST', `/v1/invoices/${voided}/void`)).statusCode, 200);
  for (const [id, amount] of [
    [e3, 20000],
    [paid, 40000],
  ] as const) {
    const res = await call(acme, 'POST', '/v1/payments', {
      customer_id: id === e3 ? smith : dupont,
      amount,
      currency: 'EUR',
      method: 'transfer',
      received_on: '2026-06-29',
      allocations: [{ invoice_id: id, amount }],
    });
    t.equal(res.statusCode, 201, res.body);
  }
  // Another account's book must not show.
  await invoice(other, {
    number: 'O-1',
    customer_id: await customer(other, 'Elsewhere'),
    currency: 'EUR',
    subtotal: 777700,
    issue_date: '2026-01-01',
    due_date: '2026-01-31',
  });

  t.test('aging: per currency, default buckets', async (t) => {
    const res = await call(acme, 'GET', '/v1/reports/aging');
    t.equal(res.statusCode, 200, res.body);
    t.same(res.json(), {
      object: 'aging_report',
      as_of: '2026-06-30',
      bucket_names: ['current', '1_30', '31_60', '61_90', '90_plus'],
      totals: [
        {
          currency: 'EUR',
          buckets: { current: 100000, '1_30': 20000, '31_60': 30000, '61_90': 0, '90_plus': 5000 },
          total: 155000,
          invoices: 4,
        },
        {
          currency: 'GBP',
          buckets: { current: 0, '1_30': 0, '31_60': 9999, '61_90': 0, '90_plus': 0 },
          total: 9999,
          invoices: 1,
        },
      ],
    });
  });

  t.test('aging per customer, custom edges, CSV', async (t) => {
    const res = (await call(acme, 'GET', '/v1/reports/aging?by=customer&buckets=15,100')).json();
    t.same(res.bucket_names, ['current', '1_15', '16_100', '100_plus']);
    t.same(
      res.customers.map(
        (c: { customer_name: string; currency: string; buckets: Record<string, number>; total: number }) => [
          c.customer_name,
          c.currency,
          c.buckets,
          c.total,
        ],
      ),
      [
        ['Dupont SARL', 'EUR', { current: 100000, '1_15': 20000, '16_100': 0, '100_plus': 0 }, 120000],
        ['Smith Ltd', 'EUR', { current: 0, '1_15': 0, '16_100': 30000, '100_plus': 5000 }, 35000],
        ['Smith Ltd', 'GBP', { current: 0, '1_15': 0, '16_100': 9999, '100_plus': 0 }, 9999],
      ],
    );
    const csv = await call(acme, 'GET', '/v1/reports/aging?format=csv');
    t.match(csv.headers['content-type'], /^text\/csv/);
    t.equal(
      csv.body,
      'currency,current,1_30,31_60,61_90,90_plus,total,invoices\nEUR,100000,20000,30000,0,5000,155000,4\nGBP,0,0,9999,0,0,9999,1\n',
    );
    for (const bad of ['60,30', '0,10', 'a', '1,2,3,4,5,6,7,8,9,10,11']) {
      const refused = await call(acme, 'GET', `/v1/reports/aging?buckets=${bad}`);
      t.equal(refused.json().code, 'report/invalid_buckets', bad);
    }
  });

  t.test('DSO over 90 days: by the formula, by hand', async (t) => {
    const res = (await call(acme, 'GET', '/v1/reports/dso')).json();
    t.match(res, { object: 'dso_report', period_from: '2026-04-02', period_to: '2026-06-30', days: 90 });
    // EUR sales issued 2026-04-02..06-30, void excluded: E-1 1000 + E-2 200 + E-3 500 + E-5 400 = 2,100.00.
    // Receivables 1,550.00 → DSO 1550/2100×90 = 66.43 → 66.4; current 1,000.00 → 1000/2100×90 = 42.86 → 42.9; ADD 23.57 → 23.6.
    t.same(res.currencies, [
      {
        currency: 'EUR',
        receivables: 155000,
        current_receivables: 100000,
        credit_sales: 210000,
        dso: 66.4,
        best_possible_dso: 42.9,
        average_days_delinquent: 23.6,
      },
      {
        currency: 'GBP',
        receivables: 9999,
        current_receivables: 0,
        credit_sales: 9999,
        dso: 90,
        best_possible_dso: 0,
        average_days_delinquent: 90,
      },
    ]);
    const short = (await call(acme, 'GET', '/v1/reports/dso?days=7')).json();
    t.same(
      short.currencies.find((c: { currency: string }) => c.currency === 'EUR'),
      {
        currency: 'EUR',
        receivables: 155000,
        current_receivables: 100000,
        credit_sales: 0,
        dso: null,
        best_possible_dso: null,
        average_days_delinquent: null,
      },
      'no sales in the period: no DSO',
    );
  });

  t.test('GraphQL has the same reports', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const res = await gql(
      '{ agingReport(buckets: "30,60,90") { asOf bucketNames totals { currency total invoices buckets { name amount } } } dsoReport(days: 90) { currencies { currency dso bestPossibleDso averageDaysDelinquent } } }',
    );
    t.notOk(res.errors, JSON.stringify(res.errors));
    t.same(res.data.agingReport.totals[0], {
      currency: 'EUR',
      total: 155000,
      invoices: 4,
      buckets: [
        { name: 'current', amount: 100000 },
        { name: '1_30', amount: 20000 },
        { name: '31_60', amount: 30000 },
        { name: '61_90', amount: 0 },
        { name: '90_plus', amount: 5000 },
      ],
    });
    t.same(res.data.dsoReport.currencies[0], {
      currency: 'EUR',
      dso: 66.4,
      bestPossibleDso: 42.9,
      averageDaysDelinquent: 23.6,
    });
  });
});
