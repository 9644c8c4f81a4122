import t from 'tap';
import {
  balanceHistory,
  fixedRecoveryFee,
  interestFor,
  presetRate,
  presetRateArgs,
  rateInForce,
  type ReferenceRate,
  ukReferenceDate,
} from '../../src/domain/late-fees/late-fee.rules.ts';
import { SHIPPED_REFERENCE_RATES } from '../../src/domain/late-fees/reference-rates.data.ts';

const rates: ReferenceRate[] = SHIPPED_REFERENCE_RATES.map((r) => ({ ...r }));
const whole = (from: string, to: string, balance: number) => [{ from, to, balance }];

t.test('golden: 5,000.00 GBP at 12.25 % for 101 days = 169.49, rounded once', async (t) => {
  const r = interestFor({
    balances: whole('2025-01-01', '2026-12-31', 500_000),
    dueDate: '2025-07-15',
    asOf: '2025-10-24',
    fixedRate: 1225,
  });
  t.equal(r.amount, 16949);
  t.equal(
    r.pieces.reduce((n, p) => n + p.days, 0),
    101,
  );
  t.notOk(r.capped);
  // Rounding each day (167.81 p/day → 167.81… each) would drift; rounding once is exact.
  const perDay = Math.round((500_000 * 1225) / 3_650_000);
  t.not(perDay * 101, 16949, 'per-day rounding would give another figure');
});

t.test('golden: the same debt under the uk_b2b preset (BoE 4.25 % on 30 June 2025 + 8)', async (t) => {
  t.equal(ukReferenceDate('2025-07-16'), '2025-06-30');
  t.equal(ukReferenceDate('2025-06-30'), '2024-12-31');
  t.equal(ukReferenceDate('2026-01-01'), '2025-12-31');
  const args = presetRateArgs('uk_b2b', rates, '2025-07-15');
  t.same(args, { fixedRate: 1225 });
  const r = interestFor({
    balances: whole('2025-07-15', '2027-01-01', 500_000),
    dueDate: '2025-07-15',
    asOf: '2025-10-24',
    ...args,
  });
  t.equal(r.amount, 16949);
  t.same(
    r.pieces.map((p) => p.rate_bps),
    [1225],
    'one half-year, one piece',
  );
  const acrossNewYear = interestFor({
    balances: whole('2025-07-15', '2027-01-01', 500_000),
    dueDate: '2025-07-15',
    asOf: '2026-02-10',
    ...args,
  });
  t.same(
    acrossNewYear.pieces.map((p) => p.rate_bps),
    [1225, 1225],
    'split at 1 January for bookkeeping, the rate stays fixed for the debt’s life, even after the BoE rate changed',
  );
});

t.test('golden: a partial payment mid-period lowers the balance from its day on', async (t) => {
  // 10,000.00 EUR due 31 Jan 2025, fr_b2b (ECB 3.15 % on 1 Jan 2025 + 10 = 13.15 %); 4,000.00 received 2 March.
  const balances = balanceHistory(600_000, [{ on: '2025-03-02', amount: 400_000 }], '2025-02-01', '2025-03-31');
  t.same(balances, [
    { from: '2025-02-01', to: '2025-03-01', balance: 1_000_000 },
    { from: '2025-03-02', to: '2025-03-31', balance: 600_000 },
  ]);
  const r = interestFor({
    balances,
    dueDate: '2025-01-31',
    asOf: '2025-03-31',
    ...presetRateArgs('fr_b2b', rates, '2025-01-31'),
  });
  t.same(
    r.pieces.map((p) => [p.days, p.balance, p.rate_bps]),
    [
      [29, 1_000_000, 1315],
      [30, 600_000, 1315],
    ],
  );
  t.equal(r.amount, 16933, '(1,000,000 × 1315 × 29 + 600,000 × 1315 × 30) / 3,650,000 = 16,932.88 → 169.33 EUR');
});

