import type { AddressInfo } from 'node:net';
import { createClient, RelanceError, unwrap } from '@relance/sdk';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

/** The error `fn` throws, so a test can assert on its fields. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}

t.test('the SDK against the real server', async (t) => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ctx = await setupApp(t, { clock });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });

  const sent: Request[] = [];
  const relance = createClient({
    apiKey: acme.apiKey,
    baseUrl: `${baseUrl}/`,
    fetch: (request) => {
      sent.push(request.clone());
      return fetch(request);
    },
  });

  const account = unwrap(await relance.GET('/v1/account'));
  t.equal(account.id, acme.accountId);
  t.equal(account.name, 'Acme');

  const customerResult = await relance.POST('/v1/customers', {
    body: { name: 'Dupont SARL', email: 'compta@dupont.example', external_id: 'crm-1' },
  });
  t.equal(customerResult.response.status, 201);
  const customer = unwrap(customerResult);
  t.match(customer, { object: 'customer', name: 'Dupont SARL', email: 'compta@dupont.example', external_id: 'crm-1' });
  t.match(customer.id, /^cus_[0-9a-z]{26}$/);

  const first = unwrap(
    await relance.POST('/v1/invoices', {
      body: {
        number: 'F-2026-001',
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 10000,
        tax: 2000,
        issue_date: '2026-03-01',
        due_date: '2026-03-31',
      },
    }),
  );
  t.match(first, {
    object: 'invoice',
    number: 'F-2026-001',
    customer_id: customer.id,
    status: 'open',
    currency: 'EUR',
    total: 12000,
    balance: 12000,
    due_date: '2026-03-31',
    overdue: false,
    days_overdue: 0,
  });

  t.test('every request carries the key; every POST an idempotency key', async (t) => {
    t.ok(sent.length >= 3);
    for (const request of sent) t.equal(request.headers.get('authorization'), `Bearer ${acme.apiKey}`);
    const posts = sent.filter((request) => request.method === 'POST');
    t.equal(posts.length, 2);
    for (const post of posts) t.match(post.headers.get('idempotency-key'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    t.not(posts[0]?.headers.get('idempotency-key'), posts[1]?.headers.get('idempotency-key'));
    t.equal(sent.find((request) => request.method === 'GET')?.headers.get('idempotency-key'), null);
    t.equal(sent[0]?.url, `${baseUrl}/v1/account`);
  });

  t.test('an invoice with its customer inline by external_id', async (t) => {
    const body = {
      number: 'F-2026-002',
      external_id: 'order-1001',
      customer: { external_id: 'shop-42', name: 'Martin', email: 'martin@example.com' },
      line_items: [{ description: 'Audit', quantity: 2, unit_amount: 5000 }],
    };
    const created = await relance.POST('/v1/invoices', { body });
    t.equal(created.response.status, 201);
    const invoice = unwrap(created);
    t.match(invoice, {
      external_id: 'order-1001',
      subtotal: 10000,
      total: 10000,
      issue_date: '2026-03-02',
      due_date: '2026-04-01',
    });
    t.not(invoice.customer_id, customer.id);
    t.same(invoice.line_items, [{ description: 'Audit', quantity: 2, unit_amount: 5000, amount: 10000 }]);

    const inline = unwrap(await relance.GET('/v1/customers', { params: { query: { external_id: 'shop-42' } } }));
    t.equal(inline.data.length, 1);
    t.match(inline.data[0], { id: invoice.customer_id, name: 'Martin', email: 'martin@example.com' });

    // A retried shop hook: same order id, new request: still one invoice.
    const again = await relance.POST('/v1/invoices', { body });
    t.equal(again.response.status, 200);
    t.equal(unwrap(again).id, invoice.id);

    const list = unwrap(await relance.GET('/v1/invoices', { params: { query: { limit: 10 } } }));
    t.same(
      list.data.map((i) => i.number),
      ['F-2026-002', 'F-2026-001'],
    );
    t.equal(list.has_more, false);
    t.equal(list.next_cursor, null);

    const fetched = unwrap(await relance.GET('/v1/invoices/{id}', { params: { path: { id: invoice.id } } }));
    t.same(fetched, invoice);
  });

  t.test('the same explicit idempotency key replays the first answer', async (t) => {
    const request = {
      body: { number: 'F-2026-003', customer_id: customer.id, subtotal: 700 },
      headers: { 'Idempotency-Key': 'order-2002-invoice' },
    };
    const once = await relance.POST('/v1/invoices', request);
    const twice = await relance.POST('/v1/invoices', request);
    t.equal(once.response.status, 201);
    t.equal(once.response.headers.get('idempotent-replayed'), null);
    t.equal(twice.response.status, 201);
    t.equal(twice.response.headers.get('idempotent-replayed'), 'true');
    t.equal(unwrap(twice).id, unwrap(once).id);
    t.equal(sent.at(-1)?.headers.get('idempotency-key'), 'order-2002-invoice');

    const keyed = createClient({ apiKey: acme.apiKey, baseUrl, idempotencyKey: () => 'fixed-key-1' });
    const body = { number: 'F-2026-004', customer_id: customer.id, subtotal: 800 };
    const a = unwrap(await keyed.POST('/v1/invoices', { body }));
    const b = await keyed.POST('/v1/invoices', { body });
    t.equal(b.response.headers.get('idempotent-replayed'), 'true');
    t.equal(unwrap(b).id, a.id);
  });

  t.test('overdue invoices, once the clock passes their due date', async (t) => {
    clock.set('2026-04-10T09:00:00Z');
    const overdue = unwrap(await relance.GET('/v1/invoices', { params: { query: { overdue: true } } }));
    t.same(overdue.data.map((i) => [i.number, i.days_overdue]).sort(), [
      ['F-2026-001', 10],
      ['F-2026-002', 9],
      ['F-2026-003', 9],
      ['F-2026-004', 9],
    ]);
  });

  t.test('errors surface as RelanceError with the problem code', async (t) => {
    const duplicate = await relance.POST('/v1/invoices', {
      body: { number: 'F-2026-001', customer_id: customer.id, subtotal: 1 },
    });
    const error = thrown(() => unwrap(duplicate));
    t.ok(error instanceof RelanceError);
    t.match(error, { name: 'RelanceError', code: 'invoice/number_taken', status: 409, errors: [] });
    t.match((error as RelanceError).requestId, /^req_[0-9a-f]{20}$/);
    t.equal((error as RelanceError).requestId, duplicate.response.headers.get('x-request-id'));

    const invalid = await relance.POST('/v1/invoices', {
      body: { number: 'F-9', customer_id: customer.id, subtotal: -1 },
    });
    t.match(
      thrown(() => unwrap(invalid)),
      {
        code: 'request/validation_failed',
        status: 400,
        errors: [{ field: '/subtotal', message: String }],
      },
    );

    const missing = await relance.GET('/v1/invoices/{id}', {
      params: { path: { id: 'inv_00000000000000000000000000' } },
    });
    t.match(
      thrown(() => unwrap(missing)),
      { code: 'invoice/not_found', status: 404 },
    );

    const stranger = createClient({ apiKey: 'rk_test_not_a_real_key', baseUrl });
    const result = await stranger.GET('/v1/invoices');
    t.match(
      thrown(() => unwrap(result)),
      {
        code: 'auth/invalid_api_key',
        status: 401,
        requestId: /^req_/,
        message: 'This API key is not valid: unknown, malformed or revoked.',
      },
    );
  });
});
