import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

// A customer's statement of account, hand-computed: invoices, a payment later reversed, a void,
// a payment allocated to the second invoice; the opening balance, the running balance, the
// closing balance and the aging at the end of the period; as JSON, CSV and PDF.

t.test('statement of account', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-01-05T09:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, auth = acme.auth) =>
    ctx.app.inject({ method: method as 'GET', url, headers: auth, ...(payload && { payload }) });
  const customer = (
    await call('POST', '/v1/customers', { name: 'Durand SAS', email: 'compta@durand.example', locale: 'fr' })
  ).json();
  const invoice = async (number: string, issue: string, due: string, subtotal: number, tax = 0) => {
    const res = await call('POST', '/v1/invoices', {
      number,
      customer_id: customer.id,
      currency: 'EUR',
      subtotal,
      tax,
      issue_date: issue,
      due_date: due,
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json();
  };
  const a = await invoice('A-1', '2026-01-05', '2026-02-04', 10_000);
  clock.set('2026-02-10T09:00:00Z');
  const b = await invoice('B-2', '2026-02-10', '2026-03-12', 5_000, 1_000);
  clock.set('2026-02-20T09:00:00Z');
  const p1 = (
    await call('POST', '/v1/payments', {
      customer_id: customer.id,
      amount: 4_000,
      currency: 'EUR',
      method: 'transfer',
      reference: 'VIR-1',
      received_on: '2026-02-20',
      allocations: [{ invoice_id: a.id, amount: 4_000 }],
    })
  ).json();
  clock.set('2026-03-01T09:00:00Z');
  const c = await invoice('C-3', '2026-03-01', '2026-03-31', 2_000);
  clock.set('2026-03-03T09:00:00Z');
  t.equal((await call('POST', `/v1/invoices/${c.id}/void`)).statusCode, 200);
  clock.set('2026-03-05T09:00:00Z');
  await call('POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 3_000,
    currency: 'EUR',
    method: 'transfer',
    reference: 'VIR-2',
    received_on: '2026-03-05',
    allocations: [{ invoice_id: b.id, amount: 3_000 }],
  });
  clock.set('2026-03-10T09:00:00Z');
  t.equal((await call('POST', `/v1/payments/${p1.id}/reverse`, { reason: 'transfer bounced' })).statusCode, 200);
  clock.set('2026-04-02T09:00:00Z');

  const res = await call('GET', `/v1/customers/${customer.id}/statement?from=2026-02-01&to=2026-03-31`);
  t.equal(res.statusCode, 200, res.body);
  const statement = res.json();
  t.match(statement, { object: 'statement', customer_id: customer.id, from: '2026-02-01', to: '2026-03-31' });
  t.equal(statement.currencies.length, 1);
  const [eur] = statement.currencies;
  t.equal(eur.opening_balance, 10_000, 'A-1, issued before the period');
  t.same(
    eur.entries.map(
      (e: { date: string; kind: string; reference: string; debit: number; credit: number; balance: number }) => [
        e.date,
        e.kind,
        e.reference,
        e.debit,
        e.credit,
        e.balance,
      ],
    ),
    [
      ['2026-02-10', 'invoice', 'B-2', 6_000, 0, 16_000],
      ['2026-02-20', 'payment', 'VIR-1', 0, 4_000, 12_000],
      ['2026-03-01', 'invoice', 'C-3', 2_000, 0, 14_000],
      ['2026-03-03', 'invoice_voided', 'C-3', 0, 2_000, 12_000],
      ['2026-03-05', 'payment', 'VIR-2', 0, 3_000, 9_000],
      ['2026-03-10', 'payment_reversed', 'VIR-1', 4_000, 0, 13_000],
    ],
  );
  t.equal(eur.closing_balance, 13_000);
  // At 31 March: A-1 owes 100 € (its payment reversed), 55 days late; B-2 owes 30 €, 19 days late.
  t.same(eur.aging, {
    buckets: { current: 0, '1_30': 3_000, '31_60': 10_000, '61_90': 0, '90_plus': 0 },
    total: 13_000,
    invoices: 2,
  });

  // The same customer at the end of February: the reversal had not happened yet.
  const feb = (await call('GET', `/v1/customers/${customer.id}/statement?from=2026-02-01&to=2026-02-28`)).json();
  t.equal(feb.currencies[0].closing_balance, 12_000);
  t.same(feb.currencies[0].aging.buckets, { current: 6_000, '1_30': 6_000, '31_60': 0, '61_90': 0, '90_plus': 0 });

  // Default period: the month so far.
  const month = (await call('GET', `/v1/customers/${customer.id}/statement`)).json();
  t.match(month, { from: '2026-04-01', to: '2026-04-02' });
  t.equal(month.currencies[0].opening_balance, 13_000);
  t.same(month.currencies[0].entries, []);

  const csv = await call('GET', `/v1/customers/${customer.id}/statement?from=2026-02-01&to=2026-03-31&format=csv`);
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  t.same(csv.body.trim().split('\n'), [
    'currency,date,kind,reference,period_from,period_to,debit,credit,balance',
    'EUR,2026-02-01,opening_balance,,,,,,10000',
    'EUR,2026-02-10,invoice,B-2,,,6000,0,16000',
    'EUR,2026-02-20,payment,VIR-1,,,0,4000,12000',
    'EUR,2026-03-01,invoice,C-3,,,2000,0,14000',
    'EUR,2026-03-03,invoice_voided,C-3,,,0,2000,12000',
    'EUR,2026-03-05,payment,VIR-2,,,0,3000,9000',
    'EUR,2026-03-10,payment_reversed,VIR-1,,,4000,0,13000',
    'EUR,2026-03-31,closing_balance,,,,,,13000',
  ]);

  const pdf = await call('GET', `/v1/customers/${customer.id}/statement?from=2026-02-01&to=2026-03-31&format=pdf`);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  const task = getDocument({ data: new Uint8Array(pdf.rawPayload), verbosity: 0 });
  const doc = await task.promise;
  const content = await (await doc.getPage(1)).getTextContent();
  const text = content.items
    .map((item) => ('str' in item ? item.str : ''))
    .join(' ')
    .replace(/[\s\u00a0]+/g, ' ');
  await task.destroy();
  for (const mention of [
    'Relevé de compte',
    'Du 1er février 2026 au 31 mars 2026',
    'Solde au début de la période',
    '100,00 €',
    'Règlement annulé',
    'Facture annulée',
    'Solde à la fin de la période',
    '130,00 €',
    '31 à 60 jours',
  ])
    t.ok(text.includes(mention), `the PDF says: ${mention}`);

  // Refusals and tenancy.
  const backwards = await call('GET', `/v1/customers/${customer.id}/statement?from=2026-03-01&to=2026-02-01`);
  t.equal(backwards.statusCode, 422);
  t.equal(backwards.json().code, 'statement/invalid_period');
  t.equal((await call('GET', `/v1/customers/${customer.id}/statement?to=soon`)).statusCode, 400);
  const other = await ctx.createAccount({ name: 'Other' });
  const theirs = await call('GET', `/v1/customers/${customer.id}/statement`, undefined, other.auth);
  t.equal(theirs.statusCode, 404);
  t.equal(theirs.json().code, 'customer/not_found');
});
