import t from 'tap';
import { activePause } from '../../src/domain/customers/customer.rules.ts';
import { assertInvoiceStatus, assertNotPast } from '../../src/domain/pauses/pause.rules.ts';
import { AppError } from '../../src/errors.ts';

t.test('activePause: open-ended, or until a date not yet passed', async (t) => {
  const row = (paused: boolean, paused_until: string | null) => ({ paused, paused_until, pause_reason: 'holiday' });
  t.equal(activePause(row(false, null), '2026-05-01'), null, 'not paused');
  t.same(activePause(row(true, null), '2026-05-01'), { until: null, reason: 'holiday' });
  t.same(
    activePause(row(true, '2026-05-01'), '2026-05-01'),
    { until: '2026-05-01', reason: 'holiday' },
    'its last day still counts',
  );
  t.equal(activePause(row(true, '2026-04-30'), '2026-05-01'), null, 'over once its last day has passed');
});

t.test('assertNotPast accepts today and later, refuses the past with the field named', async (t) => {
  const error = { code: 'pause/until_in_past', field: '/until', what: 'The end of the pause' };
  t.doesNotThrow(() => assertNotPast('2026-05-01', '2026-05-01', error));
  t.doesNotThrow(() => assertNotPast('2026-05-02', '2026-05-01', error));
  try {
    assertNotPast('2026-04-30', '2026-05-01', error);
    t.fail('should refuse');
  } catch (e) {
    t.ok(e instanceof AppError);
    t.match(e, { code: 'pause/until_in_past', status: 422, errors: [{ field: '/until' }] });
  }
});

t.test('assertInvoiceStatus refuses a state not in the list with the transition code', async (t) => {
  t.doesNotThrow(() => assertInvoiceStatus('open', ['open', 'partially_paid'], 'pause'));
  t.throws(() => assertInvoiceStatus('paid', ['open', 'partially_paid'], 'pause'), {
    code: 'invoice/invalid_transition',
    status: 409,
  });
});
