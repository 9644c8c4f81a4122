import t from 'tap';
import { parseQueryString } from '../../src/app.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

t.test('query strings: expand[] lists and metadata[key] objects', async (t) => {
  t.same(
    { ...parseQueryString('expand[]=customer&expand[]=fees&limit=5') },
    { expand: ['customer', 'fees'], limit: '5' },
  );
  t.same(JSON.parse(JSON.stringify(parseQueryString('metadata[order_id]=1042&metadata[shop]=fr'))), {
    metadata: { order_id: '1042', shop: 'fr' },
  });
  t.same(
    { ...parseQueryString('status=open&status=paid') },
    { status: ['open', 'paid'] },
    'plain repeated keys stay as Node parses them',
  );
});

t.test('expand[] on invoices and payments, metadata filters on lists', async (t) => {
  const ctx = await setupApp(t);
  const paris = await ctx.createAccount({ name: 'Paris', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  await call(paris, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' });
  const customer = (
    await call(paris, 'POST', '/v1/customers', {
      name: 'SARL Client',
      email: 'ap@client.example',
      metadata: { crm: 'C-7' },
    })
  ).json();
  const late = (
    await call(paris, 'POST', '/v1/invoices', {
      number: 'X-1',
      customer_id: customer.id,
      subtotal: 100000,
      issue_date: '2025-12-02',
      due_date: '2026-01-01',
      metadata: { order_id: '1042', shop: 'fr' },
    })
  ).json();
  const fresh = (
    await call(paris, 'POST', '/v1/invoices', {
      number: 'X-2',
      customer_id: customer.id,
      subtotal: 50000,
      issue_date: '2026-03-01',
      due_date: '2026-03-31',
      metadata: { order_id: '1043', shop: 'fr' },
    })
  ).json();
  const actor = {
    accountId: paris.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Paris',
  };
  await ctx.services.lateFees.accrue(actor, late.id);
  const payment = await call(paris, 'POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 30000,
    currency: 'EUR',
    method: 'transfer',
    received_on: '2026-03-02',
    allocations: [
      { invoice_id: late.id, amount: 20000 },
      { invoice_id: fresh.id, amount: 10000 },
    ],
  });
  t.equal(payment.statusCode, 201, payment.body);
  const paymentId = payment.json().id;

  t.test('an invoice with its customer, payments and fees, as the dedicated endpoints give them', async (t) => {
    const res = await call(paris, 'GET', `/v1/invoices/${late.id}?expand[]=customer&expand[]=payments&expand[]=fees`);
    t.equal(res.statusCode, 200, res.body);
    const body = res.json();
    t.same(body.customer, (await call(paris, 'GET', `/v1/customers/${customer.id}`)).json());
    t.same(body.payments, [(await call(paris, 'GET', `/v1/payments/${paymentId}`)).json()]);
    t.same(body.fees, (await call(paris, 'GET', `/v1/invoices/${late.id}/fees`)).json().data);
    t.ok(body.fees.length >= 1, 'the late invoice has fee lines');
    const plain = (await call(paris, 'GET', `/v1/invoices/${late.id}`)).json();
    t.notOk('customer' in plain || 'payments' in plain || 'fees' in plain, 'nothing is expanded unless asked');
  });

  t.test('a page of invoices expanded at once', async (t) => {
    const page = (await call(paris, 'GET', '/v1/invoices?expand[]=customer&expand[]=fees')).json();
    t.equal(page.data.length, 2);
    t.ok(page.data.every((i: { customer: { id: string } }) => i.customer.id === customer.id));
    t.same(page.data.find((i: { id: string }) => i.id === fresh.id).fees, []);
  });

  t.test('a payment with its invoices', async (t) => {
    const one = (await call(paris, 'GET', `/v1/payments/${paymentId}?expand[]=invoices`)).json();
    t.same(one.invoices.map((i: { number: string }) => i.number).sort(), ['X-1', 'X-2']);
    const list = (await call(paris, 'GET', '/v1/payments?expand[]=invoices')).json();
    t.equal(list.data[0].invoices.length, 2);
  });

  t.test('an unknown expansion is a 400 naming it', async (t) => {
    for (const url of [
      `/v1/invoices/${late.id}?expand[]=customer&expand[]=secrets`,
      '/v1/invoices?expand[]=account',
      `/v1/payments/${paymentId}?expand[]=customer`,
    ]) {
      const res = await call(paris, 'GET', url);
      t.equal(res.statusCode, 400, url);
      t.equal(res.json().code, 'request/invalid_expand');
      t.match(res.json().errors[0].field, /^\/expand\/\d$/);
    }
    const many = await call(
      paris,
      'GET',
      `/v1/invoices?${Array.from({ length: 11 }, () => 'expand[]=fees').join('&')}`,
    );
    t.equal(many.json().code, 'request/validation_failed');
  });

  t.test('metadata filters', async (t) => {
    const byOrder = (await call(paris, 'GET', '/v1/invoices?metadata[order_id]=1043')).json();
    t.same(
      byOrder.data.map((i: { number: string }) => i.number),
      ['X-2'],
    );
    const both = (await call(paris, 'GET', '/v1/invoices?metadata[shop]=fr&metadata[order_id]=1042')).json();
    t.same(
      both.data.map((i: { number: string }) => i.number),
      ['X-1'],
      'every pair must match',
    );
    t.same((await call(paris, 'GET', '/v1/invoices?metadata[shop]=de')).json().data, []);
    t.same(
      (await call(paris, 'GET', '/v1/customers?metadata[crm]=C-7')).json().data.map((c: { id: string }) => c.id),
      [customer.id],
    );
    t.same((await call(paris, 'GET', '/v1/payments?metadata[none]=x')).json().data, []);
    t.same(
      (await call(other, 'GET', '/v1/invoices?metadata[order_id]=1042')).json().data,
      [],
      "another account's invoices are never found",
    );
  });

  t.test("another account cannot expand into this one's objects", async (t) => {
    const res = await call(other, 'GET', `/v1/invoices/${late.id}?expand[]=customer`);
    t.equal(res.statusCode, 404);
  });
});
