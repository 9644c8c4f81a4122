import t from 'tap';
import { assessRisk, DEFAULT_RISK_THRESHOLDS, thresholdsOf } from '../../src/domain/behaviour/index.ts';
import type { CustomerBehaviour } from '../../src/domain/behaviour/index.ts';

const quiet: CustomerBehaviour = {
  object: 'customer_behaviour',
  customer_id: 'cus_x',
  as_of: '2026-06-30',
  window_from: '2025-07-01',
  paid_invoices: 0,
  paid_late_invoices: 0,
  share_paid_late: null,
  reminders_on_paid_invoices: 0,
  reminders_per_paid_invoice: null,
  promises_made: 0,
  promises_broken: 0,
  payment_plans_breached: 0,
  firm_reminders: 0,
  unanswered_reminders: 0,
  last_payment_on: null,
  currencies: [],
};
const currency = (c: string, overdue: number, days: number | null = null) => ({
  currency: c,
  paid_invoices: days === null ? 0 : 1,
  paid_late_invoices: days ? 1 : 0,
  paid_amount: days === null ? 0 : 100,
  average_days_late: days,
  overdue_amount: overdue,
  overdue_invoices: overdue > 0 ? 1 : 0,
});
const codes = (b: CustomerBehaviour, th = DEFAULT_RISK_THRESHOLDS) => {
  const r = assessRisk(b, th);
  return [r.level, r.reasons.map((x) => x.code)];
};

t.test('a customer with nothing against it is low', async (t) => {
  t.same(codes(quiet), ['low', []]);
});

t.test('each reason at its threshold, and the level from the points', async (t) => {
  t.same(codes({ ...quiet, promises_broken: 1 }), ['medium', ['broken_promises']]);
  t.same(codes({ ...quiet, payment_plans_breached: 1 }), ['high', ['breached_plan']], 'a breached plan weighs two');
  t.same(codes({ ...quiet, unanswered_reminders: 1 }), ['low', []], 'one unanswered firm step is under 2');
  t.same(codes({ ...quiet, unanswered_reminders: 2 }), ['medium', ['unanswered']]);
  t.same(codes({ ...quiet, currencies: [currency('EUR', 499999)] }), ['low', []]);
  t.same(codes({ ...quiet, currencies: [currency('EUR', 500000)] }), ['medium', ['large_overdue']]);
  t.same(codes({ ...quiet, currencies: [currency('JPY', 99999999)] }), ['low', []], 'a currency without a figure');
  t.same(
    codes({ ...quiet, currencies: [currency('EUR', 600000), currency('GBP', 700000)] }),
    ['medium', ['large_overdue', 'large_overdue']],
    'two currencies over: two reasons, one reason worth of points',
  );
  t.same(
    codes({
      ...quiet,
      promises_broken: 2,
      payment_plans_breached: 1,
      unanswered_reminders: 3,
      currencies: [currency('EUR', 900000)],
    }),
    ['critical', ['broken_promises', 'breached_plan', 'unanswered', 'large_overdue']],
  );
});

t.test('chronic lateness: a share of late invoices out of enough, or many days late', async (t) => {
  const paid = (n: number, late: number) => ({
    ...quiet,
    paid_invoices: n,
    paid_late_invoices: late,
    share_paid_late: late / n,
  });
  t.same(codes(paid(2, 2)), ['low', []], 'two invoices are not enough to call it chronic');
  t.same(codes(paid(3, 1)), ['low', []]);
  t.same(codes(paid(4, 2)), ['medium', ['chronic_lateness']]);
  const r = assessRisk(paid(4, 2));
  t.same(r.reasons[0], { code: 'chronic_lateness', points: 1, value: 0.5, threshold: 0.5, currency: null });
  const slow = { ...quiet, currencies: [currency('EUR', 0, 12), currency('GBP', 0, 31)] };
  t.same(assessRisk(slow).reasons, [
    { code: 'chronic_lateness', points: 1, value: 31, threshold: 30, currency: 'GBP' },
  ]);
});

t.test('an account tunes its thresholds over the defaults', async (t) => {
  const th = thresholdsOf({ unanswered_reminders: 1, large_overdue: { JPY: 1000000 } });
  t.equal(th.broken_promises, 1, 'the others keep their defaults');
  t.same(codes({ ...quiet, unanswered_reminders: 1 }, th), ['medium', ['unanswered']]);
  t.same(codes({ ...quiet, currencies: [currency('JPY', 1000000)] }, th), ['medium', ['large_overdue']]);
  t.same(
    codes({ ...quiet, currencies: [currency('EUR', 900000)] }, th),
    ['low', []],
    'the list replaces the default one',
  );
});
