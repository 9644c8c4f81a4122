import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('test clocks: a whole follow-up over 60 simulated days through the API', async (t) => {
  const ctx = await setupApp(t);
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'Europe/Paris' });
  t.match(sandbox.apiKey, /^rk_test_/);
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: sandbox.auth, ...(payload && { payload }) });

  const start = (await call('GET', '/v1/test_clock')).json();
  t.equal(start.now, ctx.clock.now().toISOString(), 'a test clock starts at the real time');
  const customer = (
    await call('POST', '/v1/customers', { name: 'Client test', email: 'client@example.test', locale: 'en' })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'T-1',
      customer_id: customer.id,
      subtotal: 25000,
      issue_date: '2026-03-02',
      due_date: '2026-03-31',
    })
  ).json();

  const planned = (await call('GET', `/v1/invoices/${invoice.id}/timeline`)).json();
  t.equal(planned.reminders.length, 7, 'the default policy: five emails and two tasks');
  t.ok(planned.reminders.every((r: { status: string }) => r.status === 'scheduled'));
  const firstEmail = planned.reminders.find((r: { channel: string }) => r.channel === 'email');
  t.match(firstEmail.subject, 'T-1', 'future emails show the subject they would have');

  const advanced = await call('POST', '/v1/test_clock/advance', { to: '2026-05-01T12:00:00Z' });
  t.equal(advanced.statusCode, 200, advanced.body);
  t.same(advanced.json(), { object: 'test_clock', now: '2026-05-01T12:00:00.000Z', today: '2026-05-01' });

  const timeline = (await call('GET', `/v1/invoices/${invoice.id}/timeline`)).json();
  t.same(
    timeline.reminders.map((r: { status: string }) => r.status),
    Array(7).fill('sent'),
  );
  const sent = await ctx.database.withAccount(sandbox.accountId, (trx) =>
    trx.selectFrom('messages').select(['template_key', 'sent_at', 'transport']).orderBy('sent_at').execute(),
  );
  t.same(
    sent.map((m) => m.template_key),
    ['before_due', 'due_today', 'overdue_friendly', 'overdue_firm', 'final_notice'],
  );
  t.ok(
    sent.every((m) => m.transport === 'outbox'),
    'test-mode accounts never email anyone',
  );
  t.equal(sent[1]?.sent_at?.toISOString(), '2026-03-31T07:00:00.000Z', 'on the due date at 09:00 Paris (summer time)');
  const events = await ctx.database.withAccount(sandbox.accountId, (trx) =>
    trx.selectFrom('events').select('type').where('object_id', '=', invoice.id).orderBy('seq').execute(),
  );
  t.ok(events.some((e) => e.type === 'invoice.overdue'));

  t.test('time only moves forward, at most 400 days, and only for test accounts', async (t) => {
    const back = await call('POST', '/v1/test_clock/advance', { to: '2026-04-01T00:00:00Z' });
    t.equal(back.statusCode, 422);
    t.equal(back.json().code, 'test_clock/backwards');
    const far = await call('POST', '/v1/test_clock/advance', { to: '2028-01-01T00:00:00Z' });
    t.equal(far.json().code, 'test_clock/too_far');
    const live = await ctx.createAccount({ name: 'Live' });
    const refused = await ctx.app.inject({
      method: 'POST',
      url: '/v1/test_clock/advance',
      headers: live.auth,
      payload: { to: '2027-01-01T00:00:00Z' },
    });
    t.equal(refused.statusCode, 403);
    t.equal(refused.json().code, 'test_clock/live_account');
    const viaGraphql = await ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: live.auth,
      payload: { query: 'mutation { advanceTestClock(to: "2027-01-01T00:00:00Z") { now } }' },
    });
    t.equal(viaGraphql.json().errors[0].extensions.code, 'test_clock/live_account');
  });
});

