import t from 'tap';
import {
  BUILTIN_PAYMENT_TERMS,
  DEFAULT_TERMS_CODE,
  describeRule,
  dueDateFor,
  earlyDiscountAmount,
  earlyDiscountDeadline,
  type DueDateRule,
} from '../../src/domain/payment-terms/terms.rules.ts';

const net = (days: number): DueDateRule => ({ kind: 'net', days });
const eom = (days: number): DueDateRule => ({ kind: 'days_end_of_month', days });
const eomPlus = (days: number): DueDateRule => ({ kind: 'end_of_month_plus', days });

t.test('due_on_receipt is the issue date', async (t) => {
  t.equal(dueDateFor({ kind: 'due_on_receipt' }, '2026-01-20'), '2026-01-20');
  t.equal(dueDateFor({ kind: 'due_on_receipt' }, '2024-02-29'), '2024-02-29');
  t.throws(
    () => dueDateFor({ kind: 'due_on_receipt' }, '2023-02-29'),
    RangeError,
    'invalid date is not passed through',
  );
});

t.test('net: issue date + N days', async (t) => {
  t.equal(dueDateFor(net(30), '2024-01-31'), '2024-03-01', 'leap year: Feb has 29 days');
  t.equal(dueDateFor(net(30), '2023-01-31'), '2023-03-02');
  t.equal(dueDateFor(net(60), '2100-01-01'), '2100-03-02', '2100 is not a leap year');
  t.equal(dueDateFor(net(60), '2024-01-01'), '2024-03-01');
  t.equal(dueDateFor(net(15), '2025-12-20'), '2026-01-04', 'year boundary');
  t.equal(dueDateFor(net(0), '2026-05-17'), '2026-05-17');
  t.equal(dueDateFor(net(365), '2024-03-01'), '2025-03-01');
});

t.test('days_end_of_month: + N days, then the end of that month', async (t) => {
  t.equal(dueDateFor(eom(45), '2026-01-20'), '2026-03-31', '2026-01-20 + 45 d = 2026-03-06');
  t.equal(dueDateFor(eom(45), '2026-01-10'), '2026-02-28', '+45 d = 2026-02-24, non-leap February');
  t.equal(dueDateFor(eom(45), '2024-01-10'), '2024-02-29', '+45 d = 2024-02-24, leap February');
  t.equal(dueDateFor(eom(30), '2100-01-15'), '2100-02-28', '2100 is not a leap year');
  t.equal(dueDateFor(eom(45), '2025-12-20'), '2026-02-28', 'across the year end');
  t.equal(dueDateFor(eom(45), '2023-12-31'), '2024-02-29');
  t.equal(dueDateFor(eom(30), '2024-01-31'), '2024-03-31', '+30 d = 2024-03-01');
  t.equal(dueDateFor(eom(30), '2024-01-30'), '2024-02-29', '+30 d = 2024-02-29 is already a month end');
  t.equal(dueDateFor(eom(0), '2026-02-10'), '2026-02-28');
  // The other reading (end of month first, then + 45) would give 2026-03-17.
  t.not(dueDateFor(eom(45), '2026-01-20'), dueDateFor(eomPlus(45), '2026-01-20'));
});

t.test('end_of_month_plus: end of the issue month, then + N days', async (t) => {
  t.equal(dueDateFor(eomPlus(10), '2026-01-20'), '2026-02-10');
  t.equal(dueDateFor(eomPlus(10), '2026-01-31'), '2026-02-10', 'issued on the month end itself');
  t.equal(dueDateFor(eomPlus(10), '2026-12-05'), '2027-01-10', 'from December into the next year');
  t.equal(dueDateFor(eomPlus(10), '2024-02-10'), '2024-03-10', 'from 2024-02-29');
  t.equal(dueDateFor(eomPlus(1), '2023-02-10'), '2023-03-01', 'from 2023-02-28');
  t.equal(dueDateFor(eomPlus(30), '2026-01-31'), '2026-03-02', 'lands past the short February');
  t.equal(dueDateFor(eomPlus(45), '2026-01-20'), '2026-03-17');
  t.equal(dueDateFor(eomPlus(0), '2026-04-01'), '2026-04-30');
});

