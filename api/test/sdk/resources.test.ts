import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createClient, RelanceError, type Invoice, type RelanceEvent } from '@relance/sdk';
import t from 'tap';
import { OPERATIONS } from '../../../sdk/src/operations.ts';
import { setupApp } from '../helpers/app.ts';

t.test('typed helpers: one per REST operation', async (t) => {
  const doc = JSON.parse(await readFile(new URL('../../../schema/openapi.json', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(doc.paths)
    .flatMap(([url, item]) => Object.keys(item).map((method) => `${method} ${url}`))
    .sort();
  const helpers = Object.values(OPERATIONS)
    .flatMap((ops) => Object.values(ops).map(([method, url]) => `${method} ${url}`))
    .sort();
  t.same(helpers, documented, 'every operation of the OpenAPI document, and nothing else');
});

t.test('typed helpers against the real server', async (t) => {
  const ctx = await setupApp(t);
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const sent: Request[] = [];
  const relance = createClient({
    apiKey: acme.apiKey,
    baseUrl,
    fetch: (request) => {
      sent.push(request.clone());
      return fetch(request);
    },
  });

  const customer = await relance.customers.create({ name: 'Dupont SARL', email: 'compta@dupont.example' });
  t.match(customer, { object: 'customer', name: 'Dupont SARL' });

  const draft: Invoice = await relance.invoices.create(
    {
      number: 'F-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10000,
      issue_date: '2026-03-01',
      due_date: '2026-03-31',
      status: 'draft',
    },
    { idempotencyKey: 'order-1' },
  );
  t.equal(sent.at(-1)?.headers.get('idempotency-key'), 'order-1', 'your own idempotency key');
  const replay = await relance.invoices.create(
    {
      number: 'F-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10000,
      issue_date: '2026-03-01',
      due_date: '2026-03-31',
      status: 'draft',
    },
    { idempotencyKey: 'order-1' },
  );
  t.equal(replay.id, draft.id, 'the same key gives the same invoice');

  t.equal((await relance.invoices.get(draft.id)).number, 'F-1', 'a path parameter');
  t.equal(
    (await relance.invoices.update(draft.id, { memo: 'Order 1042' })).memo,
    'Order 1042',
    'a path parameter and a body',
  );
  const open = await relance.invoices.finalize(draft.id);
  t.equal(open.status, 'open', 'a POST without a body');
  t.equal(sent.at(-1)?.method, 'POST');
  t.match(sent.at(-1)?.headers.get('idempotency-key'), /^[0-9a-f-]{36}$/, 'a fresh idempotency key on every POST');

  const page = await relance.invoices.list({ status: 'open', limit: 1 });
  t.same(
    page.data.map((i) => i.id),
    [open.id],
    'a query string',
  );
  t.match(sent.at(-1)?.url, /\/v1\/invoices\?status=open&limit=1$/);
  t.equal((await relance.invoices.list()).data.length, 1, 'no query at all');

  const template = await relance.templates.get('due_today', 'fr');
  t.match(template, { key: 'due_today', locale: 'fr' }, 'two path parameters, in order');

  const payment = await relance.payments.create({
    customer_id: customer.id,
    amount: 10000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [{ invoice_id: open.id, amount: 10000 }],
  });
  t.equal((await relance.invoices.get(open.id)).status, 'paid');
  t.same(
    (await relance.payments.list({ customer_id: customer.id })).data.map((p) => p.id),
    [payment.id],
  );

  const events = await relance.events.list({ object_id: open.id });
  const sequences = events.data.map((e) => e.object_sequence).reverse();
  t.same(
    sequences,
    sequences.map((_, i) => i + 1),
    'object_sequence 1, 2, 3…',
  );
  t.same(
    events.data
      .filter((e) => e.type.startsWith('invoice.'))
      .map((e) => e.type)
      .reverse(),
    ['invoice.created', 'invoice.updated', 'invoice.finalized', 'invoice.paid'],
  );
  // The same event, seen through the typed union: `data` is an Invoice once `type` is known.
  const paid = events.data[0] as unknown as RelanceEvent;
  if (paid.type === 'invoice.paid') t.equal(paid.data.balance, 0);
  else t.fail(`expected invoice.paid, got ${paid.type}`);

  const error = await relance.invoices.get('inv_00000000000000000000000000').catch((e: unknown) => e);
  t.ok(error instanceof RelanceError);
  t.match(error, { status: 404, code: 'invoice/not_found' });
  const invalid = await relance.invoices.create({ number: '', customer_id: customer.id }).catch((e: unknown) => e);
  t.match(invalid, { status: 400, code: 'request/validation_failed' });

  // Checked by the compiler (npm run typecheck), never run.
  if (Date.now() < 0) {
    // @ts-expect-error a path parameter is required
    await relance.invoices.get();
    // @ts-expect-error the body of a create is required
    await relance.invoices.create();
    // @ts-expect-error unknown field in a query
    await relance.invoices.list({ colour: 'red' });
    // @ts-expect-error a number is not an invoice number
    await relance.invoices.create({ number: 12, customer_id: customer.id });
    const amount: number = (await relance.payments.get(payment.id)).amount;
    void amount;
  }
});
