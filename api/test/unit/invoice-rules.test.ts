import t from 'tap';
import type { AppError } from '../../src/errors.ts';
import {
  assertDueNotBeforeIssue,
  CHASED_STATUSES,
  computeAmounts,
  isChased,
  nextStatus,
  overdueState,
  owesNothing,
} from '../../src/domain/invoices/invoice.rules.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'ok';
};

t.test('computeAmounts completes what is missing and refuses what does not add up', async (t) => {
  t.same(computeAmounts({ subtotal: 1000, tax: 200 }), { subtotal: 1000, tax: 200, total: 1200, line_items: [] });
  t.same(
    computeAmounts({ total: 1200, tax: 200 }),
    { subtotal: 1000, tax: 200, total: 1200, line_items: [] },
    'subtotal from total − tax',
  );
  const lines = computeAmounts({
    line_items: [
      { description: 'a', quantity: 3, unit_amount: 250 },
      { description: 'b', unit_amount: 100 },
    ],
  });
  t.equal(lines.subtotal, 850, 'the sum of the lines');
  t.same(
    lines.line_items.map((l) => [l.quantity, l.amount]),
    [
      [3, 750],
      [1, 100],
    ],
    'quantity defaults to 1',
  );
  t.equal(
    codeOf(() => computeAmounts({})),
    'invoice/amount_required',
  );
  t.equal(
    codeOf(() => computeAmounts({ subtotal: 800, line_items: [{ description: 'a', unit_amount: 850 }] })),
    'invoice/amounts_mismatch',
  );
  t.equal(
    codeOf(() => computeAmounts({ subtotal: 1000, tax: 200, total: 1201 })),
    'invoice/amounts_mismatch',
  );
  t.equal(
    codeOf(() => computeAmounts({ total: 100, tax: 200 })),
    'invoice/amounts_mismatch',
    'tax above the total',
  );
  t.equal(
    codeOf(() => computeAmounts({ subtotal: Number.MAX_SAFE_INTEGER })),
    'invoice/amounts_mismatch',
    'above the largest amount',
  );
});

t.test('the due date may not come before the issue date', async (t) => {
  t.equal(
    codeOf(() => assertDueNotBeforeIssue('2026-05-01', '2026-05-01')),
    'ok',
  );
  t.equal(
    codeOf(() => assertDueNotBeforeIssue('2026-05-01', '2026-04-30')),
    'invoice/due_before_issue',
  );
});

t.test('nextStatus follows the state machine', async (t) => {
  t.equal(nextStatus('draft', 'finalize'), 'open');
  t.equal(nextStatus('draft', 'void'), 'void');
  t.equal(nextStatus('open', 'void'), 'void');
  t.equal(nextStatus('open', 'mark_uncollectible'), 'uncollectible');
  t.equal(nextStatus('partially_paid', 'mark_uncollectible'), 'uncollectible');
  t.equal(nextStatus('draft', 'update'), 'draft');
  t.equal(
    codeOf(() => nextStatus('open', 'update')),
    'invoice/not_draft',
  );
  for (const [from, action] of [
    ['open', 'finalize'],
    ['partially_paid', 'void'],
    ['paid', 'void'],
    ['draft', 'mark_uncollectible'],
    ['void', 'finalize'],
  ] as const) {
    t.equal(
      codeOf(() => nextStatus(from, action)),
      'invoice/invalid_transition',
      `${action} from ${from}`,
    );
  }
});

t.test('chased, owing nothing and overdue', async (t) => {
  t.same([...CHASED_STATUSES], ['open', 'partially_paid']);
  t.ok(isChased({ status: 'open', balance: 1 }));
  t.notOk(isChased({ status: 'open', balance: 0 }), 'nothing left to pay');
  t.notOk(isChased({ status: 'draft', balance: 100 }));
  t.ok(owesNothing({ status: 'paid', balance: 0 }));
  t.ok(owesNothing({ status: 'partially_paid', balance: 0 }), 'a waived remainder');
  t.notOk(owesNothing({ status: 'void', balance: 100 }), 'void is not paid');
  t.same(overdueState({ status: 'open', balance: 100, due_date: '2026-05-01' }, '2026-05-04'), {
    overdue: true,
    days_overdue: 3,
  });
  t.same(
    overdueState({ status: 'open', balance: 100, due_date: '2026-05-01' }, '2026-05-01'),
    { overdue: false, days_overdue: 0 },
    'the due date itself is not late',
  );
  t.same(overdueState({ status: 'paid', balance: 0, due_date: '2026-05-01' }, '2026-06-01'), {
    overdue: false,
    days_overdue: 0,
  });
});
