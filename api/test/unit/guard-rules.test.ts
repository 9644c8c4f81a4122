import t from 'tap';
import {
  type GuardInput,
  guardBeforeSend,
  PROMISE_GRACE_DAYS,
  reasonToStopDelivery,
} from '../../src/domain/reminders/guard.rules.ts';

const base: GuardInput = {
  invoice: {
    status: 'open',
    balance: 5000,
    due_date: '2026-05-10',
    disputed: false,
    paused: false,
    paused_until: null,
    promise_to_pay_on: null,
    payment_claimed_until: null,
  },
  customer: { paused: false, paused_until: null },
  occurrence: { offset_days: 3 },
  minBalance: 0,
  today: '2026-05-13',
  laterStepDue: false,
};
const guard = (
  change: { invoice?: Partial<GuardInput['invoice']>; customer?: Partial<GuardInput['customer']> } & Partial<
    Omit<GuardInput, 'invoice' | 'customer'>
  >,
) =>
  guardBeforeSend({
    ...base,
    ...change,
    invoice: { ...base.invoice, ...change.invoice },
    customer: { ...base.customer, ...change.customer },
  });

t.test('an owed, unpaused, due reminder is sent', async (t) => {
  t.same(guard({}), { action: 'send', promiseBroken: false });
});

t.test('closed or settled invoices are skipped with their reason', async (t) => {
  t.same(guard({ invoice: { status: 'paid', balance: 0 } }), { action: 'skip', reason: 'paid' });
  t.same(
    guard({ invoice: { status: 'partially_paid', balance: 0 } }),
    { action: 'skip', reason: 'paid' },
    'nothing left to pay',
  );
  for (const status of ['void', 'uncollectible', 'draft'])
    t.same(guard({ invoice: { status } }), { action: 'skip', reason: status }, status);
  t.same(guard({ minBalance: 5001 }), { action: 'skip', reason: 'below_minimum' });
  t.same(guard({ minBalance: 5000 }), { action: 'send', promiseBroken: false }, 'the minimum itself is enough');
});

t.test('a dispute or an open-ended pause holds; a pause with an end defers to the day after', async (t) => {
  t.same(guard({ invoice: { disputed: true } }), { action: 'hold', reason: 'disputed' });
  t.same(guard({ invoice: { paused: true } }), { action: 'hold', reason: 'paused' });
  t.same(guard({ invoice: { paused: true, paused_until: '2026-05-20' } }), {
    action: 'defer',
    reason: 'paused',
    until: '2026-05-21',
  });
  t.same(
    guard({ invoice: { paused: true, paused_until: '2026-05-12' } }),
    { action: 'send', promiseBroken: false },
    'a pause that has ended',
  );
  t.same(guard({ customer: { paused: true } }), { action: 'hold', reason: 'customer_paused' });
  t.same(guard({ customer: { paused: true, paused_until: '2026-05-13' } }), {
    action: 'defer',
    reason: 'customer_paused',
    until: '2026-05-14',
  });
  t.same(
    guard({ invoice: { status: 'paid', balance: 0, disputed: true } }),
    { action: 'skip', reason: 'paid' },
    'paid outranks disputed',
  );
});

t.test('a promise defers until its grace has passed, then the reminder goes out as a broken promise', async (t) => {
  const resume = `2026-05-${String(12 + PROMISE_GRACE_DAYS + 1).padStart(2, '0')}`;
  t.same(guard({ invoice: { promise_to_pay_on: '2026-05-12' }, today: '2026-05-13' }), {
    action: 'defer',
    reason: 'promise',
    until: resume,
  });
  t.same(guard({ invoice: { promise_to_pay_on: '2026-05-12' }, today: resume }), {
    action: 'send',
    promiseBroken: true,
  });
});

t.test('a stale step is skipped rather than sent late', async (t) => {
  t.same(
    guard({ occurrence: { offset_days: -7 }, today: '2026-05-11' }),
    { action: 'skip', reason: 'stale' },
    'a before-due step after the due date',
  );
  t.same(
    guard({ occurrence: { offset_days: -7 }, today: '2026-05-10' }),
    { action: 'send', promiseBroken: false },
    'on the due date it still goes',
  );
  t.same(guard({ laterStepDue: true }), { action: 'skip', reason: 'stale' }, 'superseded by a later step');
});

t.test('reasonToStopDelivery: closed, settled or disputed stops a stored email', async (t) => {
  t.equal(reasonToStopDelivery({ status: 'open', balance: 10, disputed: false }), null);
  t.equal(reasonToStopDelivery({ status: 'open', balance: 0, disputed: false }), 'paid');
  t.equal(reasonToStopDelivery({ status: 'void', balance: 10, disputed: false }), 'void');
  t.equal(reasonToStopDelivery({ status: 'open', balance: 10, disputed: true }), 'disputed');
});

t.test('a payment claim defers reminders through its last day, then lets them go', async (t) => {
  t.same(guard({ invoice: { payment_claimed_until: '2026-05-20' } }), {
    action: 'defer',
    reason: 'payment_claim',
    until: '2026-05-21',
  });
  t.same(
    guard({ invoice: { payment_claimed_until: '2026-05-13' } }),
    {
      action: 'defer',
      reason: 'payment_claim',
      until: '2026-05-14',
    },
    'the last day of the hold still holds',
  );
  t.same(guard({ invoice: { payment_claimed_until: '2026-05-12' } }), { action: 'send', promiseBroken: false });
  t.same(
    guard({ invoice: { payment_claimed_until: '2026-05-20', status: 'paid', balance: 0 } }),
    {
      action: 'skip',
      reason: 'paid',
    },
    'a paid invoice is skipped, not deferred',
  );
});
