import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// Ireland between businesses (S.I. No. 580 of 2012): the ECB rate of the due date's half-year
// + 8 points for the debt's life, and 40/70/100 EUR of compensation. Business debts only.

t.test('ie_b2b: ECB + 8 points fixed at the due date, €70 for €10,000, never for a consumer', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2025-07-01T08:00:00Z');
  const dublin = await ctx.createAccount({ name: 'Dublin Ltd', time_zone: 'Europe/Dublin' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const gql = graphqlClient(ctx, dublin.auth);

  const preset = await call(dublin, 'PATCH', '/v1/account', { late_fee_preset: 'ie_b2b' });
  t.equal(preset.statusCode, 200, preset.body);
  t.same((await gql('query { account { lateFeePreset } }')).data, { account: { lateFeePreset: 'IE_B2B' } });

  const business = (await call(dublin, 'POST', '/v1/customers', { name: 'Customer Ltd' })).json();
  const consumer = (await call(dublin, 'POST', '/v1/customers', { name: 'Aoife M.', kind: 'consumer' })).json();
  const invoiceFor = async (customerId: string, number: string) =>
    (
      await call(dublin, 'POST', '/v1/invoices', {
        number,
        customer_id: customerId,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2025-06-01',
        due_date: '2025-06-15',
      })
    ).json();
  const invoice = await invoiceFor(business.id, 'IE-1');
  const consumerInvoice = await invoiceFor(consumer.id, 'IE-2');

  // 21 July 2025, 08:00 in Dublin: 16 June–20 July are over.
  clock.set('2025-07-21T07:00:00Z');
  const actor = {
    accountId: dublin.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Dublin',
  };
  const fees = await ctx.services.lateFees.accrue(actor, invoice.id);
  // 10,000.00 EUR × 11.15 % × 35 days / 365 = 10,691.78 → 106.92 EUR (ECB 3.15 % on 1 January
  // 2025, kept after the 1 July change); €10,000 does not exceed €10,000: €70.
  t.same(
    fees.map((f) => [f.kind, f.amount, f.period_from, f.period_to, f.rate_bps]),
    [
      ['recovery_fee', 7000, '2025-06-16', '2025-06-16', null],
      ['interest', 10692, '2025-06-16', '2025-07-20', 1115],
    ],
  );
  t.match((await call(dublin, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
    late_fees: 17692,
    late_fees_by_kind: { interest: 10692, recovery_fee: 7000 },
  });

  t.same(await ctx.services.lateFees.accrue(actor, consumerInvoice.id), [], 'no statutory B2B fee on a consumer');
  t.match((await call(dublin, 'GET', `/v1/invoices/${consumerInvoice.id}`)).json(), {
    late_fees: 0,
    late_fees_skipped: { reason: 'consumer', preset: 'ie_b2b' },
  });
  const terms = (
    await call(dublin, 'POST', '/v1/payment_terms', {
      name: 'S.I. 580/2012',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'ie_b2b' },
    })
  ).json();
  t.equal(terms.late_fee.kind, 'ie_b2b');
  const refused = await call(dublin, 'POST', '/v1/customers', {
    name: 'Sean M.',
    kind: 'consumer',
    payment_terms_id: terms.id,
  });
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'late_fee/b2b_preset_for_consumer');
});
