import t from 'tap';
import { AppError } from '../../src/errors.ts';
import { toDecimalString } from '../../src/domain/money.ts';
import {
  checkInstallments,
  installmentStatus,
  splitMonthly,
  spreadOverInstallments,
  suspendedPeriod,
  withoutSuspendedDays,
} from '../../src/domain/payment-plans/payment-plan.rules.ts';
import { planInstallmentOccurrences } from '../../src/domain/reminders/policy.rules.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return undefined;
};

t.test('N equal monthly installments, the remainder on the last, summing exactly', async (t) => {
  // EUR (2 decimals): 1,000.00 € in 3 → 333.33, 333.33, 333.34.
  const eur = splitMonthly(100_000, 3, '2026-04-10');
  t.same(eur, [
    { number: 1, due_date: '2026-04-10', amount: 33_333 },
    { number: 2, due_date: '2026-05-10', amount: 33_333 },
    { number: 3, due_date: '2026-06-10', amount: 33_334 },
  ]);
  t.same(
    eur.map((i) => toDecimalString(i.amount, 'EUR')),
    ['333.33', '333.33', '333.34'],
  );
  // JPY (0 decimals): 10,000 ¥ in 3 → 3,333 + 3,333 + 3,334, never a fraction of a yen.
  const jpy = splitMonthly(10_000, 3, '2026-04-01');
  t.same(
    jpy.map((i) => i.amount),
    [3333, 3333, 3334],
  );
  t.same(
    jpy.map((i) => toDecimalString(i.amount, 'JPY')),
    ['3333', '3333', '3334'],
  );
  // KWD (3 decimals): 100.000 KWD in 7 → 14.285 × 6 + 14.290.
  const kwd = splitMonthly(100_000, 7, '2026-04-01');
  t.same(
    kwd.map((i) => i.amount),
    [14_285, 14_285, 14_285, 14_285, 14_285, 14_285, 14_290],
  );
  t.same(kwd.map((i) => toDecimalString(i.amount, 'KWD')).at(-1), '14.290');
  for (const plan of [eur, jpy, kwd])
    t.equal(
      plan.reduce((n, i) => n + i.amount, 0),
      plan === eur ? 100_000 : plan === jpy ? 10_000 : 100_000,
    );
  t.same(
    splitMonthly(99, 1, '2026-04-01'),
    [{ number: 1, due_date: '2026-04-01', amount: 99 }],
    'one installment: the whole balance',
  );
});

t.test('monthly dates are clamped to shorter months and do not drift', async (t) => {
  t.same(
    splitMonthly(400, 4, '2026-01-31').map((i) => i.due_date),
    ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30'],
  );
  t.same(
    splitMonthly(300, 3, '2028-01-31').map((i) => i.due_date),
    ['2028-01-31', '2028-02-29', '2028-03-31'],
    'leap year',
  );
  t.same(
    splitMonthly(200, 2, '2026-12-15').map((i) => i.due_date),
    ['2026-12-15', '2027-01-15'],
    'across the year',
  );
});

t.test('a balance too small for the count is refused', async (t) => {
  t.equal(
    codeOf(() => splitMonthly(2, 3, '2026-04-01')),
    'payment_plan/installment_too_small',
    '2 yen in 3 installments',
  );
  t.equal(
    splitMonthly(3, 3, '2026-04-01').every((i) => i.amount === 1),
    true,
  );
  t.throws(() => splitMonthly(100, 0, '2026-04-01'), RangeError);
  t.throws(() => splitMonthly(100, 61, '2026-04-01'), RangeError);
});

t.test('explicit installments: exact sum, strictly increasing dates, none before today', async (t) => {
  const today = '2026-03-02';
  t.same(
    checkInstallments(
      1000,
      [
        { due_date: '2026-03-02', amount: 400 },
        { due_date: '2026-04-02', amount: 600 },
      ],
      today,
    ),
    [
      { number: 1, due_date: '2026-03-02', amount: 400 },
      { number: 2, due_date: '2026-04-02', amount: 600 },
    ],
  );
  t.equal(
    codeOf(() =>
      checkInstallments(
        1000,
        [
          { due_date: '2026-03-10', amount: 400 },
          { due_date: '2026-04-10', amount: 599 },
        ],
        today,
      ),
    ),
    'payment_plan/amount_mismatch',
  );
  t.equal(
    codeOf(() =>
      checkInstallments(
        1000,
        [
          { due_date: '2026-03-10', amount: 400 },
          { due_date: '2026-04-10', amount: 601 },
        ],
        today,
      ),
    ),
    'payment_plan/amount_mismatch',
  );
  t.equal(
    codeOf(() => checkInstallments(1000, [{ due_date: '2026-03-01', amount: 1000 }], today)),
    'payment_plan/invalid_dates',
    'yesterday',
  );
  t.equal(
    codeOf(() =>
      checkInstallments(
        1000,
        [
          { due_date: '2026-04-10', amount: 500 },
          { due_date: '2026-04-10', amount: 500 },
        ],
        today,
      ),
    ),
    'payment_plan/invalid_dates',
    'same date twice',
  );
  t.equal(
    codeOf(() =>
      checkInstallments(
        1000,
        [
          { due_date: '2026-05-10', amount: 500 },
          { due_date: '2026-04-10', amount: 500 },
        ],
        today,
      ),
    ),
    'payment_plan/invalid_dates',
    'going back',
  );
  try {
    checkInstallments(
      1000,
      [
        { due_date: '2026-04-10', amount: 500 },
        { due_date: '2026-04-01', amount: 500 },
      ],
      today,
    );
  } catch (error) {
    t.same((error as AppError).errors, [
      { field: '/installments/1/due_date', message: 'must be after the previous installment’s date' },
    ]);
  }
});

