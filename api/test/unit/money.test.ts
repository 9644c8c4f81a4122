import t from 'tap';
import { AppError } from '../../src/errors.ts';
import {
  CURRENCY_EXPONENTS,
  MAX_AMOUNT_MINOR,
  currencyExponent,
  formatMoney,
  isCurrency,
  parseDecimalAmount,
  toDecimalString,
} from '../../src/domain/money.ts';

const NNBSP = '\u202F';
const NBSP = '\u00A0';

t.test('exponents follow ISO 4217, not Intl/CLDR', async (t) => {
  const expected: Record<string, number> = {
    EUR: 2,
    USD: 2,
    GBP: 2,
    CHF: 2,
    JPY: 0,
    KRW: 0,
    VND: 0,
    ISK: 0,
    CLP: 0,
    PYG: 0,
    UGX: 0,
    XAF: 0,
    XOF: 0,
    XPF: 0,
    KWD: 3,
    BHD: 3,
    TND: 3,
    OMR: 3,
    JOD: 3,
    LYD: 3,
    CLF: 4,
    UYW: 4,
    // Intl gives 0, 0, 0, 0, 0 for these:
    HUF: 2,
    IDR: 2,
    IQD: 3,
    LBP: 2,
    ALL: 2,
  };
  for (const [code, exponent] of Object.entries(expected)) {
    t.equal(currencyExponent(code), exponent, code);
  }
  const options = new Intl.NumberFormat('en', { style: 'currency', currency: 'HUF' }).resolvedOptions();
  t.not(options.maximumFractionDigits, CURRENCY_EXPONENTS.HUF, 'Intl disagrees for HUF, so the table is needed');
});

t.test('the table covers the active list and nothing without minor units', async (t) => {
  const codes = Object.keys(CURRENCY_EXPONENTS);
  // The 166 codes with a minor unit in ISO list one (2024-06-25 issue) + XCG (2025); catches accidental edits.
  t.equal(codes.length, 167);
  for (const code of codes) {
    t.match(code, /^[A-Z]{3}$/);
    t.ok([0, 2, 3, 4].includes(CURRENCY_EXPONENTS[code] ?? -1), `${code} has a valid exponent`);
  }
  for (const code of ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XTS', 'XXX', 'XBA', 'XBB', 'XBC', 'XBD', 'XSU', 'XUA']) {
    t.notOk(isCurrency(code), `${code} excluded`);
  }
  for (const code of ['HRK', 'SLL', 'ZWL', 'MRO', 'STD', 'VEF']) {
    t.notOk(isCurrency(code), `${code} is withdrawn`);
  }
  t.ok(Object.isFrozen(CURRENCY_EXPONENTS));
});

t.test('isCurrency', async (t) => {
  t.ok(isCurrency('EUR'));
  t.ok(isCurrency('XCG'));
  t.notOk(isCurrency('eur'), 'lower case');
  t.notOk(isCurrency('EURO'));
  t.notOk(isCurrency(''));
  t.notOk(isCurrency('ABC'));
  t.notOk(isCurrency('__proto__'));
});

t.test('currencyExponent rejects unknown codes with an AppError', async (t) => {
  t.throws(() => currencyExponent('ABC'), { code: 'money/unknown_currency', status: 422 });
  t.throws(() => currencyExponent('eur'), AppError);
});

