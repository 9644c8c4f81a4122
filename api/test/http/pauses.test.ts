import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

t.test('pauses', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  // Webhook steps at −7, 0, +7 days: for an invoice due on 9 March the first is due now (2 March, 09:00 UTC).
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const newInvoice = async (body: object = {}, customerId = customer.id) => {
    const invoice = await kit.invoice(acme, { customer_id: customerId, due_date: '2026-03-09', ...body });
    await kit.run();
    return invoice;
  };
  const first = async (invoiceId: string) => (await kit.occurrences(acme, invoiceId))[0];

  t.test('an open-ended pause holds reminders until resumed', async (t) => {
    const invoice = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09' });
    const res = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, { reason: 'Customer on holiday' });
    t.equal(res.statusCode, 200);
    t.same(res.json().pause, { until: null, reason: 'Customer on holiday', source: 'invoice' });
    await kit.run();
    t.match(await first(invoice.id), { offset_days: -7, status: 'held', hold_reason: 'paused' });

    const resumed = await call(acme, 'POST', `/v1/invoices/${invoice.id}/resume`);
    t.equal(resumed.statusCode, 200);
    t.equal(resumed.json().pause, null);
    t.match(await first(invoice.id), { status: 'scheduled', hold_reason: null }, 'released');
    await kit.run();
    t.match(await first(invoice.id), { status: 'sent' });

    const events = (await kit.eventsOf(acme, invoice.id)).filter((e) => e.type.startsWith('invoice.'));
    t.same(
      events.map((e) => e.type),
      ['invoice.created', 'invoice.paused', 'invoice.resumed'],
    );
    t.same(events[1]?.data.pause, { until: null, reason: 'Customer on holiday', source: 'invoice' });
    t.equal(events[2]?.data.pause, null);

    const again = await call(acme, 'POST', `/v1/invoices/${invoice.id}/resume`);
    t.equal(again.statusCode, 200, 'resuming an invoice that is not paused is harmless');
    t.equal(
      (await kit.eventsOf(acme, invoice.id)).filter((e) => e.type === 'invoice.resumed').length,
      1,
      'and writes nothing',
    );
  });

  t.test('a pause until a date defers reminders and ends by itself', async (t) => {
    const invoice = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09' });
    const res = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, { until: '2026-03-05' });
    t.same(res.json().pause, { until: '2026-03-05', reason: null, source: 'invoice' });
    await kit.run();
    const deferred = await first(invoice.id);
    t.match(deferred, { status: 'scheduled', hold_reason: 'paused' });
    t.equal(
      deferred?.scheduled_at?.toISOString(),
      '2026-03-06T09:00:00.000Z',
      'to the day after the pause, at the send hour',
    );

    clock.set('2026-03-05T23:00:00Z');
    t.same(
      (await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().pause,
      { until: '2026-03-05', reason: null, source: 'invoice' },
      'on its last day',
    );
    clock.set('2026-03-06T09:00:00Z');
    t.equal((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().pause, null, 'over once its date passed');
    await kit.run();
    t.match(await first(invoice.id), { status: 'sent' });
    clock.set('2026-03-02T09:00:00Z');
  });

  t.test('pausing again replaces the pause; an empty body pauses until resumed', async (t) => {
    const invoice = await newInvoice();
    t.same(
      (
        await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, {
          until: '2026-04-01',
          reason: 'Waiting for the PO',
        })
      ).json().pause,
      { until: '2026-04-01', reason: 'Waiting for the PO', source: 'invoice' },
    );
    t.same(
      (await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, { until: '2026-03-02' })).json().pause,
      { until: '2026-03-02', reason: null, source: 'invoice' },
      'today is allowed',
    );
    const bare = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`);
    t.equal(bare.statusCode, 200);
    t.same(bare.json().pause, { until: null, reason: null, source: 'invoice' });
    t.equal((await kit.eventsOf(acme, invoice.id)).filter((e) => e.type === 'invoice.paused').length, 3);
  });

  t.test('refused pauses', async (t) => {
    const invoice = await newInvoice();
    const past = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, { until: '2026-03-01' });
    t.equal(past.statusCode, 422);
    t.match(past.json(), { code: 'pause/invalid_until', errors: [{ field: '/until' }] });
    for (const body of [{ until: '2026-02-30' }, { reason: '' }, { until: null, days: 3 }]) {
      const bad = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, body);
      t.equal(bad.statusCode, 400, JSON.stringify(body));
      t.equal(bad.json().code, 'request/validation_failed');
    }
    t.equal((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().pause, null, 'nothing was paused');

    await call(acme, 'POST', `/v1/invoices/${invoice.id}/void`);
    const closed = await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, {});
    t.equal(closed.statusCode, 409);
    t.equal(closed.json().code, 'invoice/invalid_transition');
    const draft = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09', status: 'draft' });
    t.equal(
      (await call(acme, 'POST', `/v1/invoices/${draft.id}/pause`, {})).statusCode,
      200,
      'a draft can be paused before it is finalized',
    );
    const unknown = await call(acme, 'POST', `/v1/invoices/${newId('invoice')}/pause`, {});
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'invoice/not_found');
    t.equal((await call(acme, 'POST', `/v1/invoices/${newId('invoice')}/resume`)).json().code, 'invoice/not_found');
  });

  t.test("a customer's pause holds all its invoices' reminders", async (t) => {
    const paused = await kit.customer(acme, { name: 'Martin SA', reminder_policy_id: policy.id });
    const invoices = [
      await kit.invoice(acme, { customer_id: paused.id, due_date: '2026-03-09' }),
      await kit.invoice(acme, { customer_id: paused.id, due_date: '2026-03-09' }),
    ];
    const res = await call(acme, 'POST', `/v1/customers/${paused.id}/pause`, { reason: 'Insolvency proceedings' });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { id: paused.id, pause: { until: null, reason: 'Insolvency proceedings' } });
    t.same((await call(acme, 'GET', `/v1/customers/${paused.id}`)).json().pause, {
      until: null,
      reason: 'Insolvency proceedings',
    });
    await kit.run();
    for (const invoice of invoices)
      t.match(await first(invoice.id), { status: 'held', hold_reason: 'customer_paused' });

    const resumed = await call(acme, 'POST', `/v1/customers/${paused.id}/resume`);
    t.equal(resumed.statusCode, 200);
    t.equal(resumed.json().pause, null);
    for (const invoice of invoices)
      t.match(await first(invoice.id), { status: 'scheduled', hold_reason: null }, 'released');
    const events = await kit.eventsOf(acme, paused.id);
    t.same(
      events.map((e) => e.type),
      ['customer.created', 'customer.paused', 'customer.resumed'],
    );
    t.same(events[1]?.data.pause, { until: null, reason: 'Insolvency proceedings' });

    t.same((await call(acme, 'POST', `/v1/customers/${paused.id}/pause`, { until: '2026-03-10' })).json().pause, {
      until: '2026-03-10',
      reason: null,
    });
    clock.set('2026-03-11T09:00:00Z');
    t.equal(
      (await call(acme, 'GET', `/v1/customers/${paused.id}`)).json().pause,
      null,
      'a dated customer pause ends by itself',
    );
    t.equal(
      (await call(acme, 'GET', `/v1/customers?limit=100`)).json().data.find((c: { id: string }) => c.id === paused.id)
        .pause,
      null,
      'in lists too',
    );
    clock.set('2026-03-02T09:00:00Z');

    const past = await call(acme, 'POST', `/v1/customers/${paused.id}/pause`, { until: '2026-01-01' });
    t.equal(past.statusCode, 422);
    t.equal(past.json().code, 'pause/invalid_until');
    const unknown = await call(acme, 'POST', `/v1/customers/${newId('customer')}/pause`, {});
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'customer/not_found');
  });

  t.test("a customer's reminder policy", async (t) => {
    t.equal(customer.reminder_policy_id, policy.id, 'set at creation');
    t.equal(customer.pause, null);
    const plain = await kit.customer(acme, { name: 'Plain' });
    t.equal(plain.reminder_policy_id, null);
    const invoice = await kit.invoice(acme, { customer_id: plain.id, due_date: '2026-03-09' });
    await kit.run();
    t.equal((await kit.occurrences(acme, invoice.id)).length, 7, 'the default follow-up');
    const updated = await call(acme, 'PATCH', `/v1/customers/${plain.id}`, { reminder_policy_id: policy.id });
    t.equal(updated.statusCode, 200);
    t.equal(updated.json().reminder_policy_id, policy.id);
    await kit.run();
    const scheduled = (await kit.occurrences(acme, invoice.id))
      .filter((o) => o.status === 'scheduled')
      .map((o) => o.policy_id);
    t.same(
      [...new Set(scheduled)],
      [policy.id],
      "what is still to come on its open invoices follows the customer's new policy",
    );

    const unknown = await call(acme, 'POST', '/v1/customers', {
      name: 'X',
      reminder_policy_id: newId('reminderPolicy'),
    });
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'reminder_policy/not_found');
    const inline = await call(acme, 'POST', '/v1/invoices', {
      number: 'INLINE-1',
      subtotal: 100,
      due_date: '2026-04-01',
      customer: { name: 'New', external_id: 'shop-9', reminder_policy_id: newId('reminderPolicy') },
    });
    t.equal(inline.statusCode, 404);
    t.equal(inline.json().code, 'reminder_policy/not_found', "an inline customer's unknown policy is named as such");
    const othersPolicy = await kit.policy(other);
    const foreign = await call(acme, 'PATCH', `/v1/customers/${plain.id}`, { reminder_policy_id: othersPolicy.id });
    t.equal(foreign.statusCode, 404, "another account's policy does not exist here");
    t.equal(foreign.json().code, 'reminder_policy/not_found');
    const bad = await call(acme, 'PATCH', `/v1/customers/${plain.id}`, { reminder_policy_id: 'default' });
    t.equal(bad.statusCode, 400);
  });

  t.test('a read-only key cannot pause or resume', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { read_only: true })).json();
    const ro = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const invoice = await newInvoice();
    for (const url of [
      `/v1/invoices/${invoice.id}/pause`,
      `/v1/invoices/${invoice.id}/resume`,
      `/v1/customers/${customer.id}/pause`,
      `/v1/customers/${customer.id}/resume`,
    ]) {
      const res = await call(ro, 'POST', url, {});
      t.equal(res.statusCode, 403, url);
      t.equal(res.json().code, 'auth/read_only_key');
    }
  });

  t.test("another account's invoices and customers cannot be paused (REST and GraphQL)", async (t) => {
    const invoice = await newInvoice();
    for (const [url, code] of [
      [`/v1/invoices/${invoice.id}/pause`, 'invoice/not_found'],
      [`/v1/invoices/${invoice.id}/resume`, 'invoice/not_found'],
      [`/v1/customers/${customer.id}/pause`, 'customer/not_found'],
      [`/v1/customers/${customer.id}/resume`, 'customer/not_found'],
    ] as const) {
      const res = await call(other, 'POST', url, {});
      t.equal(res.statusCode, 404, url);
      t.equal(res.json().code, code);
    }
    const gql = graphqlClient(ctx, other.auth);
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { pauseInvoice(id: $id) { id } }`, { id: invoice.id })),
      'invoice/not_found',
    );
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { resumeCustomer(id: $id) { id } }`, { id: customer.id })),
      'customer/not_found',
    );
    t.equal((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().pause, null, 'untouched');
    t.equal((await call(acme, 'GET', `/v1/customers/${customer.id}`)).json().pause, null);
  });
});

t.test("a customer's pause shows on each of its invoices, old and new, and ends with its date", async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const customer = (await call('POST', '/v1/customers', { name: 'On holiday', email: 'h@example.com' })).json();
  const before = (
    await call('POST', '/v1/invoices', {
      number: 'CP-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 100,
      issue_date: '2026-03-01',
      due_date: '2026-03-20',
    })
  ).json();
  t.equal(before.pause, null);
  t.equal(
    (await call('POST', `/v1/customers/${customer.id}/pause`, { until: '2026-03-10', reason: 'Holiday' })).statusCode,
    200,
  );
  t.same((await call('GET', `/v1/invoices/${before.id}`)).json().pause, {
    until: '2026-03-10',
    reason: 'Holiday',
    source: 'customer',
  });
  const after = await call('POST', '/v1/invoices', {
    number: 'CP-2',
    customer_id: customer.id,
    currency: 'EUR',
    subtotal: 100,
    issue_date: '2026-03-02',
    due_date: '2026-03-20',
  });
  t.same(
    after.json().pause,
    { until: '2026-03-10', reason: 'Holiday', source: 'customer' },
    'a new invoice shows it at once',
  );
  const created = (await call('GET', `/v1/events?object_id=${after.json().id}&type=invoice.created`)).json().data[0];
  t.match(created.data, { pause: { source: 'customer' } }, 'and so does its invoice.created snapshot');
  const gql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: acme.auth,
    payload: { query: `{ invoice(id: "${before.id}") { pause { until reason source } } }` },
  });
  t.same(gql.json().data.invoice.pause, { until: '2026-03-10', reason: 'Holiday', source: 'customer' });
  (ctx.clock as import('../../src/clock.ts').ManualClock).set('2026-03-11T08:00:00Z');
  t.equal((await call('GET', `/v1/invoices/${before.id}`)).json().pause, null, 'the pause ended with its date');
  await call('POST', `/v1/customers/${customer.id}/resume`);
  t.equal((await call('GET', `/v1/invoices/${after.json().id}`)).json().pause, null);
});

t.test("moving a draft to a paused customer shows that customer's pause", async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const active = (await call('POST', '/v1/customers', { name: 'Active' })).json();
  const paused = (await call('POST', '/v1/customers', { name: 'Paused' })).json();
  await call('POST', `/v1/customers/${paused.id}/pause`, { reason: 'Insolvency' });
  const draft = (
    await call('POST', '/v1/invoices', {
      number: 'MV-1',
      customer_id: active.id,
      subtotal: 100,
      status: 'draft',
      due_date: '2026-04-01',
    })
  ).json();
  t.equal(draft.pause, null);
  const moved = (await call('PATCH', `/v1/invoices/${draft.id}`, { customer_id: paused.id })).json();
  t.same(moved.pause, { until: null, reason: 'Insolvency', source: 'customer' });
  const general = (
    await call('POST', '/v1/invoices', { number: 'MV-2', customer_id: paused.id, subtotal: 100 })
  ).json();
  t.same(
    general.pause,
    { until: null, reason: 'Insolvency', source: 'customer' },
    'also through the general path (terms, default currency)',
  );
});
