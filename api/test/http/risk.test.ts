import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';

t.test('customer risk: assessed from behaviour, tuned, overruled, swept, kept to its account', async (t) => {
  const clock = new ManualClock('2026-06-30T10:00:00Z');
  const ctx = await setupApp(t, { clock });
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const customer = async (name: string) =>
    (await call(acme, 'POST', '/v1/customers', { name, email: `${name.replace(/\W/g, '')}@example.com` })).json()
      .id as string;
  const invoice = async (customerId: string, number: string, subtotal: number, due: string) => {
    const res = await call(acme, 'POST', '/v1/invoices', {
      number,
      customer_id: customerId,
      currency: 'EUR',
      subtotal,
      issue_date: '2026-04-01',
      due_date: due,
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const riskEvents = async (customerId: string) =>
    (await call(acme, 'GET', '/v1/events?type=customer.risk_changed&limit=100'))
      .json()
      .data.filter((e: { data: { customer_id: string } }) => e.data.customer_id === customerId)
      .map((e: { data: object }) => e.data)
      .reverse();

  // Durand paid three of four invoices late (chronic lateness) and owes 6,000.00 since 1 June (large overdue).
  const durand = await customer('Durand SA');
  for (const [n, paidOn] of [
    [1, '2026-05-02'],
    [2, '2026-05-20'],
    [3, '2026-05-25'],
    [4, '2026-05-10'],
  ] as const) {
    const id = await invoice(durand, `P-${n}`, 10000, n === 4 ? '2026-05-10' : '2026-05-01');
    const res = await call(acme, 'POST', '/v1/payments', {
      customer_id: durand,
      amount: 10000,
      currency: 'EUR',
      method: 'transfer',
      received_on: paidOn,
      allocations: [{ invoice_id: id, amount: 10000 }],
    });
    t.equal(res.statusCode, 201, res.body);
  }
  await invoice(durand, 'O-1', 600000, '2026-06-01');
  const martin = await customer('Martin SARL');

  t.test('assessed on read, with its reasons; an unchanged level says nothing', async (t) => {
    const res = await call(acme, 'GET', `/v1/customers/${durand}/risk`);
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), {
      object: 'customer_risk',
      customer_id: durand,
      level: 'high',
      assessed_level: 'high',
      assessed_at: '2026-06-30T10:00:00.000Z',
      override: null,
    });
    t.same(res.json().reasons, [
      { code: 'chronic_lateness', points: 1, value: 0.75, threshold: 0.5, currency: null },
      { code: 'large_overdue', points: 1, value: 600000, threshold: 500000, currency: 'EUR' },
    ]);
    t.same((await call(acme, 'GET', `/v1/customers/${martin}/risk`)).json().level, 'low');
    await call(acme, 'GET', `/v1/customers/${durand}/risk`);
    t.same(await riskEvents(durand), [
      { customer_id: durand, previous_level: 'low', level: 'high', reasons: res.json().reasons, overridden: false },
    ]);
    t.same(await riskEvents(martin), [], 'low stays low: no event');
  });

  t.test('the account tunes its thresholds; a PATCH merges into the earlier one', async (t) => {
    const patch = await call(acme, 'PATCH', '/v1/account', { risk_thresholds: { large_overdue: { EUR: 1000000 } } });
    t.equal(patch.statusCode, 200, patch.body);
    t.equal(patch.json().risk_thresholds.chronic_min_paid_invoices, 3, 'the defaults show beside');
    const again = await call(acme, 'PATCH', '/v1/account', { risk_thresholds: { unanswered_reminders: 3 } });
    t.same(again.json().risk_thresholds.large_overdue, { EUR: 1000000 }, 'the earlier change is kept');
    t.equal(again.json().risk_thresholds.unanswered_reminders, 3);
    const risk = (await call(acme, 'GET', `/v1/customers/${durand}/risk`)).json();
    t.equal(risk.level, 'medium');
    t.same(
      risk.reasons.map((r: { code: string }) => r.code),
      ['chronic_lateness'],
    );
    t.match((await riskEvents(durand)).at(-1), { previous_level: 'high', level: 'medium', overridden: false });
    const bad = await call(acme, 'PATCH', '/v1/account', { risk_thresholds: { chronic_share_paid_late: 2 } });
    t.equal(bad.statusCode, 400);
    t.match(bad.headers['content-type'], /problem\+json/);
    const reset = await call(acme, 'PATCH', '/v1/account', { risk_thresholds: null });
    t.same(reset.json().risk_thresholds.large_overdue, { CHF: 500000, EUR: 500000, GBP: 500000, USD: 500000 });
  });

  t.test('a person overrules it with a reason until lifted', async (t) => {
    const set = await call(acme, 'PUT', `/v1/customers/${durand}/risk/override`, {
      level: 'critical',
      reason: 'In receivership since 12 June',
    });
    t.equal(set.statusCode, 200, set.body);
    t.match(set.json(), {
      level: 'critical',
      assessed_level: 'medium',
      override: { level: 'critical', reason: 'In receivership since 12 June', set_at: '2026-06-30T10:00:00.000Z' },
    });
    // Back to the defaults (the previous subtest reset them): assessed high, the override still rules.
    const read = (await call(acme, 'GET', `/v1/customers/${durand}/risk`)).json();
    t.equal(read.level, 'critical');
    t.equal(read.assessed_level, 'high');
    const lifted = await call(acme, 'DELETE', `/v1/customers/${durand}/risk/override`);
    t.match(lifted.json(), { level: 'high', override: null });
    const events = await riskEvents(durand);
    t.match(events.slice(-2), [
      { previous_level: 'medium', level: 'critical', overridden: true },
      { previous_level: 'critical', level: 'high', overridden: false },
    ]);
    for (const body of [{ level: 'extreme', reason: 'x' }, { level: 'low' }, { level: 'low', reason: '' }]) {
      const bad = await call(acme, 'PUT', `/v1/customers/${durand}/risk/override`, body);
      t.equal(bad.statusCode, 400, JSON.stringify(body));
    }
  });

  t.test('the daily sweep assesses customers nobody read, once a day', async (t) => {
    const petit = await customer('Petit EURL');
    await invoice(petit, 'O-2', 750000, '2026-06-10');
    await ctx.services.reminders.scheduler.assessRisk({ kind: 'live', now: clock.now() });
    t.match(await riskEvents(petit), [{ previous_level: 'low', level: 'medium', overridden: false }]);
    // Paid the next day: the sweep of that day does not come back to it yet, the next day's does.
    clock.set('2026-07-01T09:00:00Z');
    await call(acme, 'POST', '/v1/payments', {
      customer_id: petit,
      amount: 750000,
      currency: 'EUR',
      method: 'transfer',
      received_on: '2026-07-01',
    });
    await ctx.services.reminders.scheduler.assessRisk({ kind: 'live', now: clock.now() });
    t.equal((await riskEvents(petit)).length, 1, 'assessed at most once a day');
    clock.set('2026-07-01T10:30:00Z');
    await ctx.services.reminders.scheduler.assessRisk({ kind: 'live', now: clock.now() });
    t.match((await riskEvents(petit)).at(-1), { previous_level: 'medium', level: 'low' });
  });

  t.test('GraphQL: Customer.risk and the override mutations', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const read = await gql(
      `query ($id: ID!) { customer(id: $id) { risk { level assessedLevel reasons { code value threshold currency } override { level } } } }`,
      { id: durand },
    );
    t.same(read.errors, undefined);
    t.same(read.data, {
      customer: {
        risk: {
          level: 'HIGH',
          assessedLevel: 'HIGH',
          reasons: [
            { code: 'CHRONIC_LATENESS', value: 0.75, threshold: 0.5, currency: null },
            { code: 'LARGE_OVERDUE', value: 600000, threshold: 500000, currency: 'EUR' },
          ],
          override: null,
        },
      },
    });
    const set = await gql(
      `mutation ($id: ID!) { overrideCustomerRisk(id: $id, level: LOW, reason: "Paid by the parent company") { level override { level reason } } }`,
      { id: durand },
    );
    t.same(set.data, {
      overrideCustomerRisk: { level: 'LOW', override: { level: 'LOW', reason: 'Paid by the parent company' } },
    });
    const lift = await gql(`mutation ($id: ID!) { liftCustomerRiskOverride(id: $id) { level override { level } } }`, {
      id: durand,
    });
    t.same(lift.data, { liftCustomerRiskOverride: { level: 'HIGH', override: null } });
  });

  t.test('another account sees nothing and changes nothing', async (t) => {
    for (const [method, url, body] of [
      ['GET', `/v1/customers/${durand}/risk`, undefined],
      ['PUT', `/v1/customers/${durand}/risk/override`, { level: 'low', reason: 'mine now' }],
      ['DELETE', `/v1/customers/${durand}/risk/override`, undefined],
    ] as const) {
      const res = await call(other, method, url, body);
      t.equal(res.statusCode, 404, `${method} ${url}`);
      t.equal(res.json().code, 'customer/not_found');
    }
    t.equal((await call(acme, 'GET', `/v1/customers/${durand}/risk`)).json().override, null);
    t.same(
      (await call(other, 'GET', '/v1/events?type=customer.risk_changed')).json().data,
      [],
      'no risk event in the other account',
    );
  });
});
