import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

const DAY = 86_400_000;

t.test('late fees', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock; // 2026-03-02T09:00Z
  // 3 March: an accrual charges the days that are over, through 2 March (60 days late).
  clock.advance(DAY);
  const paris = await ctx.createAccount({ name: 'Paris', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const actorOf = (who: TestAccount) => ({
    accountId: who.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Paris',
  });
  const accrue = (who: TestAccount, invoiceId: string) => ctx.services.lateFees.accrue(actorOf(who), invoiceId);

  const preset = await call(paris, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' });
  t.equal(preset.statusCode, 200);
  t.equal(preset.json().late_fee_preset, 'fr_b2b');
  t.equal((await call(other, 'GET', '/v1/account')).json().late_fee_preset, 'none', 'none by default');
  t.equal(
    (await call(paris, 'PATCH', '/v1/account', { late_fee_preset: 'us' })).json().code,
    'request/validation_failed',
  );

  const customer = (await call(paris, 'POST', '/v1/customers', { name: 'SARL Client' })).json();
  // Due 1 January 2026: 60 days late on 2 March 2026.
  const invoice = (
    await call(paris, 'POST', '/v1/invoices', {
      number: 'F-2026-001',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 1_000_000,
      issue_date: '2025-12-02',
      due_date: '2026-01-01',
    })
  ).json();

  t.test('a French B2B invoice 60 days late: one 40 EUR fee and the golden interest', async (t) => {
    const fees = await accrue(paris, invoice.id);
    t.same(
      fees.map((f) => [f.kind, f.amount, f.period_from, f.period_to, f.rate_bps]),
      [
        ['recovery_fee', 4000, '2026-01-02', '2026-01-02', null],
        // ECB 2.15 % on 1 January 2026 + 10 points = 12.15 %; 1,000,000 × 1215 × 60 / 3,650,000 = 19,972.60.
        ['interest', 19973, '2026-01-02', '2026-03-02', 1215],
      ],
    );
    const after = (await call(paris, 'GET', `/v1/invoices/${invoice.id}`)).json();
    t.match(after, { late_fees: 23973, balance: 1_023_973 });
    t.same(await accrue(paris, invoice.id), [], 'accruing twice the same day adds nothing');

    clock.advance(10 * DAY);
    const later = await accrue(paris, invoice.id);
    t.same(
      later.map((f) => [f.kind, f.amount, f.period_from, f.period_to]),
      [['interest', 23301 - 19973, '2026-03-03', '2026-03-12']],
      '70 days in all = 233.01; only the difference, no second 40 EUR',
    );
    const list = (await call(paris, 'GET', `/v1/invoices/${invoice.id}/fees`)).json();
    t.equal(
      list.data.filter((f: { kind: string }) => f.kind === 'recovery_fee').length,
      1,
      'the 40 EUR fee exactly once',
    );
    t.equal(
      list.data.reduce((n: number, f: { amount: number }) => n + f.amount, 0),
      4000 + 23301,
    );
    const events = (await call(paris, 'GET', `/v1/events?type=invoice.fee_applied&limit=100`)).json();
    t.equal(
      events.data.filter((e: { data: { invoice_id: string } }) => e.data.invoice_id === invoice.id).length,
      3,
      'one invoice.fee_applied per line',
    );
  });

  t.test('waiving a fee', async (t) => {
    const fees = (await call(paris, 'GET', `/v1/invoices/${invoice.id}/fees`)).json().data;
    const recovery = fees.find((f: { kind: string }) => f.kind === 'recovery_fee');
    const before = (await call(paris, 'GET', `/v1/invoices/${invoice.id}`)).json();
    const noReason = await call(paris, 'POST', `/v1/invoices/${invoice.id}/fees/${recovery.id}/waive`, {});
    t.equal(noReason.statusCode, 400);
    const waived = await call(paris, 'POST', `/v1/invoices/${invoice.id}/fees/${recovery.id}/waive`, {
      reason: 'Goodwill: first delay',
    });
    t.equal(waived.statusCode, 200);
    t.match(waived.json(), { id: recovery.id, waived: true, waive_reason: 'Goodwill: first delay', amount: 4000 });
    const after = (await call(paris, 'GET', `/v1/invoices/${invoice.id}`)).json();
    t.equal(after.late_fees, before.late_fees - 4000);
    t.equal(after.balance, before.balance - 4000);
    const again = await call(paris, 'POST', `/v1/invoices/${invoice.id}/fees/${recovery.id}/waive`, {
      reason: 'again',
    });
    t.same([again.statusCode, again.json().code], [409, 'invoice_fee/already_waived']);
    const missing = await call(paris, 'POST', `/v1/invoices/${invoice.id}/fees/fee_01kaaaaaaaaaaaaaaaaaaaaaaa/waive`, {
      reason: 'x',
    });
    t.same([missing.statusCode, missing.json().code], [404, 'invoice_fee/not_found']);
    t.same(await accrue(paris, invoice.id), [], 'a waived recovery fee is not added again');
  });

  t.test('another account cannot see or waive; a read-only key cannot waive', async (t) => {
    const fees = (await call(paris, 'GET', `/v1/invoices/${invoice.id}/fees`)).json().data;
    const interest = fees.find((f: { kind: string }) => f.kind === 'interest');
    const list = await call(other, 'GET', `/v1/invoices/${invoice.id}/fees`);
    t.same([list.statusCode, list.json().code], [404, 'invoice/not_found']);
    const waive = await call(other, 'POST', `/v1/invoices/${invoice.id}/fees/${interest.id}/waive`, {
      reason: 'mine now',
    });
    t.same([waive.statusCode, waive.json().code], [404, 'invoice/not_found']);
    await t.rejects(accrue(other, invoice.id), { code: 'invoice/not_found' });
    const key = (await call(paris, 'POST', '/v1/api_keys', { read_only: true })).json();
    const readOnly = await ctx.app.inject({
      method: 'POST',
      url: `/v1/invoices/${invoice.id}/fees/${interest.id}/waive`,
      headers: { authorization: `Bearer ${key.secret}` },
      payload: { reason: 'x' },
    });
    t.same([readOnly.statusCode, readOnly.json().code], [403, 'auth/read_only_key']);
    t.notOk(
      (await call(paris, 'GET', `/v1/invoices/${invoice.id}/fees`))
        .json()
        .data.find((f: { id: string }) => f.id === interest.id).waived,
    );
  });

  t.test('no preset, no fees; not yet late, no fees', async (t) => {
    const cus = (await call(other, 'POST', '/v1/customers', { name: 'Client' })).json();
    const inv = (
      await call(other, 'POST', '/v1/invoices', {
        number: 'O-1',
        customer_id: cus.id,
        currency: 'EUR',
        subtotal: 50_000,
        issue_date: '2025-12-01',
        due_date: '2026-01-01',
      })
    ).json();
    t.same(await accrue(other, inv.id), []);
    const notLate = (
      await call(paris, 'POST', '/v1/invoices', {
        number: 'F-2026-900',
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 50_000,
        due_date: '2026-12-31',
      })
    ).json();
    t.same(await accrue(paris, notLate.id), []);
    t.equal((await call(paris, 'GET', `/v1/invoices/${notLate.id}/fees`)).json().data.length, 0);
  });

  t.test('a partial payment lowers the balance interest runs on from the day it was received', async (t) => {
    const inv = (
      await call(paris, 'POST', '/v1/invoices', {
        number: 'F-2026-002',
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2025-12-02',
        due_date: '2026-01-01',
      })
    ).json();
    // 4,000.00 received on 31 January (stored as the payments module stores it).
    await ctx.database.withAccount(paris.accountId, async (trx) => {
      const at = new Date();
      await trx
        .insertInto('payments')
        .values({
          account_id: paris.accountId,
          id: 'pay_01kaaaaaaaaaaaaaaaaaaaaaaa',
          customer_id: customer.id,
          amount: 400_000,
          currency: 'EUR',
          received_on: '2026-01-31',
          method: 'transfer',
          unallocated: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await trx
        .insertInto('payment_allocations')
        .values({
          account_id: paris.accountId,
          id: 'alloc_01kaaaaaaaaaaaaaaaaaaaaaaa',
          payment_id: 'pay_01kaaaaaaaaaaaaaaaaaaaaaaa',
          invoice_id: inv.id,
          amount: 400_000,
          created_at: at,
        })
        .execute();
      await trx
        .updateTable('invoices')
        .set({ amount_paid: 400_000, status: 'partially_paid' })
        .where('id', '=', inv.id)
        .execute();
    });
    const fees = await accrue(paris, inv.id);
    const charged = (await call(paris, 'GET', `/v1/invoices/${inv.id}`)).json().days_overdue - 1;
    // Jan 2–30: 29 days on 10,000.00; Jan 31 → yesterday: the rest on 6,000.00; 12.15 % throughout.
    const expected = Math.round((1_000_000 * 1215 * 29 + 600_000 * 1215 * (charged - 29)) / 3_650_000);
    t.same(
      fees.map((f) => [f.kind, f.amount]),
      [
        ['recovery_fee', 4000],
        ['interest', expected],
      ],
    );
  });

  t.test('terms carry their own rule: uk_b2b golden through the app, custom with grace and cap', async (t) => {
    // Today is 2026-03-13 (the clock moved 10 days above): 101 days charged through 12 March, due 2025-12-01.
    const uk = await call(other, 'POST', '/v1/payment_terms', {
      name: 'UK statutory',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'uk_b2b' },
    });
    t.equal(uk.statusCode, 201);
    t.same(uk.json().late_fee, {
      kind: 'uk_b2b',
      annual_rate_bps: null,
      fixed_fee: null,
      grace_days: 0,
      cap_bps: null,
      fixed_fee_at: 'overdue',
    });
    const cus = (await call(other, 'POST', '/v1/customers', { name: 'Ltd' })).json();
    const gbp = (
      await call(other, 'POST', '/v1/invoices', {
        number: 'UK-1',
        customer_id: cus.id,
        currency: 'GBP',
        subtotal: 500_000,
        issue_date: '2025-11-01',
        due_date: '2025-12-01',
        payment_terms_id: uk.json().id,
      })
    ).json();
    const fees = await accrue(other, gbp.id);
    t.same(
      fees.map((f) => [f.kind, f.amount, f.rate_bps]),
      [
        ['recovery_fee', 7000, null],
        ['interest', 16949, 1225],
      ],
      '5,000.00 GBP: 70 GBP and 169.49 at BoE 4.25 % (30 June 2025) + 8 for 101 days',
    );

    const bad = await call(paris, 'POST', '/v1/payment_terms', {
      name: 'x',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'fr_b2b', annual_rate_bps: 5 },
    });
    t.same([bad.statusCode, bad.json().code], [422, 'payment_terms/late_fee_invalid']);
    const custom = (
      await call(paris, 'POST', '/v1/payment_terms', {
        name: 'Custom',
        due: { kind: 'net', days: 30 },
        late_fee: {
          kind: 'custom',
          annual_rate_bps: 1200,
          fixed_fee: { amount: 5000, currency: 'EUR' },
          grace_days: 10,
          cap_bps: 100,
        },
      })
    ).json();
    const eur = (
      await call(paris, 'POST', '/v1/invoices', {
        number: 'C-1',
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 1_000_000,
        issue_date: '2026-01-01',
        due_date: '2026-02-01',
        payment_terms_id: custom.id,
      })
    ).json();
    const mine = await accrue(paris, eur.id);
    // Grace of 10 days: interest from 12 February to 12 March = 29 days; 1,000,000 × 1200 × 29 / 3,650,000 = 9,534.25, under the 1 % cap (10,000).
    t.same(
      mine.map((f) => [f.kind, f.amount, f.period_from]),
      [
        ['recovery_fee', 5000, '2026-02-12'],
        ['interest', 9534, '2026-02-12'],
      ],
    );
    clock.advance(30 * DAY);
    const more = await accrue(paris, eur.id);
    t.same(
      more.map((f) => [f.kind, f.amount]),
      [['interest', 10_000 - 9534]],
      'the cap (1 % of the total) stops the interest',
    );
    clock.advance(-30 * DAY);
    const usd = (
      await call(paris, 'POST', '/v1/invoices', {
        number: 'C-2',
        customer_id: customer.id,
        currency: 'USD',
        subtotal: 1_000_000,
        issue_date: '2026-01-01',
        due_date: '2026-02-01',
        payment_terms_id: custom.id,
      })
    ).json();
    t.same(
      (await accrue(paris, usd.id)).map((f) => f.kind),
      ['interest'],
      'a fixed fee in EUR is not added to a USD invoice',
    );
  });

  t.test('reference rates: readable by every account, written only by the operator', async (t) => {
    const list = (await call(other, 'GET', '/v1/reference_rates?source=ecb_mro')).json();
    t.ok(list.data.every((r: { source: string }) => r.source === 'ecb_mro'));
    t.match(list.data.at(-1), { source: 'ecb_mro', effective_on: '2026-01-01', rate_bps: 215 });
    const boe = (await call(other, 'GET', '/v1/reference_rates?source=boe_base')).json();
    t.match(
      boe.data.find((r: { effective_on: string }) => r.effective_on === '2025-05-08'),
      { rate_bps: 425 },
    );
    const post = await call(paris, 'POST', '/v1/reference_rates', {
      source: 'ecb_mro',
      effective_on: '2026-06-10',
      rate_bps: 200,
    });
    t.same([post.statusCode, post.json().code], [403, 'reference_rate/operator_only']);
    const recorded = await ctx.services.lateFees.recordReferenceRateAsOperator({
      source: 'ecb_mro',
      effective_on: '2026-06-10',
      rate_bps: 200,
    });
    t.match(recorded, { source: 'ecb_mro', effective_on: '2026-06-10', rate_bps: 200 });
    t.match((await call(other, 'GET', '/v1/reference_rates?source=ecb_mro')).json().data.at(-1), {
      effective_on: '2026-06-10',
      rate_bps: 200,
    });
    await ctx.database.withAccount(paris.accountId, async (trx) => {
      await t.rejects(
        trx
          .insertInto('reference_rates')
          .values({ source: 'ecb_mro', effective_on: '2030-01-01', rate_bps: 1 })
          .execute(),
        /permission denied/,
        'the tenant role cannot write rates',
      );
    });
  });

  t.test('GraphQL mirrors', async (t) => {
    const gql = graphqlClient(ctx, paris.auth);
    const fees = await gql(
      `query($id: ID!) { invoiceFees(invoiceId: $id) { data { id kind amount waived waiveReason rateBps } } }`,
      { id: invoice.id },
    );
    t.equal(fees.errors, undefined);
    const interest = fees.data.invoiceFees.data.find((f: { kind: string }) => f.kind === 'INTEREST');
    const waived = await gql(
      `mutation($i: ID!, $f: ID!) { waiveInvoiceFee(invoiceId: $i, feeId: $f, input: { reason: "Settled by phone" }) { id waived waiveReason } }`,
      { i: invoice.id, f: interest.id },
    );
    t.same(waived.data.waiveInvoiceFee, { id: interest.id, waived: true, waiveReason: 'Settled by phone' });
    const again = await gql(
      `mutation($i: ID!, $f: ID!) { waiveInvoiceFee(invoiceId: $i, feeId: $f, input: { reason: "x" }) { id } }`,
      { i: invoice.id, f: interest.id },
    );
    t.equal(codeOf(again), 'invoice_fee/already_waived');
    const foreign = await graphqlClient(ctx, other.auth)(
      `query($id: ID!) { invoiceFees(invoiceId: $id) { data { id } } }`,
      { id: invoice.id },
    );
    t.equal(codeOf(foreign), 'invoice/not_found');
    const account = await gql(`mutation { updateAccount(input: { lateFeePreset: EU_B2B }) { lateFeePreset } }`);
    t.equal(account.data.updateAccount.lateFeePreset, 'EU_B2B');
    const rates = await gql(`{ referenceRates(source: BOE_BASE) { data { source effectiveOn rateBps } } }`);
    t.match(rates.data.referenceRates.data[0], { source: 'BOE_BASE', effectiveOn: '2018-08-02', rateBps: 75 });
    const create = await gql(
      `mutation { createReferenceRate(input: { source: ECB_MRO, effectiveOn: "2027-01-01", rateBps: 1 }) { rateBps } }`,
    );
    t.equal(codeOf(create), 'reference_rate/operator_only');
  });
});
