import t from 'tap';
import { presetReference, type ReferenceRate } from '../../src/domain/late-fees/late-fee.rules.ts';
import { SHIPPED_REFERENCE_RATES } from '../../src/domain/late-fees/reference-rates.data.ts';
import {
  assumedRate,
  assumedRatesIn,
  knownThrough,
  missingReferencePeriods,
  referencePeriodOf,
} from '../../src/domain/late-fees/reference-periods.rules.ts';

const rates: ReferenceRate[] = SHIPPED_REFERENCE_RATES.map((r) => ({ ...r }));

t.test('reference periods: ECB on 1 January / 1 July, Bank of England on 31 December / 30 June', async (t) => {
  t.same(referencePeriodOf('ecb_mro', '2026-07-01'), {
    source: 'ecb_mro',
    period: '2026-H2',
    reference_date: '2026-07-01',
  });
  t.same(referencePeriodOf('boe_base', '2026-06-30'), {
    source: 'boe_base',
    period: '2026-H2',
    reference_date: '2026-06-30',
  });
  t.same(referencePeriodOf('boe_base', '2025-12-31'), {
    source: 'boe_base',
    period: '2026-H1',
    reference_date: '2025-12-31',
  });
  t.same(presetReference('fr_b2b', '2026-06-15')('2026-08-01'), { source: 'ecb_mro', reference_date: '2026-07-01' });
  t.same(
    presetReference('uk_b2b', '2026-07-10')('2027-02-01'),
    { source: 'boe_base', reference_date: '2026-06-30' },
    'UK: fixed by the day the debt became overdue, whatever the day late',
  );
  t.same(
    presetReference('de_b2b', '2025-06-15')('2025-07-01'),
    { source: 'bundesbank_base', reference_date: '2025-07-01' },
    'DE: the Basiszinssatz of the half-year of the day late (§247 BGB: it changes on 1 January and 1 July)',
  );
  t.same(presetReference('de_b2b', '2025-06-15')('2025-06-30'), {
    source: 'bundesbank_base',
    reference_date: '2025-01-01',
  });
  t.same(referencePeriodOf('bundesbank_base', '2026-07-01'), {
    source: 'bundesbank_base',
    period: '2026-H2',
    reference_date: '2026-07-01',
  });
});

t.test('the shipped data is known up to its reference-date confirmations', async (t) => {
  t.equal(knownThrough(rates, 'ecb_mro'), '2026-01-01');
  t.equal(knownThrough(rates, 'boe_base'), '2025-12-31');
  t.equal(
    knownThrough(rates, 'bundesbank_base'),
    '2026-01-01',
    'the Basiszinssatz confirmed at 1.27 % on 1 January 2026',
  );
  t.same(missingReferencePeriods(rates, '2026-03-02'), [], 'all current in March 2026');
});

t.test('a reference date unrecorded for more than 30 days is missing; 30 days is still the grace', async (t) => {
  t.same(missingReferencePeriods(rates, '2026-07-30'), [], '29 days after 1 July, 30 after 30 June: grace');
  t.same(missingReferencePeriods(rates, '2026-07-31'), [
    {
      source: 'boe_base',
      period: '2026-H2',
      reference_date: '2026-06-30',
      assumed_rate_bps: 375,
      assumed_rate_effective_on: '2025-12-31',
    },
  ]);
  t.same(
    missingReferencePeriods(rates, '2027-03-01').map((m) => [m.source, m.period, m.reference_date]),
    [
      ['ecb_mro', '2026-H2', '2026-07-01'],
      ['ecb_mro', '2027-H1', '2027-01-01'],
      ['boe_base', '2026-H2', '2026-06-30'],
      ['boe_base', '2027-H1', '2026-12-31'],
      ['bundesbank_base', '2026-H2', '2026-07-01'],
      ['bundesbank_base', '2027-H1', '2027-01-01'],
    ],
    'every period since the last recorded rate, per source, oldest first',
  );
  const confirmed = [...rates, { source: 'ecb_mro' as const, effective_on: '2026-07-01', rate_bps: 215 }];
  t.same(
    missingReferencePeriods(confirmed, '2026-09-01').map((m) => m.source),
    ['boe_base', 'bundesbank_base'],
    'recording the same rate on the reference date confirms it',
  );
  const later = [...rates, { source: 'ecb_mro' as const, effective_on: '2026-09-10', rate_bps: 190 }];
  t.equal(
    assumedRate(later, 'ecb_mro', '2026-07-01', '2026-12-01'),
    null,
    'a change recorded after the reference date means the rate on that day is known',
  );
});

t.test('assumedRatesIn: only the days of the line, each period once', async (t) => {
  const reference = presetReference('fr_b2b', '2026-06-15');
  const pieces = [
    { from: '2026-06-16', to: '2026-06-30' },
    { from: '2026-07-01', to: '2026-08-15' },
  ];
  t.same(
    assumedRatesIn(rates, pieces, { from: '2026-06-16', to: '2026-08-15' }, reference, '2026-08-15').map((a) => [
      a.source,
      a.period,
      a.assumed_rate_bps,
    ]),
    [['ecb_mro', '2026-H2', 215]],
  );
  t.same(
    assumedRatesIn(rates, pieces.slice(0, 1), { from: '2026-06-16', to: '2026-06-30' }, reference, '2026-08-15'),
    [],
    'days of a half-year whose rate is recorded are not assumed',
  );
  t.same(
    assumedRatesIn(rates, pieces, { from: '2026-06-16', to: '2026-07-20' }, reference, '2026-07-20'),
    [],
    'within 30 days of the reference date, nothing is flagged yet',
  );
});

t.test('ie_b2b: one reference date, the first day of the due date’s half-year', async (t) => {
  const reference = presetReference('ie_b2b', '2025-06-15');
  t.same(reference('2025-06-16'), { source: 'ecb_mro', reference_date: '2025-01-01' });
  t.same(reference('2025-12-31'), { source: 'ecb_mro', reference_date: '2025-01-01' }, 'fixed for the debt');
  t.same(presetReference('ie_b2b', '2025-07-01')('2025-07-02'), { source: 'ecb_mro', reference_date: '2025-07-01' });
});
