import t from 'tap';
import { AppError } from '../../src/errors.ts';
import {
  allocateOldestDueFirst,
  checkAllocations,
  type PayableInvoice,
  statusAfterPayments,
} from '../../src/domain/payments/payment.rules.ts';

const invoice = (
  id: string,
  due_date: string,
  balance: number,
  extra: Partial<PayableInvoice> = {},
): PayableInvoice => ({
  id,
  due_date,
  balance,
  customer_id: 'cus_a',
  currency: 'EUR',
  status: 'open',
  ...extra,
});

const sum = (split: { allocations: Array<{ amount: number }>; unallocated: number }) =>
  split.allocations.reduce((s, a) => s + a.amount, 0) + split.unallocated;

t.test('oldest due first, then by id; the rest is credit', async (t) => {
  const invoices = [
    invoice('inv_c', '2026-03-10', 5000),
    invoice('inv_b', '2026-02-01', 3000),
    invoice('inv_a', '2026-02-01', 2000),
    invoice('inv_d', '2026-01-15', 1000, { status: 'void' }),
    invoice('inv_e', '2026-01-10', 0, { status: 'paid' }),
  ];
  t.same(allocateOldestDueFirst(4000, invoices), {
    allocations: [
      { invoice_id: 'inv_a', amount: 2000 },
      { invoice_id: 'inv_b', amount: 2000 },
    ],
    unallocated: 0,
  });
  t.same(allocateOldestDueFirst(12_345, invoices), {
    allocations: [
      { invoice_id: 'inv_a', amount: 2000 },
      { invoice_id: 'inv_b', amount: 3000 },
      { invoice_id: 'inv_c', amount: 5000 },
    ],
    unallocated: 2345,
  });
  t.same(allocateOldestDueFirst(500, []), { allocations: [], unallocated: 500 });
});

t.test('splits always sum exactly to the payment, in EUR, JPY and KWD amounts', async (t) => {
  // EUR 1 234,56 €; JPY ¥98 765; KWD 12.345 KD: minor units, whatever the exponent.
  for (const [currency, amount, balances] of [
    ['EUR', 123_456, [100_001, 7, 23_447, 99]],
    ['JPY', 98_765, [50_000, 48_765]],
    ['KWD', 12_345, [1_001, 2_002, 3_003, 4_004, 5_005]],
  ] as const) {
    const invoices = balances.map((b, i) =>
      invoice(`inv_${i}`, `2026-01-${String(10 + i).padStart(2, '0')}`, b, { currency }),
    );
    const split = allocateOldestDueFirst(amount, invoices);
    t.equal(sum(split), amount, `${currency} adds up`);
    for (const a of split.allocations) {
      t.ok(Number.isInteger(a.amount) && a.amount > 0, `${currency} integer part`);
      t.ok(a.amount <= (invoices.find((i) => i.id === a.invoice_id)?.balance ?? 0), 'never above a balance');
    }
  }
  // A thousand random cases.
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let run = 0; run < 1000; run++) {
    const invoices = Array.from({ length: 1 + next(8) }, (_, i) =>
      invoice(`inv_${i}`, `2026-0${1 + next(9)}-1${next(10)}`, 1 + next(1_000_000)),
    );
    const amount = 1 + next(3_000_000);
    const split = allocateOldestDueFirst(amount, invoices);
    if (sum(split) !== amount) t.fail(`run ${run}: ${JSON.stringify(split)} ≠ ${amount}`);
  }
});

t.test('explicit allocations: checked in order, the rest unallocated', async (t) => {
  const invoices = new Map([
    ['inv_a', invoice('inv_a', '2026-02-01', 2000)],
    ['inv_b', invoice('inv_b', '2026-02-01', 3000, { status: 'partially_paid' })],
    ['inv_other', invoice('inv_other', '2026-02-01', 3000, { customer_id: 'cus_b' })],
    ['inv_usd', invoice('inv_usd', '2026-02-01', 3000, { currency: 'USD' })],
    ['inv_void', invoice('inv_void', '2026-02-01', 3000, { status: 'void' })],
    ['inv_paid', invoice('inv_paid', '2026-02-01', 0, { status: 'paid' })],
  ]);
  const payment = { customer_id: 'cus_a', currency: 'EUR', available: 6000 };
  t.same(
    checkAllocations(
      payment,
      [
        { invoice_id: 'inv_a', amount: 2000 },
        { invoice_id: 'inv_b', amount: 1 },
      ],
      invoices,
    ),
    {
      allocations: [
        { invoice_id: 'inv_a', amount: 2000 },
        { invoice_id: 'inv_b', amount: 1 },
      ],
      unallocated: 3999,
    },
  );
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
      return 'no error';
    } catch (error) {
      return error instanceof AppError ? error.code : String(error);
    }
  };
  const check = (allocations: Array<{ invoice_id: string; amount: number }>, available = 6000) =>
    codeOf(() => checkAllocations({ ...payment, available }, allocations, invoices));
  t.equal(check([{ invoice_id: 'inv_a', amount: 2001 }]), 'payment/over_allocation');
  t.equal(
    check(
      [
        { invoice_id: 'inv_a', amount: 2000 },
        { invoice_id: 'inv_b', amount: 3000 },
      ],
      4999,
    ),
    'payment/over_allocation',
  );
  t.equal(check([{ invoice_id: 'inv_paid', amount: 1 }]), 'payment/over_allocation', 'a paid invoice has nothing left');
  t.equal(check([{ invoice_id: 'inv_other', amount: 1 }]), 'payment/invoice_of_other_customer');
  t.equal(check([{ invoice_id: 'inv_usd', amount: 1 }]), 'payment/currency_mismatch');
  t.equal(check([{ invoice_id: 'inv_void', amount: 1 }]), 'payment/invoice_not_payable');
  t.equal(check([{ invoice_id: 'inv_nope', amount: 1 }]), 'invoice/not_found');
  t.equal(
    check([
      { invoice_id: 'inv_a', amount: 1 },
      { invoice_id: 'inv_a', amount: 1 },
    ]),
    'request/validation_failed',
  );
});

t.test('state after payments', async (t) => {
  t.equal(statusAfterPayments({ status: 'open', amount_paid: 100, balance: 900 }), 'partially_paid');
  t.equal(statusAfterPayments({ status: 'partially_paid', amount_paid: 1000, balance: 0 }), 'paid');
  t.equal(statusAfterPayments({ status: 'paid', amount_paid: 400, balance: 600 }), 'partially_paid');
  t.equal(statusAfterPayments({ status: 'paid', amount_paid: 0, balance: 1000 }), 'open');
  t.equal(statusAfterPayments({ status: 'uncollectible', amount_paid: 0, balance: 1000 }), 'uncollectible');
  t.equal(statusAfterPayments({ status: 'void', amount_paid: 0, balance: 1000 }), 'void');
});