t.test('a test clock can be set anywhere while the account has no invoice, and reset starts over', async (t) => {
  const ctx = await setupApp(t);
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other sandbox', mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, who = sandbox) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });

  // A scenario dated in the past: no invoice yet, so the clock may go back (and far).
  const past = await call('POST', '/v1/test_clock/advance', { to: '2024-01-15T08:00:00Z' });
  t.same(past.json(), { object: 'test_clock', now: '2024-01-15T08:00:00.000Z', today: '2024-01-15' }, past.body);
  t.equal(
    (await call('POST', '/v1/test_clock/advance', { to: '2029-06-01T00:00:00Z' })).statusCode,
    200,
    'more than 400 days at once with no invoice',
  );
  t.equal((await call('POST', '/v1/test_clock/advance', { to: '2024-01-15T08:00:00Z' })).statusCode, 200);

  const customer = (await call('POST', '/v1/customers', { name: 'Client test', email: 'client@example.test' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'T-1',
      customer_id: customer.id,
      subtotal: 25000,
      issue_date: '2024-01-15',
      due_date: '2024-01-31',
    })
  ).json();
  t.equal(invoice.overdue, false, 'dated by the test clock, not the real now');
  await call('POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 1000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [{ invoice_id: invoice.id, amount: 1000 }],
  });
  const otherCustomer = (await call('POST', '/v1/customers', { name: 'Kept' }, other)).json();
  t.equal((await call('POST', '/v1/test_clock/advance', { to: '2024-03-01T00:00:00Z' })).statusCode, 200);
  t.ok((await call('GET', '/v1/messages')).json().data.length > 0, 'reminders went out');
  const back = await call('POST', '/v1/test_clock/advance', { to: '2024-01-01T00:00:00Z' });
  t.equal(back.json().code, 'test_clock/backwards', 'with invoices, time only moves forward');

  const reset = await call('POST', '/v1/test_clock/reset', { to: '2025-06-01T09:00:00Z' });
  t.equal(reset.statusCode, 200, reset.body);
  t.same(reset.json(), { object: 'test_clock', now: '2025-06-01T09:00:00.000Z', today: '2025-06-01' });
  for (const path of ['/v1/customers', '/v1/invoices', '/v1/payments', '/v1/messages', '/v1/tasks', '/v1/events']) {
    t.same((await call('GET', path)).json().data, [], `${path} is empty after the reset`);
  }
  t.equal((await call('GET', '/v1/account')).statusCode, 200, 'the account and its key stay');
  t.equal(
    (await call('GET', `/v1/customers/${otherCustomer.id}`, undefined, other)).statusCode,
    200,
    "another account's data is untouched",
  );
  t.equal(
    (await call('POST', '/v1/customers', { name: 'Client test', email: 'client@example.test' })).statusCode,
    201,
    'the scenario can be replayed',
  );

  const now = await call('POST', '/v1/test_clock/reset', {});
  t.equal(now.statusCode, 200, 'no `to`: the real now');
  t.equal(now.json().now, ctx.clock.now().toISOString());
  t.equal((await call('POST', '/v1/test_clock/reset', { to: 'yesterday' })).json().code, 'request/validation_failed');
  const live = await ctx.createAccount({ name: 'Live' });
  const refused = await call('POST', '/v1/test_clock/reset', {}, live);
  t.equal(refused.statusCode, 403);
  t.equal(refused.json().code, 'test_clock/live_account');
  const viaGraphql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: sandbox.auth,
    payload: { query: 'mutation { resetTestClock(to: "2023-02-01T00:00:00Z") { now today } }' },
  });
  t.same(viaGraphql.json().data, { resetTestClock: { now: '2023-02-01T00:00:00.000Z', today: '2023-02-01' } });
});