t.test('early payment discount deadline', async (t) => {
  t.equal(earlyDiscountDeadline({ percent_bps: 200, within_days: 10 }, '2026-01-25'), '2026-02-04');
  t.equal(earlyDiscountDeadline({ percent_bps: 200, within_days: 10 }, '2024-02-20'), '2024-03-01');
  t.equal(earlyDiscountDeadline({ percent_bps: 200, within_days: 10 }, '2023-02-20'), '2023-03-02');
  t.equal(earlyDiscountDeadline({ percent_bps: 200, within_days: 0 }, '2026-12-31'), '2026-12-31');
  t.equal(earlyDiscountDeadline({ percent_bps: 200, within_days: 8 }, '2026-12-28'), '2027-01-05');
});

t.test('early payment discount amount rounds half-up on integers', async (t) => {
  const d = (percent_bps: number) => ({ percent_bps, within_days: 10 });
  t.equal(earlyDiscountAmount(d(200), 10000), 200, '2 % of 100.00');
  t.equal(earlyDiscountAmount(d(200), 12345), 247, '246.9 → 247');
  t.equal(earlyDiscountAmount(d(200), 12320), 246, '246.4 → 246');
  t.equal(earlyDiscountAmount(d(5000), 1), 1, '0.5 → 1 (half-up)');
  t.equal(earlyDiscountAmount(d(5000), 3), 2, '1.5 → 2');
  t.equal(earlyDiscountAmount(d(250), 10), 0, '0.25 → 0');
  t.equal(earlyDiscountAmount(d(150), 1999), 30, '29.985 → 30');
  t.equal(earlyDiscountAmount(d(5000), -3), -2, 'credit note mirrors its invoice');
  t.ok(Object.is(earlyDiscountAmount(d(1), -1), 0), 'no negative zero');
  t.equal(earlyDiscountAmount(d(200), 0), 0);
  t.equal(earlyDiscountAmount(d(10000), 100_000_000_000_000), 100_000_000_000_000, '100 % of the largest amount');
  t.equal(earlyDiscountAmount(d(1), 100_000_000_000_000), 10_000_000_000);
  // total × bps = 484688393482974966 > 2^53: Math.floor((total*bps + 5000) / 10000) gives ...298.
  t.equal(earlyDiscountAmount(d(9769), 49_614_944_567_814), 48_468_839_348_297);
});

t.test('built-in payment terms', async (t) => {
  t.same(
    BUILTIN_PAYMENT_TERMS.map((terms) => [terms.code, terms.name]),
    [
      ['due_on_receipt', 'Due on receipt'],
      ['net_15', 'Net 15'],
      ['net_30', 'Net 30'],
      ['net_45', 'Net 45'],
      ['net_60', 'Net 60'],
      ['eom_30', '30 days end of month'],
      ['eom_45', '45 days end of month'],
      ['eom_plus_10', 'End of month + 10 days'],
    ],
  );
  for (const terms of BUILTIN_PAYMENT_TERMS) {
    t.equal(describeRule(terms.rule), terms.name, `${terms.code} is named after its rule`);
  }
  const byCode = new Map(BUILTIN_PAYMENT_TERMS.map((terms) => [terms.code, terms.rule]));
  t.same(byCode.get(DEFAULT_TERMS_CODE), { kind: 'net', days: 30 }, 'default is Net 30');
  t.equal(dueDateFor(byCode.get('eom_45')!, '2026-01-20'), '2026-03-31');
  t.equal(dueDateFor(byCode.get('eom_plus_10')!, '2026-01-20'), '2026-02-10');
  t.ok(Object.isFrozen(BUILTIN_PAYMENT_TERMS));
  t.ok(
    BUILTIN_PAYMENT_TERMS.every((terms) => Object.isFrozen(terms) && Object.isFrozen(terms.rule)),
    'entries are frozen',
  );
});

t.test('describeRule', async (t) => {
  t.equal(describeRule({ kind: 'due_on_receipt' }), 'Due on receipt');
  t.equal(describeRule(net(7)), 'Net 7');
  t.equal(describeRule(eom(45)), '45 days end of month');
  t.equal(describeRule(eom(1)), '1 day end of month');
  t.equal(describeRule(eom(0)), 'End of month');
  t.equal(describeRule(eomPlus(10)), 'End of month + 10 days');
  t.equal(describeRule(eomPlus(1)), 'End of month + 1 day');
  t.equal(describeRule(eomPlus(0)), 'End of month');
});