t.test('money received goes to installments oldest first, partially', async (t) => {
  const installments = [
    { number: 2, amount: 300, paid_amount: 0, status: 'pending' },
    { number: 1, amount: 300, paid_amount: 0, status: 'pending' },
    { number: 3, amount: 400, paid_amount: 0, status: 'pending' },
  ];
  t.same(spreadOverInstallments(0, installments), [
    { number: 1, paid_amount: 0 },
    { number: 2, paid_amount: 0 },
    { number: 3, paid_amount: 0 },
  ]);
  t.same(spreadOverInstallments(450, installments), [
    { number: 1, paid_amount: 300 },
    { number: 2, paid_amount: 150 },
    { number: 3, paid_amount: 0 },
  ]);
  t.same(
    spreadOverInstallments(5000, installments).map((i) => i.paid_amount),
    [300, 300, 400],
    'never more than an installment',
  );
  t.same(
    spreadOverInstallments(-200, installments).map((i) => i.paid_amount),
    [0, 0, 0],
    'a reversal below the start pays nothing',
  );
  t.equal(installmentStatus({ amount: 300, status: 'pending' }, 300), 'paid');
  t.equal(installmentStatus({ amount: 300, status: 'paid' }, 299), 'pending', 'a reversal makes it pending again');
  t.equal(installmentStatus({ amount: 300, status: 'missed' }, 100), 'missed');
  t.equal(installmentStatus({ amount: 300, status: 'missed' }, 300), 'paid', 'paid late');
});

t.test('suspended days are cut out of the balance history', async (t) => {
  t.same(suspendedPeriod({ started_on: '2026-02-10', ended_on: null }, '2026-03-01'), {
    from: '2026-02-10',
    to: '2026-03-01',
  });
  t.same(
    suspendedPeriod({ started_on: '2026-02-10', ended_on: '2026-02-20' }, '2026-03-01'),
    { from: '2026-02-10', to: '2026-02-19' },
    'the day it ended is charged',
  );
  t.equal(
    suspendedPeriod({ started_on: '2026-02-10', ended_on: '2026-02-10' }, '2026-03-01'),
    null,
    'ended the day it started',
  );
  const segments = [
    { from: '2026-02-01', to: '2026-02-28', balance: 1000 },
    { from: '2026-03-01', to: '2026-03-31', balance: 500 },
  ];
  t.same(withoutSuspendedDays(segments, [{ from: '2026-02-10', to: '2026-03-05' }]), [
    { from: '2026-02-01', to: '2026-02-09', balance: 1000 },
    { from: '2026-03-06', to: '2026-03-31', balance: 500 },
  ]);
  t.same(withoutSuspendedDays(segments, [{ from: '2026-01-01', to: '2026-12-31' }]), [], 'all suspended');
  t.same(withoutSuspendedDays(segments, []), segments);
  t.same(
    withoutSuspendedDays(
      [{ from: '2026-02-01', to: '2026-02-28', balance: 1000 }],
      [
        { from: '2026-02-05', to: '2026-02-06' },
        { from: '2026-02-20', to: '2026-02-20' },
      ],
    ),
    [
      { from: '2026-02-01', to: '2026-02-04', balance: 1000 },
      { from: '2026-02-07', to: '2026-02-19', balance: 1000 },
      { from: '2026-02-21', to: '2026-02-28', balance: 1000 },
    ],
  );
});

t.test('reminders of a plan: the steps before and on each installment date and the first one after it', async (t) => {
  const policy = {
    steps: [
      {
        id: 'step_before',
        offset_days: -7,
        channel: 'email' as const,
        template_key: 'before_due',
        applies_late_fees: false,
      },
      { id: 'step_on', offset_days: 0, channel: 'email' as const, template_key: 'due_today', applies_late_fees: false },
      { id: 'step_call', offset_days: 14, channel: 'call' as const, template_key: null, applies_late_fees: false },
      {
        id: 'step_after',
        offset_days: 7,
        channel: 'email' as const,
        template_key: 'overdue_friendly',
        applies_late_fees: false,
      },
      {
        id: 'step_final',
        offset_days: 30,
        channel: 'email' as const,
        template_key: 'final_notice',
        applies_late_fees: true,
      },
    ],
    repeat: { every_days: 7, max: 3 },
    send_hour: 9,
    send_minute: 0,
    skip_weekends: false,
    skip_holidays: false,
    min_gap_days: 3,
  };
  const planned = planInstallmentOccurrences(
    policy,
    [
      { number: 1, due_date: '2026-04-10' },
      { number: 3, due_date: '2026-06-10' },
    ],
    'Europe/Paris',
  );
  t.same(
    planned.map((p) => [p.installment_number, p.step_id, p.local_date, p.installment_due_on]),
    [
      [1, 'step_before', '2026-04-03', '2026-04-10'],
      [1, 'step_on', '2026-04-10', '2026-04-10'],
      [1, 'step_after', '2026-04-17', '2026-04-10'],
      [3, 'step_before', '2026-06-03', '2026-06-10'],
      [3, 'step_on', '2026-06-10', '2026-06-10'],
      [3, 'step_after', '2026-06-17', '2026-06-10'],
    ],
  );
  t.equal(planned[0]?.scheduled_at.toISOString(), '2026-04-03T07:00:00.000Z', '09:00 in Paris (summer time)');
  t.ok(
    planned.every((p) => p.repeat_index === 0),
    'no repeats',
  );
});
