import t from 'tap';
import { setupApp } from '../helpers/app.ts';

// One app for the file: each test has an account of its own.
const ctx = await setupApp(t);

t.test('invoices over REST', async (t) => {
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...acme.auth, ...headers } });
  const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: acme.auth });

  const customer = (
    await post('/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.example', external_id: 'crm-1' })
  ).json();
  t.match(customer, { object: 'customer', name: 'Dupont SARL', external_id: 'crm-1' });

  t.test('create with explicit amounts and due date', async (t) => {
    const res = await post('/v1/invoices', {
      number: 'F-2026-001',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10000,
      tax: 2000,
      issue_date: '2026-03-01',
      due_date: '2026-03-31',
    });
    t.equal(res.statusCode, 201);
    t.match(res.json(), {
      object: 'invoice',
      status: 'open',
      total: 12000,
      balance: 12000,
      overdue: false,
      days_overdue: 0,
    });
  });

  t.test('due date from the built-in default terms (Net 30), issue date today in Paris', async (t) => {
    const res = await post('/v1/invoices', {
      number: 'F-2026-002',
      customer_id: customer.id,
      line_items: [{ description: 'Audit', quantity: 2, unit_amount: 5000 }],
    });
    t.equal(res.statusCode, 201, res.body);
    t.match(res.json(), {
      issue_date: '2026-03-02',
      due_date: '2026-04-01',
      subtotal: 10000,
      total: 10000,
      currency: 'EUR',
    });
  });

  t.test('the same external_id twice is one invoice', async (t) => {
    const body = {
      number: 'F-2026-003',
      external_id: 'order-77',
      customer: { external_id: 'shop-9', name: 'Martin' },
      subtotal: 500,
    };
    const first = await post('/v1/invoices', body);
    const second = await post('/v1/invoices', { ...body, number: 'F-2026-004' });
    t.equal(first.statusCode, 201);
    t.equal(second.statusCode, 200);
    t.equal(second.json().id, first.json().id);
    const list = (await get('/v1/invoices?external_id=order-77')).json();
    t.equal(list.data.length, 1);
  });

  t.test('errors', async (t) => {
    const dup = await post('/v1/invoices', { number: 'F-2026-001', customer_id: customer.id, subtotal: 1 });
    t.equal(dup.statusCode, 409);
    t.equal(dup.json().code, 'invoice/number_taken');
    const unknown = await post('/v1/invoices', { number: 'X', customer_id: customer.id, subtotal: 1, hacked: true });
    t.equal(unknown.statusCode, 400);
    t.match(unknown.json(), {
      code: 'request/validation_failed',
      errors: [{ field: '/hacked', message: 'is not a known field' }],
    });
    t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
  });
});

t.test('the one-statement registration writes the same invoice and event as the general path', async (t) => {
  const acme = await ctx.createAccount({ time_zone: 'Europe/Paris' });
  const customer = (
    await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'C' } })
  ).json();
  const body = {
    number: 'F-1',
    external_id: 'o-1',
    customer_id: customer.id,
    currency: 'EUR',
    subtotal: 1000,
    tax: 200,
    issue_date: '2026-03-01',
    due_date: '2026-03-31',
    metadata: { order: '1' },
    line_items: [{ description: 'x', quantity: 2, unit_amount: 500 }],
  };
  const fast = await ctx.app.inject({ method: 'POST', url: '/v1/invoices', headers: acme.auth, payload: body });
  t.equal(fast.statusCode, 201);
  const stored = (
    await ctx.app.inject({ method: 'GET', url: `/v1/invoices/${fast.json().id}`, headers: acme.auth })
  ).json();
  t.same(fast.json(), stored, 'the answer is what is stored');
  const events = (
    await ctx.app.inject({ method: 'GET', url: `/v1/events?object_id=${stored.id}`, headers: acme.auth })
  ).json().data;
  t.equal(events.length, 1);
  t.same(events[0]?.data, stored, 'the event snapshot is the invoice as stored');
  const [row] = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('events').select(['data_form', 'data_day']).where('object_id', '=', stored.id).execute(),
  );
  t.same(
    row,
    { data_form: 'invoice_row', data_day: '2026-03-02' },
    "stored as the invoice's row, shown as of the account's day",
  );
  const again = await ctx.app.inject({
    method: 'POST',
    url: '/v1/invoices',
    headers: acme.auth,
    payload: { ...body, number: 'F-2' },
  });
  t.equal(again.statusCode, 200, 'a repeated external_id falls back and returns the first');
  t.equal(again.json().id, stored.id);
  const dupNumber = await ctx.app.inject({
    method: 'POST',
    url: '/v1/invoices',
    headers: acme.auth,
    payload: { ...body, external_id: 'o-2' },
  });
  t.equal(dupNumber.json().code, 'invoice/number_taken');
  const noCustomer = await ctx.app.inject({
    method: 'POST',
    url: '/v1/invoices',
    headers: acme.auth,
    payload: { ...body, number: 'F-3', external_id: 'o-3', customer_id: 'cus_01aaaaaaaaaaaaaaaaaaaaaaaa' },
  });
  t.equal(noCustomer.json().code, 'customer/not_found');
  const count = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  t.equal(Number(count.n), 1, 'nothing half-written by the refused ones');
});