t.test('a test account whose clock was never set follows real time, as the workers tick', async (t) => {
  const clock = new ManualClock('2026-03-10T06:00:00Z');
  const ctx = await setupApp(t, { clock });
  const fresh = await ctx.createAccount({ name: 'Demo', mode: 'test', time_zone: 'UTC' });
  const pinned = await ctx.createAccount({ name: 'Pinned', mode: 'test', time_zone: 'UTC' });
  const call = (who: typeof fresh, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  // Pinned sets its clock (to the same instant): from now on only `advance` moves it.
  t.equal((await call(pinned, 'POST', '/v1/test_clock/advance', { to: '2026-03-10T06:00:00Z' })).statusCode, 200);
  const invoices: Record<string, string> = {};
  for (const who of [fresh, pinned]) {
    const customer = (
      await call(who, 'POST', '/v1/customers', { name: 'C', email: 'c@example.test', locale: 'en' })
    ).json();
    invoices[who.accountId] = (
      await call(who, 'POST', '/v1/invoices', {
        number: 'D-1',
        customer_id: customer.id,
        subtotal: 1000,
        issue_date: '2026-03-01',
        due_date: '2026-03-10',
      })
    ).json().id;
  }
  clock.set('2026-03-10T12:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: ctx.clock.now() });
  const sentTo = async (who: typeof fresh) =>
    ctx.database.withAccount(who.accountId, (trx) => trx.selectFrom('messages').select('template_key').execute());
  t.same(
    (await sentTo(fresh)).map((m) => m.template_key),
    ['due_today'],
    'the workers planned and sent it on real time, to the outbox',
  );
  t.same(await sentTo(pinned), [], 'a set clock is left alone by the workers');
  const reset = await call(pinned, 'POST', '/v1/test_clock/reset', {});
  t.equal(reset.statusCode, 200, reset.body);
  t.equal(
    (await call(pinned, 'GET', '/v1/test_clock')).json().now,
    ctx.clock.now().toISOString(),
    'after a reset the clock is real time again',
  );
  clock.set('2026-03-10T13:00:00Z');
  t.equal(
    (await call(pinned, 'GET', '/v1/test_clock')).json().now,
    '2026-03-10T13:00:00.000Z',
    'and it moves with real time',
  );
});

t.test(
  'an invoice registered long after its due date: the first email states the facts, never "despite our reminders"',
  async (t) => {
    const ctx = await setupApp(t);
    const sandbox = await ctx.createAccount({ name: 'Backlog', mode: 'test', time_zone: 'Europe/Paris' });
    const call = (method: string, url: string, payload?: object) =>
      ctx.app.inject({ method: method as 'GET', url, headers: sandbox.auth, ...(payload && { payload }) });
    t.equal((await call('POST', '/v1/test_clock/advance', { to: '2026-03-02T06:00:00Z' })).statusCode, 200);
    const customer = (
      await call('POST', '/v1/customers', { name: 'Client ancien', email: 'ancien@example.test' })
    ).json();
    // Due 293 days ago: every step of the default policy is in the past, the final notice included.
    const invoice = (
      await call('POST', '/v1/invoices', {
        number: 'OLD-1',
        customer_id: customer.id,
        subtotal: 50000,
        issue_date: '2025-04-14',
        due_date: '2025-05-13',
      })
    ).json();
    t.equal((await call('POST', '/v1/test_clock/advance', { to: '2026-03-03T12:00:00Z' })).statusCode, 200);
    const sent = await ctx.database.withAccount(sandbox.accountId, (trx) =>
      trx
        .selectFrom('messages')
        .select(['template_key', 'text', 'subject'])
        .where('invoice_id', '=', invoice.id)
        .execute(),
    );
    t.equal(sent.length, 1, 'one message, not a burst');
    t.equal(sent[0]?.template_key, 'first_overdue', 'the message says which text went out');
    t.notMatch(sent[0]?.text ?? '', /relances|reminders/i, 'no claim of earlier reminders');
    t.match(sent[0]?.text ?? '', 'OLD-1');
    const timeline = (await call('GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    t.ok(
      timeline.reminders.some(
        (r: { template_key: string; status: string; sent_as: string | null }) =>
          r.template_key === 'final_notice' && r.status === 'sent' && r.sent_as === 'first_overdue',
      ),
      'the step that went out is the final one, sent as the first overdue notice',
    );
  },
);