t.test('golden: a period crossing 1 July is split, each half-year at its own ECB rate', async (t) => {
  t.equal(presetRate('fr_b2b', rates, '2025-06-30'), 1315, 'H1 2025: ECB 3.15 % on 1 January + 10');
  t.equal(presetRate('fr_b2b', rates, '2025-07-01'), 1215, 'H2 2025: ECB 2.15 % on 1 July + 10');
  t.equal(presetRate('eu_b2b', rates, '2025-07-01'), 1015, 'EU: + 8 points');
  t.equal(presetRate('fr_b2b', rates, '2022-09-30'), 1000, 'H2 2022: the 27 July hike came after 1 July');
  t.equal(presetRate('fr_b2b', rates, '2023-01-15'), 1250);
  t.equal(presetRate('fr_b2b', rates, '2023-08-15'), 1400);
  t.equal(presetRate('fr_b2b', rates, '2024-02-15'), 1450);
  t.equal(presetRate('fr_b2b', rates, '2024-11-15'), 1425);
  const r = interestFor({
    balances: whole('2025-01-01', '2025-12-31', 1_000_000),
    dueDate: '2025-06-15',
    asOf: '2025-07-20',
    ...presetRateArgs('fr_b2b', rates, '2025-06-15'),
  });
  t.same(
    r.pieces.map((p) => [p.from, p.to, p.days, p.rate_bps]),
    [
      ['2025-06-16', '2025-06-30', 15, 1315],
      ['2025-07-01', '2025-07-20', 20, 1215],
    ],
  );
  t.equal(r.amount, 12062, '(1,000,000 × (1315 × 15 + 1215 × 20)) / 3,650,000 = 12,061.64 → 120.62 EUR');
});

t.test('the French 40 EUR recovery fee and the UK bands', async (t) => {
  t.same(fixedRecoveryFee('fr_b2b', 1, 'EUR'), { amount: 4000, currency: 'EUR' });
  t.same(fixedRecoveryFee('eu_b2b', 999_999_999, 'EUR'), { amount: 4000, currency: 'EUR' });
  t.equal(
    fixedRecoveryFee('fr_b2b', 100_000, 'USD'),
    null,
    'the statutory sum is in EUR: no automatic fee in another currency',
  );
  t.same(fixedRecoveryFee('uk_b2b', 99_999, 'GBP'), { amount: 4000, currency: 'GBP' }, '999.99 GBP → 40');
  t.same(fixedRecoveryFee('uk_b2b', 100_000, 'GBP'), { amount: 7000, currency: 'GBP' }, '1,000.00 GBP → 70');
  t.same(fixedRecoveryFee('uk_b2b', 999_999, 'GBP'), { amount: 7000, currency: 'GBP' });
  t.same(fixedRecoveryFee('uk_b2b', 1_000_000, 'GBP'), { amount: 10000, currency: 'GBP' }, '10,000.00 GBP → 100');
  t.equal(fixedRecoveryFee('uk_b2b', 1_000_000, 'EUR'), null);
  t.equal(fixedRecoveryFee('none', 1_000_000, 'EUR'), null);
});

t.test('rounding in currencies of 0 and 3 decimals (JPY, KWD) and exactly half', async (t) => {
  const jpy = interestFor({
    balances: whole('2026-01-01', '2026-12-31', 1_000_000),
    dueDate: '2026-02-01',
    asOf: '2026-03-03',
    fixedRate: 1000,
  });
  t.equal(jpy.amount, 8219, '¥1,000,000 at 10 % for 30 days = ¥8,219.18 → ¥8,219');
  const kwd = interestFor({
    balances: whole('2026-01-01', '2026-12-31', 1_234_567),
    dueDate: '2026-02-01',
    asOf: '2026-03-18',
    fixedRate: 1225,
  });
  t.equal(kwd.amount, 18645, 'KWD 1,234.567 at 12.25 % for 45 days = 18.645344 → KWD 18.645');
  const half = (balance: number) =>
    interestFor({
      balances: whole('2026-01-01', '2026-12-31', balance),
      dueDate: '2026-02-01',
      asOf: '2026-02-02',
      fixedRate: 1000,
    }).amount;
  t.equal(half(1825), 1, '0.5 rounds up');
  t.equal(half(1824), 0, '0.4997 rounds down');
  const huge = interestFor({
    balances: whole('2026-01-01', '2036-12-31', 100_000_000_000_000),
    dueDate: '2026-01-01',
    asOf: '2035-12-31',
    fixedRate: 5000,
  });
  t.equal(
    huge.amount,
    Number((100_000_000_000_000n * 5000n * 3651n * 2n + 3_650_000n) / (3_650_000n * 2n)),
    'exact beyond 2^53 intermediates',
  );
});

