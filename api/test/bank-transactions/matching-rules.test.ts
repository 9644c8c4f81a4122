import t from 'tap';
import {
  labelTokens,
  nameMatches,
  nameTokens,
  numberCandidates,
  numberFoundIn,
  numberKey,
  payerWords,
} from '../../src/domain/bank-transactions/labels.ts';
import {
  combinationsSummingTo,
  type OpenInvoice,
  proposeMatches,
} from '../../src/domain/bank-transactions/matching.ts';

const invoice = (id: string, balance: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => ({
  id,
  number: `N-${id}`,
  customer_id: 'cus_a',
  currency: 'EUR',
  balance,
  due_date: `2026-01-${id.padStart(2, '0')}`,
  ...extra,
});

t.test('labels: noise out, numbers in', async (t) => {
  t.same(labelTokens('Virement reçu de Société Générale – réf. Fact/2026/0042'), [
    'VIREMENT',
    'RECU',
    'DE',
    'SOCIETE',
    'GENERALE',
    'REF',
    'FACT',
    '2026',
    '0042',
  ]);
  t.same(
    labelTokens('IBAN FR76 3000 6000 0112 3456 7890 189 LE 15/03/2026 A 14:32 MONTANT 1.234,56'),
    ['IBAN', 'LE', 'A', 'MONTANT'],
    'IBAN, date, time, amount removed',
  );
  t.same(labelTokens('DATUM 2026-03-15 IBAN DE89370400440532013000'), ['DATUM', 'IBAN']);
  t.equal(numberKey('f-2026/0042'), 'F20260042');
  const c = numberCandidates('VIR SEPA FACT 2026-0042 ET INV/2026/0043 REF F20260044');
  t.equal(numberFoundIn('2026-0042', c), 'exact');
  t.equal(numberFoundIn('F-2026-0042', c), 'digits', 'the digits of a prefixed number');
  t.equal(numberFoundIn('INV-2026-0043', c), 'exact');
  t.equal(numberFoundIn('F-2026-0044', c), 'exact');
  t.equal(numberFoundIn('F-2026-0045', c), null);
  t.equal(numberFoundIn('A-42', numberCandidates('VIR 42 EUROS')), null, 'short digits alone are chance');
  t.equal(numberFoundIn('INV-42', numberCandidates('PAYMENT INV 42')), 'exact', 'short numbers found as written');
  t.equal(
    numberFoundIn('2026-0315', numberCandidates('PAIEMENT DU 2026-03-15')),
    null,
    'a date is not an invoice number',
  );
  t.equal(
    numberFoundIn('F-3000-6000', numberCandidates('IBAN FR76 3000 6000 0112 3456 7890 189')),
    null,
    'nor an IBAN',
  );
  t.equal(numberFoundIn('ABC', numberCandidates('ABC')), null, 'numbers without digits are not searched');
});

t.test('names: legal forms, accents, German spellings, truncation', async (t) => {
  t.same(nameTokens('Müller Maschinenbau GmbH'), ['MULLER', 'MASCHINENBAU']);
  t.same(nameTokens('SARL'), ['SARL'], 'a name made only of such words keeps them');
  t.equal(
    nameMatches(nameTokens('Müller Maschinenbau GmbH'), payerWords(null, 'GUTSCHRIFT MUELLER MASCHINENBAU')),
    'full',
  );
  t.equal(
    nameMatches(nameTokens('Dupont et Fils'), payerWords('DUPONT ET FI', 'VIR')),
    'full',
    'the name field is cut',
  );
  t.equal(
    nameMatches(nameTokens('Dupont et Fils'), payerWords(null, 'VIR DUPONT ET FI')),
    'partial',
    "a label's short last word is not a cut name",
  );
  t.equal(nameMatches(nameTokens('Smith & Jones Ltd'), payerWords('J SMITH', 'FPS')), 'partial');
  t.equal(nameMatches(nameTokens('Transports Lefèvre SAS'), payerWords(null, 'CHEQUE TRANSPORTS LEFEVRE')), 'full');
  t.equal(nameMatches(nameTokens('Etienne'), payerWords(null, 'VIR ET')), null);
  t.equal(nameMatches(nameTokens('Acme'), payerWords(null, 'VIR SEPA DUPONT')), null);
});

t.test('combinations: exact sums of 2 to 4 invoices, smallest first, bounded', async (t) => {
  const invoices = [invoice('1', 100), invoice('2', 250), invoice('3', 150), invoice('4', 400), invoice('5', 600)];
  t.same(
    combinationsSummingTo(400, invoices).map((c) => c.map((i) => i.id)),
    [['2', '3']],
  );
  t.same(
    combinationsSummingTo(1000, invoices).map((c) => c.map((i) => i.id)),
    [
      ['4', '5'],
      ['2', '3', '5'],
    ],
    'pairs before triples',
  );
  t.same(
    combinationsSummingTo(1000, invoices, 1).map((c) => c.map((i) => i.id)),
    [['4', '5']],
    'at most the limit',
  );
  t.same(combinationsSummingTo(7, invoices), []);
  const many = Array.from({ length: 200 }, (_, i) => invoice(String(i + 1), 1000 + i));
  const started = performance.now();
  t.same(combinationsSummingTo(1, many), []);
  t.ok(performance.now() - started < 200, 'bounded on a customer with many invoices');
});

t.test('proposals: reasons add up, best first, at most three', async (t) => {
  const a = invoice('1', 5000);
  const b = invoice('2', 3000);
  const c = invoice('3', 2000);
  const other = invoice('4', 5000, { customer_id: 'cus_b' });
  const evidence = {
    numbers: [{ invoice: a, found: 'exact' as const }],
    amounts: [
      { invoice: a, kind: 'balance' as const, amount: 5000 },
      { invoice: other, kind: 'balance' as const, amount: 5000 },
    ],
    amountShared: 2,
    payers: [{ customer_id: 'cus_a', match: 'full' as const }],
    invoicesOf: (id: string) => [a, b, c, other].filter((i) => i.customer_id === id),
  };
  const proposals = proposeMatches({ amount: 5000, currency: 'EUR' }, evidence);
  t.same(
    proposals.map((p) => [p.score, p.allocations.map((x) => x.invoice_id)]),
    [
      [95, ['1']],
      [50, ['2', '3']],
      [20, ['4']],
    ],
  );
  t.same(
    proposals[0]?.reasons.map((r) => [r.code, r.points]),
    [
      ['invoice_number_in_label', 50],
      ['amount_equals_balance', 20],
      ['counterparty_matches_customer', 25],
    ],
  );
  t.same(proposeMatches({ amount: 5000, currency: 'USD' }, evidence), [], 'another currency: nothing');
  const overpaid = proposeMatches(
    { amount: 6000, currency: 'EUR' },
    { ...evidence, amounts: [], amountShared: 0, payers: [] },
  );
  t.same(
    overpaid.map((p) => [p.score, p.unallocated]),
    [[50, 1000]],
    'the rest is credit',
  );
  const unknown = proposeMatches(
    { amount: 4000, currency: 'EUR' },
    { ...evidence, numbers: [], amounts: [], amountShared: 0 },
  );
  t.same(
    unknown.map((p) => [p.score, p.allocations.map((x) => [x.invoice_id, x.amount])]),
    [[25, [['1', 4000]]]],
    'payer only: oldest due first',
  );
});
