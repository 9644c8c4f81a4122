import t from 'tap';
import { setupApp } from '../helpers/app.ts';

t.test("account A's ids give 404 to account B on every REST route", async (t) => {
  const ctx = await setupApp(t);
  const a = await ctx.createAccount({ name: 'A' });
  const b = await ctx.createAccount({ name: 'B' });
  const as = (who: typeof a) => (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const byA = as(a);
  const byB = as(b);

  const terms = (await byA('POST', '/v1/payment_terms', { name: 'Net 10', due: { kind: 'net', days: 10 } })).json();
  const customer = (await byA('POST', '/v1/customers', { name: 'Client of A', payment_terms_id: terms.id })).json();
  const draft = (
    await byA('POST', '/v1/invoices', { number: 'A-1', customer_id: customer.id, subtotal: 1000, status: 'draft' })
  ).json();
  const open = (await byA('POST', '/v1/invoices', { number: 'A-2', customer_id: customer.id, subtotal: 1000 })).json();
  const key = (await byA('POST', '/v1/api_keys', { name: 'second' })).json();
  const plan = (
    await byA('POST', `/v1/invoices/${open.id}/payment_plans`, { count: 2, first_due_date: '2099-01-01' })
  ).json();
  const bankLine = (
    await byA('POST', '/v1/bank_transactions', {
      transactions: [
        { booked_on: '2026-03-01', amount: 1000, currency: 'EUR', label: 'VIR A', bank_reference: 'A-BANK-1' },
      ],
    })
  ).json().lines[0].bank_transaction;
  const bankMatch = bankLine.matches[0];
  for (const object of [terms, customer, draft, open, key, plan, bankLine, bankMatch])
    t.ok(object.id, `A created ${object.object}`);

  const routes: Array<[string, string, object?]> = [
    ['GET', `/v1/customers/${customer.id}`],
    ['PATCH', `/v1/customers/${customer.id}`, { name: 'hijacked' }],
    ['DELETE', `/v1/customers/${customer.id}`],
    ['GET', `/v1/payment_terms/${terms.id}`],
    ['PATCH', `/v1/payment_terms/${terms.id}`, { name: 'hijacked' }],
    ['DELETE', `/v1/payment_terms/${terms.id}`],
    ['GET', `/v1/invoices/${draft.id}`],
    ['PATCH', `/v1/invoices/${draft.id}`, { memo: 'hijacked' }],
    ['POST', `/v1/invoices/${draft.id}/finalize`],
    ['POST', `/v1/invoices/${open.id}/void`],
    ['POST', `/v1/invoices/${open.id}/mark_uncollectible`],
    ['POST', `/v1/api_keys/${key.id}/revoke`],
    ['GET', `/v1/payment_plans/${plan.id}`],
    ['POST', `/v1/payment_plans/${plan.id}/cancel`, {}],
    ['POST', `/v1/invoices/${open.id}/payment_plans`, { count: 2, first_due_date: '2099-01-01' }],
    ['GET', `/v1/bank_transactions/${bankLine.id}`],
    ['POST', `/v1/bank_transactions/${bankLine.id}/confirm`, { match_id: bankMatch.id }],
    ['POST', `/v1/bank_transactions/${bankLine.id}/reject`, { match_id: bankMatch.id }],
    ['POST', `/v1/bank_transactions/${bankLine.id}/ignore`],
  ];
  for (const [method, url, payload] of routes) {
    const res = await byB(method, url, payload);
    t.equal(res.statusCode, 404, `${method} ${url} → 404`);
    t.match(res.json().code, /\/not_found$/, `${method} ${url} code`);
  }

  // Using A's objects as references from B fails the same way.
  const refCustomer = await byB('POST', '/v1/invoices', {
    number: 'B-1',
    customer_id: customer.id,
    subtotal: 1,
    due_date: '2026-04-01',
  });
  t.equal(refCustomer.statusCode, 404);
  t.equal(refCustomer.json().code, 'customer/not_found');
  const refTerms = await byB('POST', '/v1/customers', { name: 'x', payment_terms_id: terms.id });
  t.equal(refTerms.statusCode, 404);
  t.equal(refTerms.json().code, 'payment_terms/not_found');
  const refDefault = await byB('PATCH', '/v1/account', { default_payment_terms_id: terms.id });
  t.equal(refDefault.statusCode, 404);
  t.equal(refDefault.json().code, 'payment_terms/not_found');

  // Lists of B never show A's objects; filters by A's ids find nothing.
  for (const url of [
    '/v1/customers',
    '/v1/invoices',
    `/v1/invoices?customer_id=${customer.id}`,
    '/v1/api_keys',
    '/v1/payment_plans',
    `/v1/payment_plans?invoice_id=${open.id}`,
    '/v1/bank_transactions',
  ]) {
    const res = (await byB('GET', url)).json();
    t.notOk(
      res.data.some((o: { id: string }) =>
        [customer.id, draft.id, open.id, key.id, plan.id, bankLine.id].includes(o.id),
      ),
      `${url} shows none of A's`,
    );
  }
  t.notOk((await byB('GET', '/v1/payment_terms?limit=100')).json().data.some((o: { id: string }) => o.id === terms.id));
  t.equal((await byB('GET', '/v1/account')).json().id, b.accountId);

  // A's data is untouched.
  t.equal((await byA('GET', `/v1/customers/${customer.id}`)).json().name, 'Client of A');
  t.equal((await byA('GET', `/v1/invoices/${draft.id}`)).json().status, 'draft');
  t.equal((await byA('GET', `/v1/invoices/${open.id}`)).json().status, 'open');
  t.equal((await byA('GET', `/v1/payment_plans/${plan.id}`)).json().status, 'active');
  t.equal((await byA('GET', `/v1/payment_terms/${terms.id}`)).json().name, 'Net 10');
  t.same((await byA('GET', `/v1/bank_transactions/${bankLine.id}`)).json(), bankLine);

  // Events: A's are invisible to B, by id, in lists and by object.
  const [eventOfA] = (await byA('GET', `/v1/events?object_id=${open.id}`)).json().data;
  t.ok(eventOfA?.id, 'A has events');
  t.equal((await byB('GET', `/v1/events/${eventOfA.id}`)).statusCode, 404, 'GET /v1/events/{id} → 404');
  t.same((await byB('GET', `/v1/events?object_id=${open.id}`)).json().data, [], "B's events about A's invoice: none");
  t.notOk(
    (await byB('GET', '/v1/events?limit=100'))
      .json()
      .data.some((e: { account_id: string }) => e.account_id === a.accountId),
    "B's events show none of A's",
  );
});

t.test("account A's webhook endpoints, deliveries and attempts are invisible to account B", async (t) => {
  const { pino } = await import('pino');
  const { startWorker } = await import('../../src/jobs/worker.ts');
  const { startReceiver } = await import('../helpers/webhook-receiver.ts');
  const ctx = await setupApp(t, { env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: ctx.services,
    clock: ctx.clock,
    log: pino({ level: 'silent' }),
    timer: false,
  });
  t.teardown(() => worker.stop());
  const receiver = await startReceiver(() => ({ status: 500 }));
  t.teardown(() => receiver.close());
  const a = await ctx.createAccount({ name: 'A' });
  const b = await ctx.createAccount({ name: 'B' });
  const as = (who: typeof a) => (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const byA = as(a);
  const byB = as(b);

  const endpoint = (await byA('POST', '/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] })).json();
  const customer = (await byA('POST', '/v1/customers', { name: 'Client of A' })).json();
  await worker.dispatchWebhooks();
  await receiver.waitFor(1);
  let deliveries: { id: string; event_id: string; attempts: { id: string }[] }[] = [];
  for (let i = 0; i < 200 && !deliveries[0]?.attempts.length; i++) {
    await new Promise((r) => setTimeout(r, 50));
    deliveries = (await byA('GET', '/v1/webhook_deliveries')).json().data;
  }
  const delivery = deliveries[0]!;
  t.equal(delivery.attempts.length, 1, 'A has a failed attempt');
  const ownEndpoint = (await byB('POST', '/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] })).json();
  const ownEvent = (await byB('POST', '/v1/customers', { name: 'Client of B' })).json();
  t.ok(ownEvent.id && ownEndpoint.id);

  for (const [method, url, payload] of [
    ['GET', `/v1/webhook_endpoints/${endpoint.id}`],
    ['PATCH', `/v1/webhook_endpoints/${endpoint.id}`, { description: 'hijacked' }],
    ['POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, {}],
    ['POST', `/v1/webhook_endpoints/${endpoint.id}/test`],
    ['POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, { event_id: delivery.event_id }],
    ['POST', `/v1/webhook_endpoints/${ownEndpoint.id}/resend`, { event_id: delivery.event_id }],
    ['GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`],
    ['GET', `/v1/webhook_deliveries/${delivery.id}`],
    ['DELETE', `/v1/webhook_endpoints/${endpoint.id}`],
  ] as Array<[string, string, object?]>) {
    const res = await byB(method, url, payload);
    t.equal(res.statusCode, 404, `${method} ${url} → 404`);
    t.match(res.json().code, /\/not_found$/);
  }
  t.same(
    (await byB('GET', '/v1/webhook_endpoints')).json().data.map((e: { id: string }) => e.id),
    [ownEndpoint.id],
  );
  t.same((await byB('GET', `/v1/webhook_deliveries?endpoint_id=${endpoint.id}`)).json().data, []);
  t.same((await byB('GET', `/v1/webhook_deliveries?event_id=${delivery.event_id}`)).json().data, []);
  t.notOk(
    (await byB('GET', '/v1/events?delivery_success=false'))
      .json()
      .data.some((e: { object_id: string }) => e.object_id === customer.id),
  );
  t.equal(
    (await byA('GET', '/v1/events?delivery_success=false')).json().data[0].object_id,
    customer.id,
    'A sees its own',
  );
  t.equal(
    (await byA('GET', `/v1/webhook_endpoints/${endpoint.id}`)).json().description,
    null,
    "A's endpoint is untouched",
  );
});
