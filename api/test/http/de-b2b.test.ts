import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// Germany between businesses (§288 Abs. 2 and 5 BGB): Basiszinssatz + 9 points, split at each
// 1 January / 1 July change (§247 BGB), and a 40 EUR Pauschale. Business debts only.

t.test('de_b2b: Basiszinssatz + 9 points split at 1 July, 40 EUR, never for a consumer', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2025-07-01T08:00:00Z');
  const berlin = await ctx.createAccount({ name: 'Berlin GmbH', time_zone: 'Europe/Berlin' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const gql = graphqlClient(ctx, berlin.auth);

  const rates = (await call(berlin, 'GET', '/v1/reference_rates?source=bundesbank_base')).json().data;
  t.same(
    rates.map((r: { effective_on: string; rate_bps: number }) => [r.effective_on, r.rate_bps]),
    [
      ['2016-07-01', -88],
      ['2023-01-01', 162],
      ['2023-07-01', 312],
      ['2024-01-01', 362],
      ['2024-07-01', 337],
      ['2025-01-01', 227],
      ['2025-07-01', 127],
      ['2026-01-01', 127],
    ],
    'the shipped Basiszinssatz history',
  );

  const preset = await call(berlin, 'PATCH', '/v1/account', { late_fee_preset: 'de_b2b' });
  t.equal(preset.statusCode, 200, preset.body);
  const viaGraphql = await gql('query { account { lateFeePreset } }');
  t.same(viaGraphql.data, { account: { lateFeePreset: 'DE_B2B' } });

  const business = (await call(berlin, 'POST', '/v1/customers', { name: 'Kunde AG' })).json();
  const consumer = (await call(berlin, 'POST', '/v1/customers', { name: 'Erika M.', kind: 'consumer' })).json();
  const invoiceFor = async (customerId: string, number: string) =>
    (
      await call(berlin, 'POST', '/v1/invoices', {
        number,
        customer_id: customerId,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2025-06-01',
        due_date: '2025-06-15',
      })
    ).json();
  const invoice = await invoiceFor(business.id, 'DE-1');
  const consumerInvoice = await invoiceFor(consumer.id, 'DE-2');

  // 21 July 2025, 09:00 Berlin: 16 June–20 July are over.
  clock.set('2025-07-21T07:00:00Z');
  const actor = {
    accountId: berlin.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Berlin',
  };
  const fees = await ctx.services.lateFees.accrue(actor, invoice.id);
  // 10,000.00 EUR × (11.27 % × 15 days + 10.27 % × 20 days) / 365 = 1,000,000 × 37,445 / 3,650,000
  // = 10,258.90 → 102.59 EUR (Basiszinssatz 2.27 % until 30 June, 1.27 % from 1 July).
  t.same(
    fees.map((f) => [f.kind, f.amount, f.period_from, f.period_to, f.rate_bps]),
    [
      ['recovery_fee', 4000, '2025-06-16', '2025-06-16', null],
      ['interest', 10259, '2025-06-16', '2025-07-20', 1027],
    ],
  );
  const after = (await call(berlin, 'GET', `/v1/invoices/${invoice.id}`)).json();
  t.match(after, { late_fees: 14259, late_fees_by_kind: { interest: 10259, recovery_fee: 4000 }, balance: 1_014_259 });

  t.same(await ctx.services.lateFees.accrue(actor, consumerInvoice.id), [], 'no statutory B2B fee on a consumer');
  t.match((await call(berlin, 'GET', `/v1/invoices/${consumerInvoice.id}`)).json(), {
    late_fees: 0,
    late_fees_by_kind: { interest: 0, recovery_fee: 0 },
    late_fees_skipped: { reason: 'consumer', preset: 'de_b2b' },
  });

  const terms = (
    await call(berlin, 'POST', '/v1/payment_terms', {
      name: '§288 BGB',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'de_b2b' },
    })
  ).json();
  t.equal(terms.late_fee.kind, 'de_b2b');
  const refused = await call(berlin, 'POST', '/v1/customers', {
    name: 'Max M.',
    kind: 'consumer',
    payment_terms_id: terms.id,
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.headers['content-type'], 'application/problem+json');
  t.equal(refused.json().code, 'late_fee/b2b_preset_for_consumer');
});
