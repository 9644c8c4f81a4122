import t from 'tap';
import { agingEdges, bucketIndex, bucketNames, dso } from '../../src/domain/reports/report.rules.ts';
import { buildStatement } from '../../src/domain/reports/statement.rules.ts';
import { AppError } from '../../src/errors.ts';

t.test('agingEdges: increasing whole days, 1 to 10 of them, else report/invalid_buckets', async (t) => {
  t.same(agingEdges(undefined), [30, 60, 90], 'the default buckets');
  t.same(agingEdges(' 15, 45 ,3650'), [15, 45, 3650], 'spaces around the commas');
  t.same(agingEdges('7'), [7], 'one edge');
  for (const text of ['60,30', '30,30', '0,30', '30,3651', '', 'a,b', '30,,60', '1.5', '1,2,3,4,5,6,7,8,9,10,11']) {
    let refused: unknown;
    try {
      agingEdges(text);
    } catch (error) {
      refused = error;
    }
    t.ok(refused instanceof AppError, `refused: '${text}'`);
    t.match(refused, { code: 'report/invalid_buckets', status: 400, errors: [{ field: '/buckets' }] });
  }
  t.same(agingEdges('1,2,3,4,5,6,7,8,9,10'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'ten edges are allowed');
});

t.test('bucketNames and bucketIndex agree on every edge', async (t) => {
  t.same(bucketNames([30, 60, 90]), ['current', '1_30', '31_60', '61_90', '90_plus']);
  t.same(bucketNames([15]), ['current', '1_15', '15_plus']);
  const edges = [30, 60, 90];
  const cases: Array<[number, string]> = [
    [-10, 'current'],
    [0, 'current'],
    [1, '1_30'],
    [30, '1_30'],
    [31, '31_60'],
    [60, '31_60'],
    [61, '61_90'],
    [90, '61_90'],
    [91, '90_plus'],
    [4000, '90_plus'],
  ];
  const names = bucketNames(edges);
  for (const [days, name] of cases) t.equal(names[bucketIndex(days, edges)], name, `${days} days past due: ${name}`);
});

t.test('dso: receivables over credit sales times the days, to 0.1 day', async (t) => {
  t.same(dso({ receivables: 50_000, currentReceivables: 20_000, creditSales: 100_000, days: 90 }), {
    dso: 45,
    best_possible_dso: 18,
    average_days_delinquent: 27,
  });
  t.same(
    dso({ receivables: 1, currentReceivables: 0, creditSales: 3, days: 1 }),
    { dso: 0.3, best_possible_dso: 0, average_days_delinquent: 0.3 },
    'rounded to a tenth',
  );
  t.same(
    dso({ receivables: 500, currentReceivables: 500, creditSales: 0, days: 30 }),
    { dso: null, best_possible_dso: null, average_days_delinquent: null },
    'no sales in the period: no figure',
  );
});

t.test('buildStatement: opening balance, each movement with its running balance, aging at the end', async (t) => {
  const invoice = (id: string, over: Partial<Parameters<typeof buildStatement>[0]['invoices'][number]>) => ({
    id,
    number: id.toUpperCase(),
    currency: 'EUR',
    issue_date: '2026-01-05',
    due_date: '2026-01-20',
    total: 10_000,
    voided_on: null,
    ...over,
  });
  const fee = (from: string, to: string, amount: number, kind = 'interest', waived_on: string | null = null) => ({
    invoice_id: 'a',
    kind,
    amount,
    period_from: from,
    period_to: to,
    waived_on,
  });
  const ledger = {
    invoices: [
      invoice('a', {}),
      invoice('b', { issue_date: '2026-02-05', due_date: '2026-03-07', total: 5_000, voided_on: '2026-02-20' }),
      invoice('c', { currency: 'USD', issue_date: '2026-02-10', due_date: '2026-02-10', total: 3_000 }),
    ],
    fees: [
      fee('2026-01-21', '2026-01-31', 10),
      fee('2026-02-01', '2026-02-15', 20),
      fee('2026-02-16', '2026-02-28', 40),
      fee('2026-02-10', '2026-02-10', 4_000, 'recovery_fee', '2026-02-25'),
    ],
    payments: [
      { id: 'pay_1', reference: 'VIR-1', currency: 'EUR', amount: 3_000, received_on: '2026-02-10', reversed_on: null },
      {
        id: 'pay_2',
        reference: null,
        currency: 'EUR',
        amount: 1_000,
        received_on: '2026-01-20',
        reversed_on: '2026-02-12',
      },
      { id: 'pay_3', reference: 'VIR-3', currency: 'EUR', amount: 2_000, received_on: '2026-03-05', reversed_on: null },
    ],
    allocations: [
      { payment_id: 'pay_1', invoice_id: 'a', amount: 3_000, reversed_on: null },
      { payment_id: 'pay_2', invoice_id: 'a', amount: 1_000, reversed_on: '2026-02-12' },
      { payment_id: 'pay_3', invoice_id: 'a', amount: 2_000, reversed_on: null },
    ],
  };
  const [eur, usd, ...more] = buildStatement(ledger, { from: '2026-02-01', to: '2026-02-28' }, [30, 60, 90]);
  t.equal(more.length, 0, 'one statement per currency');

  // Before February: invoice A (10,000), January's interest (10), the payment of 20 January (1,000).
  t.equal(eur?.currency, 'EUR');
  t.equal(eur?.opening_balance, 9_010);
  t.same(
    eur?.entries.map((e) => [e.date, e.kind, e.reference, e.debit, e.credit, e.balance]),
    [
      ['2026-02-05', 'invoice', 'B', 5_000, 0, 14_010],
      // On one day, what is owed comes before what was paid.
      ['2026-02-10', 'recovery_fee', 'A', 4_000, 0, 18_010],
      ['2026-02-10', 'payment', 'VIR-1', 0, 3_000, 15_010],
      // A payment without a reference is named by its id.
      ['2026-02-12', 'payment_reversed', 'pay_2', 1_000, 0, 16_010],
      ['2026-02-20', 'invoice_voided', 'B', 0, 5_000, 11_010],
      ['2026-02-25', 'fee_waived', 'A', 0, 4_000, 7_010],
      // February's two interest runs are one entry, dated at its last day.
      ['2026-02-28', 'interest', 'A', 60, 0, 7_070],
    ],
    'the payment of 5 March is after the period',
  );
  const interest = eur?.entries.find((e) => e.kind === 'interest');
  t.same([interest?.period_from, interest?.period_to], ['2026-02-01', '2026-02-28']);
  t.equal(eur?.closing_balance, 7_070);
  // A is owed 10,000 + 70 of interest - 3,000 paid (the reversed payment and the March one do not count),
  // 39 days past due on 28 February; B is void.
  t.same(eur?.aging, {
    buckets: { current: 0, '1_30': 0, '31_60': 7_070, '61_90': 0, '90_plus': 0 },
    total: 7_070,
    invoices: 1,
  });
  t.equal(eur?.aging.total, eur?.closing_balance, 'what is owed is the closing balance');

  t.equal(usd?.currency, 'USD');
  t.equal(usd?.opening_balance, 0);
  t.same(
    usd?.entries.map((e) => [e.date, e.kind, e.balance]),
    [['2026-02-10', 'invoice', 3_000]],
  );
  t.same(usd?.aging.buckets['1_30'], 3_000, '18 days past due');

  const january = buildStatement(ledger, { from: '2026-01-01', to: '2026-01-31' }, [30, 60, 90]);
  t.same(
    january.map((s) => s.currency),
    ['EUR'],
    'no dollar statement before the dollar invoice',
  );
  // On 31 January, A is owed 10,000 + 10 - 1,000 (the payment was reversed only in February), 11 days late.
  t.same(january[0]?.aging, {
    buckets: { current: 0, '1_30': 9_010, '31_60': 0, '61_90': 0, '90_plus': 0 },
    total: 9_010,
    invoices: 1,
  });
});
