import t from 'tap';
import {
  EINVOICE_CODES,
  EINVOICE_STATUSES,
  isEinvoicePause,
  pauseReasonOf,
  reactionTo,
} from '../../src/domain/einvoicing/einvoice.rules.ts';

t.test('the fourteen lifecycle statuses, 200 to 213, each named in French and English', async (t) => {
  t.same(
    EINVOICE_CODES,
    Array.from({ length: 14 }, (_, i) => 200 + i),
  );
  for (const code of EINVOICE_CODES) {
    t.ok(EINVOICE_STATUSES[code].fr.length > 0 && EINVOICE_STATUSES[code].en.length > 0, `${code} has both names`);
  }
});

t.test('reactionTo: a dispute, a pause, a payment claim, a release, or nothing', async (t) => {
  const expected: Record<number, string> = {
    207: 'dispute',
    208: 'pause',
    210: 'pause',
    213: 'pause',
    211: 'payment_claim',
    205: 'release',
    209: 'release',
  };
  for (const code of EINVOICE_CODES) {
    t.equal(reactionTo(code).kind, expected[code] ?? 'none', `${code} ${EINVOICE_STATUSES[code].en}`);
  }
});

t.test('the pause a status writes is recognised as an e-invoicing pause, and no other', async (t) => {
  t.equal(pauseReasonOf(208), 'einvoice:208 suspended');
  t.equal(pauseReasonOf(213), 'einvoice:213 rejected');
  for (const code of EINVOICE_CODES.filter((c) => reactionTo(c).kind === 'pause')) {
    t.ok(isEinvoicePause(pauseReasonOf(code)), `${code}'s pause`);
  }
  t.notOk(isEinvoicePause('Customer on holiday'), "a person's pause");
  t.notOk(isEinvoicePause(null), 'no reason');
});