t.test('grace days, cap, nothing before the due date or on a zero balance', async (t) => {
  const base = { balances: whole('2026-01-01', '2026-12-31', 1_000_000), dueDate: '2026-03-01', fixedRate: 1000 };
  t.equal(interestFor({ ...base, asOf: '2026-03-01' }).amount, 0, 'not late on the due date');
  t.equal(interestFor({ ...base, asOf: '2026-02-01' }).amount, 0);
  t.equal(interestFor({ ...base, asOf: '2026-03-11' }).amount, 2740, '10 days: 2,739.73 → 2,740');
  t.equal(
    interestFor({ ...base, asOf: '2026-03-11', graceDays: 5 }).amount,
    1370,
    'grace of 5: the 5 days after it only',
  );
  t.equal(interestFor({ ...base, asOf: '2026-03-05', graceDays: 5 }).amount, 0, 'inside the grace period');
  const capped = interestFor({ ...base, asOf: '2026-12-31', cap: 5000 });
  t.same([capped.amount, capped.capped], [5000, true]);
  t.ok(capped.uncapped > 5000);
  t.equal(interestFor({ ...base, balances: whole('2026-01-01', '2026-12-31', 0), asOf: '2026-12-31' }).amount, 0);
  t.throws(
    () => interestFor({ ...base, asOf: '2026-04-01', annualRateFor: () => 1 }),
    TypeError,
    'one rate source only',
  );
});

t.test('reference rates: the one in force on a day, and a missing one is an error', async (t) => {
  t.equal(rateInForce(rates, 'ecb_mro', '2022-07-26'), 0);
  t.equal(rateInForce(rates, 'ecb_mro', '2022-07-27'), 50);
  t.equal(rateInForce(rates, 'boe_base', '2025-12-31'), 375);
  t.throws(() => rateInForce(rates, 'ecb_mro', '1990-01-01'), { code: 'late_fee/reference_rate_missing' });
  t.equal(presetRate('none', [], '2026-01-01'), 0);
});

t.test('balance history: payments before, inside and after the window', async (t) => {
  t.same(balanceHistory(500, [], '2026-01-01', '2026-01-31'), [{ from: '2026-01-01', to: '2026-01-31', balance: 500 }]);
  t.same(
    balanceHistory(
      0,
      [
        { on: '2025-12-01', amount: 100 },
        { on: '2026-01-11', amount: 300 },
        { on: '2026-02-15', amount: 200 },
      ],
      '2026-01-01',
      '2026-01-31',
    ),
    [
      { from: '2026-01-01', to: '2026-01-10', balance: 500 },
      { from: '2026-01-11', to: '2026-01-31', balance: 200 },
    ],
    'a payment before the window is already out of the balance; one after it still owed',
  );
  t.same(
    balanceHistory(0, [{ on: '2026-01-01', amount: 100 }], '2026-01-01', '2026-01-31'),
    [],
    'paid on the first late day: nothing',
  );
});

t.test('golden: de_b2b, Basiszinssatz + 9 points, split at the 1 July 2025 change', async (t) => {
  // §247 BGB: 2.27 % from 1 January 2025, 1.27 % from 1 July 2025; §288(2) BGB: + 9 points.
  t.equal(presetRate('de_b2b', rates, '2025-06-30'), 1127);
  t.equal(presetRate('de_b2b', rates, '2025-07-01'), 1027);
  t.equal(presetRate('de_b2b', rates, '2026-03-01'), 1027, '1.27 % confirmed on 1 January 2026');
  const r = interestFor({
    balances: whole('2025-06-01', '2025-12-31', 1_000_000),
    dueDate: '2025-06-15',
    asOf: '2025-07-20',
    ...presetRateArgs('de_b2b', rates, '2025-06-15'),
  });
  // 10,000.00 EUR × (11.27 % × 15 days [16–30 June] + 10.27 % × 20 days [1–20 July]) / 365
  // = 1,000,000 × 37,445 / 3,650,000 = 10,258.90 → 102.59 EUR.
  t.same(
    r.pieces.map((p) => [p.from, p.to, p.days, p.rate_bps]),
    [
      ['2025-06-16', '2025-06-30', 15, 1127],
      ['2025-07-01', '2025-07-20', 20, 1027],
    ],
  );
  t.equal(r.amount, 10259);
  t.same(fixedRecoveryFee('de_b2b', 1_000_000, 'EUR'), { amount: 4000, currency: 'EUR' }, '§288(5) BGB: 40 EUR');
  t.equal(fixedRecoveryFee('de_b2b', 1_000_000, 'GBP'), null, 'defined in EUR only');
});

