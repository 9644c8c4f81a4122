import type pg from 'pg';
import t from 'tap';
import { setupApp, type TestContext } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { graphqlClient } from './client.ts';

/** Counts the SQL statements the app sends to PostgreSQL (transaction control included) while `run` runs. */
async function countStatements<T>(
  ctx: TestContext,
  run: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const wrapped = new WeakSet<pg.PoolClient>();
  const onAcquire = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
      return query(...args);
    };
  };
  ctx.database.pool.on('acquire', onAcquire);
  try {
    return { result: await run(), statements };
  } finally {
    ctx.database.pool.off('acquire', onAcquire);
    // Clients stay wrapped but no longer push: the array is this call's own.
    statements.push = () => 0;
  }
}

t.test('GraphQL nests, through DataLoader', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris', mode: 'live' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris', mode: 'live' });
  const gql = graphqlClient(ctx, acme.auth);
  const actor = {
    accountId: acme.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Paris',
  };
  t.equal((await kit.call(acme, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' })).statusCode, 200);

  const customers: Array<{ id: string; name: string }> = [];
  for (const name of ['Dupont SARL', 'Martin SA', 'Bernard EURL']) customers.push(await kit.customer(acme, { name }));
  const invoices: Array<{ id: string; customer_id: string }> = [];
  for (let i = 0; i < 100; i++) {
    const customer = customers[i % 3] as { id: string };
    // Due 1 January 2026, 60 days late on the test clock's 2 March 2026: late fees accrue.
    invoices.push(
      await kit.invoice(acme, {
        number: `N-${String(i).padStart(3, '0')}`,
        customer_id: customer.id,
        currency: 'EUR',
        issue_date: '2025-12-02',
        due_date: '2026-01-01',
      }),
    );
  }
  for (const invoice of invoices.slice(0, 12)) await ctx.services.lateFees.accrue(actor, invoice.id);
  // One payment over two invoices of the first customer, and single ones.
  const [first, , , fourth] = invoices;
  if (!first || !fourth) throw new Error('unreachable');
  const shared = await kit.call(acme, 'POST', '/v1/payments', {
    customer_id: first.customer_id,
    amount: 15000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [
      { invoice_id: first.id, amount: 5000 },
      { invoice_id: fourth.id, amount: 10000 },
    ],
  });
  t.equal(shared.statusCode, 201, shared.body);
  for (const invoice of invoices.slice(20, 30)) {
    const paid = await kit.call(acme, 'POST', '/v1/payments', {
      customer_id: invoice.customer_id,
      amount: 2500,
      currency: 'EUR',
      method: 'card',
      allocations: [{ invoice_id: invoice.id, amount: 2500 }],
    });
    t.equal(paid.statusCode, 201, paid.body);
  }

  const LIST = `query ($limit: Int) { invoices(limit: $limit) { data {
    id customerId lateFees amountPaid
    customer { id name }
    fees { amount kind invoiceId }
    payments { amount reversed payment { id amount allocations { invoiceId amount } } }
  } } }`;

  t.test('100 invoices with their customer, fees and payments: at most 5 statements, whatever the page', async (t) => {
    const counts: number[] = [];
    for (const limit of [100, 10, 1]) {
      await gql('{ __typename }'); // the API key is looked up (and cached) outside the count
      const { result, statements } = await countStatements(ctx, () => gql(LIST, { limit }));
      t.equal(result.errors, undefined, JSON.stringify(result.errors));
      t.equal(result.data.invoices.data.length, limit);
      t.ok(
        statements.length <= 5,
        `${limit} invoices: ${statements.length} statements (${statements.map((q) => q.slice(0, 60)).join(' | ')})`,
      );
      counts.push(statements.length);
    }
    t.equal(new Set(counts).size, 1, `the same number of statements for 100, 10 and 1 invoices (${counts.join(', ')})`);

    const { data } = await gql(LIST, { limit: 100 });
    for (const invoice of data.invoices.data) {
      t.equal(invoice.customer.id, invoice.customerId);
      t.ok(invoice.fees.every((f: { invoiceId: string }) => f.invoiceId === invoice.id));
      t.equal(
        invoice.fees.reduce((sum: number, f: { amount: number }) => sum + f.amount, 0),
        invoice.lateFees,
        'the fee lines add up to lateFees',
      );
      t.equal(
        invoice.payments.reduce((sum: number, p: { amount: number }) => sum + p.amount, 0),
        invoice.amountPaid,
        'the allocations add up to amountPaid',
      );
    }
    const byId = new Map(data.invoices.data.map((i: { id: string }) => [i.id, i]));
    const firstNested = byId.get(first.id) as {
      payments: Array<{ amount: number; payment: { amount: number; allocations: unknown[] } }>;
      fees: unknown[];
    };
    t.match(
      firstNested.payments,
      [{ amount: 5000, payment: { amount: 15000 } }],
      'the part of the shared payment that went to this invoice, and the whole payment',
    );
    t.equal(firstNested.payments[0]?.payment.allocations.length, 2);
    t.equal(firstNested.fees.length, 2, 'a recovery fee and interest');
    t.equal(data.invoices.data.filter((i: { fees: unknown[] }) => i.fees.length > 0).length, 12);
  });

  t.test('Payment.allocations { invoice }', async (t) => {
    const res = await gql(
      `{ payments(limit: 100) { data { id allocations { invoiceId amount invoice { id number customer { id } } } } } }`,
    );
    t.equal(res.errors, undefined, JSON.stringify(res.errors));
    const sharedPayment = res.data.payments.data.find((p: { id: string }) => p.id === shared.json().id);
    t.same(
      sharedPayment.allocations.map(
        (a: { invoiceId: string; invoice: { id: string; number: string; customer: { id: string } } }) => [
          a.invoice.id === a.invoiceId,
          a.invoice.number,
          a.invoice.customer.id,
        ],
      ),
      [
        [true, 'N-000', first.customer_id],
        [true, 'N-003', first.customer_id],
      ],
    );
  });

  t.test('Customer.invoices, paginated', async (t) => {
    const query = `query ($after: String) { customers { data { id name invoices(limit: 30, startingAfter: $after) { data { id customerId } hasMore nextCursor } } } }`;
    const firstPage = await gql(query);
    t.equal(firstPage.errors, undefined, JSON.stringify(firstPage.errors));
    for (const customer of firstPage.data.customers.data) {
      const page = customer.invoices;
      t.ok(
        page.data.every((i: { customerId: string }) => i.customerId === customer.id),
        `${customer.name}: only its invoices`,
      );
      t.equal(page.data.length, 30);
      t.equal(page.hasMore, true, 'each customer has 33 or 34 invoices');
      t.same(
        page.data.map((i: { id: string }) => i.id),
        page.data
          .map((i: { id: string }) => i.id)
          .toSorted()
          .reverse(),
        'newest first',
      );
    }
    const dupont = firstPage.data.customers.data.find((c: { name: string }) => c.name === 'Dupont SARL');
    const next = await gql(
      `query ($id: ID!, $after: String) { customer(id: $id) { invoices(limit: 30, startingAfter: $after) { data { id } hasMore nextCursor } } }`,
      { id: dupont.id, after: dupont.invoices.nextCursor },
    );
    t.equal(next.data.customer.invoices.data.length, 4, 'Dupont SARL has invoices 0, 3, … 99: 34 in all');
    t.equal(next.data.customer.invoices.hasMore, false);
    t.equal(next.data.customer.invoices.nextCursor, null);
    const seen = new Set(
      [...dupont.invoices.data, ...next.data.customer.invoices.data].map((i: { id: string }) => i.id),
    );
    t.equal(seen.size, 34, 'no overlap between the pages');

    const tooBig = await gql(`{ customers { data { invoices(limit: 1000) { data { id } } } } }`);
    t.match(
      tooBig.errors?.[0]?.extensions,
      { code: 'request/validation_failed', errors: [{ field: '/limit' }] },
      'a page size out of range is refused with a code',
    );
  });

  t.test('Invoice.timeline and Invoice.reminders; Task.invoice and Dispute.invoice', async (t) => {
    const invoice = invoices[50] as { id: string; customer_id: string };
    await kit.run();
    const taskId = await kit.task(acme, { kind: 'call', invoice });
    const dispute = await kit.call(acme, 'POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'Goods damaged' });
    t.equal(dispute.statusCode, 201, dispute.body);
    const res = await gql(
      `query ($id: ID!, $task: ID!, $dispute: ID!) {
      invoice(id: $id) { id timeline { invoiceId reminders { status channel } } reminders { id invoiceId subject } }
      task(id: $task) { id invoice { id number } }
      dispute(id: $dispute) { id invoice { id disputed } }
    }`,
      { id: invoice.id, task: taskId, dispute: dispute.json().id },
    );
    t.equal(res.errors, undefined, JSON.stringify(res.errors));
    const rest = (await kit.call(acme, 'GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    t.same(
      res.data.invoice.timeline.reminders,
      rest.reminders.map((r: { status: string; channel: string }) => ({
        status: r.status,
        channel: r.channel.toUpperCase(),
      })),
      'the same timeline as REST',
    );
    t.ok(res.data.invoice.timeline.reminders.length > 0, 'an invoice 60 days late has reminders in its timeline');
    const messages = (await kit.call(acme, 'GET', `/v1/messages?invoice_id=${invoice.id}`)).json();
    t.same(
      res.data.invoice.reminders.map((m: { id: string }) => m.id).toSorted(),
      messages.data.map((m: { id: string }) => m.id).toSorted(),
      'the messages sent about it, as REST lists them',
    );
    t.equal(res.data.task.invoice.id, invoice.id);
    t.same(res.data.dispute.invoice, { id: invoice.id, disputed: true });
  });

  t.test('tenancy: the batches see only the caller’s account', async (t) => {
    const otherCustomer = await kit.customer(other, { name: 'Elsewhere' });
    await kit.invoice(other, { customer_id: otherCustomer.id, currency: 'EUR', due_date: '2026-04-01' });
    const theirs = await graphqlClient(ctx, other.auth)(LIST, { limit: 100 });
    t.equal(theirs.data.invoices.data.length, 1);
    t.same(theirs.data.invoices.data[0].customer, { id: otherCustomer.id, name: 'Elsewhere' });
    const otherActor = { ...actor, accountId: other.accountId };
    t.same(
      await ctx.services.related.customers(
        otherActor,
        customers.map((c) => c.id),
      ),
      [],
      "another account's customers are not found",
    );
    t.same(await ctx.services.related.invoices(otherActor, [first.id]), []);
    t.same(await ctx.services.related.paymentsOfInvoices(otherActor, [first.id]), []);
    t.same(await ctx.services.related.feesOfInvoices(otherActor, [first.id]), []);
    t.same(
      (await ctx.services.related.invoicesOfCustomers(otherActor, [first.customer_id], { limit: 10 })).get(
        first.customer_id,
      )?.data,
      [],
    );
    t.equal(
      (
        await ctx.services.related.customers(
          actor,
          customers.map((c) => c.id),
        )
      ).length,
      3,
      "and the account's own are",
    );
  });
});