t.test('parseDecimalAmount converts exactly', async (t) => {
  const cases: [string, string, number][] = [
    ['1234.5', 'EUR', 123450],
    ['-12.30', 'EUR', -1230],
    ['12.300', 'EUR', 1230],
    ['0.1', 'EUR', 10],
    ['0.29', 'EUR', 29], // 0.29 * 100 === 28.999999999999996 in floats
    ['1.15', 'USD', 115], // 1.15 * 100 === 114.99999999999999
    ['007', 'EUR', 700],
    ['1500', 'JPY', 1500],
    ['1500.000', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['1.2', 'KWD', 1200],
    ['1.2345', 'CLF', 12345],
    ['150000', 'HUF', 15000000],
    ['1000000000000', 'EUR', MAX_AMOUNT_MINOR],
    ['-1000000000000.00', 'EUR', -MAX_AMOUNT_MINOR],
    ['100000000000000', 'JPY', MAX_AMOUNT_MINOR],
  ];
  for (const [value, currency, minor] of cases) {
    t.equal(parseDecimalAmount(value, currency), minor, `${value} ${currency}`);
  }
  t.ok(Object.is(parseDecimalAmount('-0.00', 'EUR'), 0), 'no negative zero');
});

t.test('parseDecimalAmount rejections', async (t) => {
  const tooMany: [string, string][] = [
    ['1.234', 'EUR'],
    ['1.5', 'JPY'],
    ['0.0001', 'KWD'],
    ['1.00001', 'CLF'],
    ['1.2300001', 'EUR'],
  ];
  for (const [value, currency] of tooMany) {
    t.throws(
      () => parseDecimalAmount(value, currency),
      { code: 'money/too_many_decimals', status: 422 },
      `${value} ${currency}`,
    );
  }
  for (const value of [
    '',
    '-',
    '.5',
    '5.',
    '+5',
    '1 234,56',
    '1,234.56',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    'NaN',
    'Infinity',
    '1.2.3',
    '--1',
    '١٢',
  ]) {
    t.throws(
      () => parseDecimalAmount(value, 'EUR'),
      { code: 'money/invalid_amount', status: 422 },
      JSON.stringify(value),
    );
  }
  for (const value of ['1000000000000.01', '-1000000000000.01', '99999999999999999999', '100000000000001']) {
    const currency = value === '100000000000001' ? 'JPY' : 'EUR';
    t.throws(() => parseDecimalAmount(value, currency), { code: 'money/invalid_amount' }, `${value} over the bound`);
  }
  t.throws(() => parseDecimalAmount('1.00', 'ABC'), { code: 'money/unknown_currency', status: 422 });
  t.throws(() => parseDecimalAmount('1.00', 'eur'), { code: 'money/unknown_currency' });
});

t.test('toDecimalString is the exact inverse', async (t) => {
  t.equal(toDecimalString(1230, 'EUR'), '12.30');
  t.equal(toDecimalString(1230, 'JPY'), '1230');
  t.equal(toDecimalString(1230, 'KWD'), '1.230');
  t.equal(toDecimalString(5, 'EUR'), '0.05');
  t.equal(toDecimalString(-5, 'EUR'), '-0.05');
  t.equal(toDecimalString(0, 'EUR'), '0.00');
  t.equal(toDecimalString(-0, 'EUR'), '0.00');
  t.equal(toDecimalString(7, 'CLF'), '0.0007');
  t.equal(toDecimalString(MAX_AMOUNT_MINOR, 'EUR'), '1000000000000.00');
  t.throws(() => toDecimalString(1.5, 'EUR'), { code: 'money/invalid_amount' });
  t.throws(() => toDecimalString(Number.NaN, 'EUR'), { code: 'money/invalid_amount' });
  t.throws(() => toDecimalString(1, 'XAU'), { code: 'money/unknown_currency' });

  for (const currency of ['EUR', 'JPY', 'KWD', 'CLF', 'HUF', 'IDR']) {
    for (const minor of [
      0,
      1,
      -1,
      9,
      10,
      99,
      100,
      101,
      123456789,
      -987654321012,
      MAX_AMOUNT_MINOR,
      -MAX_AMOUNT_MINOR,
    ]) {
      t.equal(parseDecimalAmount(toDecimalString(minor, currency), currency), minor, `${minor} ${currency} round trip`);
    }
  }
});

t.test('formatMoney uses the ISO exponent and exact decimals', async (t) => {
  t.equal(formatMoney(123456, 'EUR', 'fr-FR'), `1${NNBSP}234,56${NBSP}€`);
  t.equal(formatMoney(-123456, 'EUR', 'de-DE'), `-1.234,56${NBSP}€`);
  t.equal(formatMoney(5, 'EUR', 'en-IE'), '€0.05');
  t.equal(formatMoney(1500, 'JPY', 'en-US'), '¥1,500');
  t.equal(formatMoney(1234, 'KWD', 'en'), `KWD${NBSP}1.234`);
  t.equal(formatMoney(123456, 'IQD', 'en-US'), `IQD${NBSP}123.456`, 'CLDR would show no decimals');
  t.equal(formatMoney(150000000, 'HUF', 'hu-HU'), `1${NBSP}500${NBSP}000,00${NBSP}Ft`, 'CLDR would show no decimals');
  t.equal(formatMoney(12345678, 'CLF', 'es-CL'), `CLF${NBSP}1.234,5678`);
  // 999999999999.99 is not exactly representable as a double; the string path keeps every digit.
  t.equal(formatMoney(MAX_AMOUNT_MINOR - 1, 'USD', 'en-US'), '$999,999,999,999.99');
  t.equal(formatMoney(MAX_AMOUNT_MINOR - 1, 'CLF', 'en-US'), `CLF${NBSP}9,999,999,999.9999`);
  t.equal(formatMoney(123456, 'EUR', 'fr-FR'), formatMoney(123456, 'EUR', 'fr-FR'), 'cached formatter is stable');
  t.throws(() => formatMoney(100, 'ABC', 'en'), { code: 'money/unknown_currency' });
  t.throws(() => formatMoney(100, 'EUR', 'not a locale!'), RangeError);
});