t.test('golden: de_b2b across 1 January 2023, from a negative Basiszinssatz (−0.88 %)', async (t) => {
  const r = interestFor({
    balances: whole('2022-12-01', '2023-06-30', 500_000),
    dueDate: '2022-12-15',
    asOf: '2023-01-10',
    ...presetRateArgs('de_b2b', rates, '2022-12-15'),
  });
  // 5,000.00 EUR × (8.12 % × 16 days + 10.62 % × 10 days) / 365 = 500,000 × 23,612 / 3,650,000
  // = 3,234.52 → 32.35 EUR.
  t.same(
    r.pieces.map((p) => p.rate_bps),
    [812, 1062],
  );
  t.equal(r.amount, 3235);
});

t.test('golden: ie_b2b, ECB + 8 points fixed at the due date, across the 1 July 2025 change', async (t) => {
  // S.I. No. 580 of 2012: the ECB main refinancing rate as at 1 January or 1 July, + 8 points;
  // "only one ECB rate will apply to a late payment" (enterprise.gov.ie): the rate of the due
  // date's half-year. ECB 3.15 % on 1 January 2025, 2.15 % on 1 July 2025.
  t.equal(presetRate('ie_b2b', rates, '2025-06-16'), 1115, 'due 15 June: 3.15 % + 8');
  t.equal(presetRate('ie_b2b', rates, '2025-07-01'), 1115, 'due 30 June: still the first half-year');
  t.equal(presetRate('ie_b2b', rates, '2025-07-02'), 1015, 'due 1 July: 2.15 % + 8');
  const r = interestFor({
    balances: whole('2025-06-01', '2025-12-31', 1_000_000),
    dueDate: '2025-06-15',
    asOf: '2025-07-20',
    ...presetRateArgs('ie_b2b', rates, '2025-06-15'),
  });
  // 10,000.00 EUR × 11.15 % × 35 days [16 June–20 July] / 365 = 1,000,000 × 39,025 / 3,650,000
  // = 10,691.78 → 106.92 EUR: the same rate on both sides of 1 July (the pieces still follow the
  // half-years), where eu_b2b changes it.
  t.same(
    r.pieces.map((p) => [p.from, p.to, p.days, p.rate_bps]),
    [
      ['2025-06-16', '2025-06-30', 15, 1115],
      ['2025-07-01', '2025-07-20', 20, 1115],
    ],
  );
  t.equal(r.amount, 10692);
  const eu = interestFor({
    balances: whole('2025-06-01', '2025-12-31', 1_000_000),
    dueDate: '2025-06-15',
    asOf: '2025-07-20',
    ...presetRateArgs('eu_b2b', rates, '2025-06-15'),
  });
  t.same(
    eu.pieces.map((p) => p.rate_bps),
    [1115, 1015],
    'the EU preset splits at 1 July',
  );
  // Compensation: €40 not exceeding €1,000; €70 not exceeding €10,000; €100 above.
  t.same(fixedRecoveryFee('ie_b2b', 100_000, 'EUR'), { amount: 4000, currency: 'EUR' }, 'exactly €1,000: €40');
  t.same(fixedRecoveryFee('ie_b2b', 100_001, 'EUR'), { amount: 7000, currency: 'EUR' });
  t.same(fixedRecoveryFee('ie_b2b', 1_000_000, 'EUR'), { amount: 7000, currency: 'EUR' }, 'exactly €10,000: €70');
  t.same(fixedRecoveryFee('ie_b2b', 1_000_001, 'EUR'), { amount: 10000, currency: 'EUR' });
  t.equal(fixedRecoveryFee('ie_b2b', 1_000_000, 'GBP'), null, 'defined in EUR only');
});
