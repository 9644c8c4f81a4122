import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { bodyAjv } from '../../src/validation.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

const DAY = 86_400_000;

interface Fee {
  id: string;
  kind: string;
  amount: number;
  period_from: string;
  period_to: string;
  rate_bps: number | null;
  rate_assumed: boolean;
  rate_note: string | null;
}

t.test('rates never silently stale', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  const fr = await ctx.createAccount({ name: 'FR', time_zone: 'Europe/Paris' });
  const eu = await ctx.createAccount({ name: 'EU', time_zone: 'Europe/Paris' });
  const uk = await ctx.createAccount({ name: 'UK', time_zone: 'Europe/London' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const accrue = (who: TestAccount, invoiceId: string, timeZone = 'Europe/Paris') =>
    ctx.services.lateFees.accrue(
      { accountId: who.accountId, keyId: null, readOnly: false, mode: 'live', timeZone },
      invoiceId,
    );
  const invoice = async (who: TestAccount, number: string, currency: string, dueDate: string) => {
    const customer = (await call(who, 'POST', '/v1/customers', { name: `Client ${number}` })).json();
    const res = await call(who, 'POST', '/v1/invoices', {
      number,
      customer_id: customer.id,
      currency,
      subtotal: 1_000_000,
      issue_date: '2026-05-01',
      due_date: dueDate,
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string };
  };
  const interestOf = async (who: TestAccount, invoiceId: string): Promise<Fee[]> =>
    (await call(who, 'GET', `/v1/invoices/${invoiceId}/fees`)).json().data.filter((f: Fee) => f.kind === 'interest');
  const missingEvents = async (who: TestAccount) =>
    (await call(who, 'GET', '/v1/events?type=reference_rate.missing&limit=100')).json().data;
  const ready = async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/ready' });
    t.equal(res.statusCode, 200, 'a missing rate never makes the service unready');
    return res.json() as { status: string; warnings: { code: string; source: string; period: string }[] };
  };

  t.equal((await call(fr, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' })).statusCode, 200);
  t.equal((await call(eu, 'PATCH', '/v1/account', { late_fee_preset: 'eu_b2b' })).statusCode, 200);
  t.equal((await call(uk, 'PATCH', '/v1/account', { late_fee_preset: 'uk_b2b' })).statusCode, 200);
  const first = await invoice(fr, 'FR-1', 'EUR', '2026-06-15');
  const second = await invoice(fr, 'FR-2', 'EUR', '2026-06-20');
  const euInvoice = await invoice(eu, 'EU-1', 'EUR', '2026-06-15');
  const ukInvoice = await invoice(uk, 'UK-1', 'GBP', '2026-07-10');

  t.test('within 30 days of 1 July the last rate is used quietly', async (t) => {
    clock.set('2026-07-21T10:00:00Z'); // charges through 20 July, the last day that is over
    await accrue(fr, first.id);
    const [line] = await interestOf(fr, first.id);
    t.match(line, { period_from: '2026-06-16', period_to: '2026-07-20', rate_bps: 1215, rate_assumed: false });
    t.equal(line?.rate_note, null);
    t.same(await missingEvents(fr), []);
    t.same((await ready()).warnings, []);
  });

  t.test('past 30 days: the line says the rate is assumed, and the account hears it once', async (t) => {
    clock.set('2026-08-16T10:00:00Z'); // 46 days after 1 July, 47 after 30 June; charged through 15 August
    const fees = await accrue(fr, first.id);
    t.equal(fees.length, 1);
    t.match(fees[0], { period_from: '2026-07-21', period_to: '2026-08-15', rate_bps: 1215, rate_assumed: true });
    t.equal(
      fees[0]?.rate_note,
      'ecb_mro rate in force on 2026-07-01 (2026-H2) not recorded: assumed unchanged at 2.15 % (in force since 2026-01-01).',
    );
    const events = await missingEvents(fr);
    t.equal(events.length, 1);
    t.match(events[0], {
      type: 'reference_rate.missing',
      object_type: 'reference_rate',
      object_id: 'ecb_mro:2026-H2',
      object_sequence: 1,
      data: {
        object: 'reference_rate_missing',
        source: 'ecb_mro',
        period: '2026-H2',
        reference_date: '2026-07-01',
        assumed_rate_bps: 215,
        assumed_rate_effective_on: '2026-01-01',
        first_invoice_id: first.id,
        first_fee_id: fees[0]?.id,
      },
    });
    const validate = bodyAjv.getSchema('ReferenceRateMissing');
    t.ok(validate?.(events[0].data), 'the data is a ReferenceRateMissing', { errors: validate?.errors });
    const applied = (await call(fr, 'GET', '/v1/events?type=invoice.fee_applied&limit=100')).json().data;
    t.match(applied[0].data, { id: fees[0]?.id, rate_assumed: true }, 'invoice.fee_applied carries the flag');

    const other = await accrue(fr, second.id);
    t.match(
      other,
      [
        { kind: 'recovery_fee', rate_assumed: false },
        { kind: 'interest', rate_assumed: true },
      ],
      'another invoice of the account: its interest is flagged too',
    );
    clock.advance(DAY);
    t.match(await accrue(fr, first.id), [{ period_to: '2026-08-16', rate_assumed: true }]);
    t.equal((await missingEvents(fr)).length, 1, 'still one event for the account, source and period');

    const euFees = await accrue(eu, euInvoice.id);
    t.match(euFees, [
      { kind: 'recovery_fee', rate_assumed: false },
      { kind: 'interest', rate_assumed: true },
    ]);
    t.match(await missingEvents(eu), [{ object_id: 'ecb_mro:2026-H2', data: { first_invoice_id: euInvoice.id } }]);
    t.equal((await missingEvents(eu)).length, 1, 'each account hears it once');
  });

  t.test('UK: the 30 June rate of a debt overdue from July', async (t) => {
    const fees = await accrue(uk, ukInvoice.id, 'Europe/London');
    t.match(fees.at(-1), { kind: 'interest', rate_bps: 1175, rate_assumed: true });
    t.match(fees.at(-1)?.rate_note, 'boe_base rate in force on 2026-06-30 (2026-H2)');
    t.match(await missingEvents(uk), [
      { object_id: 'boe_base:2026-H2', data: { source: 'boe_base', reference_date: '2026-06-30' } },
    ]);
    t.same(await missingEvents(fr).then((e) => e.map((x: { object_id: string }) => x.object_id)), ['ecb_mro:2026-H2']);
  });

  t.test('/ready warns about each source and period', async (t) => {
    const body = await ready();
    t.equal(body.status, 'ready');
    t.match(body.warnings, [
      { code: 'reference_rate/missing', source: 'ecb_mro', period: '2026-H2', reference_date: '2026-07-01' },
      { code: 'reference_rate/missing', source: 'boe_base', period: '2026-H2', reference_date: '2026-06-30' },
      {
        code: 'reference_rate/missing',
        source: 'bundesbank_base',
        period: '2026-H2',
        reference_date: '2026-07-01',
      },
    ]);
    t.equal(body.warnings.length, 3);
  });

  t.test('GraphQL shows the flag and the note', async (t) => {
    const res = await graphqlClient(ctx, fr.auth)(
      `query($id: ID!) { invoiceFees(invoiceId: $id) { data { kind rateAssumed rateNote } } }`,
      { id: first.id },
    );
    t.equal(res.errors, undefined);
    const interest = res.data.invoiceFees.data.filter((f: { kind: string }) => f.kind === 'INTEREST');
    t.same(
      interest.map((f: { rateAssumed: boolean }) => f.rateAssumed),
      [false, true, true],
    );
    t.match(interest[2].rateNote, /^ecb_mro rate in force on 2026-07-01/);
  });

  t.test('once the operator records the rate, new lines use it and are no longer flagged', async (t) => {
    await ctx.services.lateFees.recordReferenceRateAsOperator({
      source: 'ecb_mro',
      effective_on: '2026-07-01',
      rate_bps: 240,
    });
    clock.advance(DAY); // 2026-08-18: charged through 17 August
    const before = (await interestOf(fr, first.id)).reduce((n, f) => n + f.amount, 0);
    const fees = await accrue(fr, first.id);
    t.match(fees, [{ period_to: '2026-08-17', rate_bps: 1240, rate_assumed: false, rate_note: null }]);
    // 15 days of June at 12.15 % and 48 days of H2 at 12.40 %: 49.93 + 163.07 = 213.00 EUR in all.
    t.equal(before + (fees[0]?.amount ?? 0), 21300, 'the higher recorded rate is caught up from 1 July');
    t.equal((await missingEvents(fr)).length, 1, 'no new event');
    t.same(
      (await ready()).warnings.map((w) => w.source),
      ['boe_base', 'bundesbank_base'],
    );
  });
});
