import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

const PAYMENT_FIELDS = `
  id customerId amount currency receivedOn method reference status amountAllocated unallocated
  allocations { id invoiceId amount reversed createdAt reversedAt }
  reversalReason reversedAt metadata createdAt updatedAt`;

t.test('payments (GraphQL): the same calls and codes as REST', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const gql = graphqlClient(ctx, acme.auth);
  const theirGql = graphqlClient(ctx, other.auth);
  const customer = await kit.customer(acme);
  const a = await kit.invoice(acme, {
    customer_id: customer.id,
    currency: 'EUR',
    issue_date: '2026-01-01',
    due_date: '2026-02-01',
    subtotal: 1000,
  });
  const b = await kit.invoice(acme, {
    customer_id: customer.id,
    currency: 'EUR',
    issue_date: '2026-01-01',
    due_date: '2026-03-01',
    subtotal: 2000,
  });

  const record = `mutation ($input: RecordPaymentInput!) { recordPayment(input: $input) { ${PAYMENT_FIELDS} } }`;
  const res = await gql(record, {
    input: {
      customerId: customer.id,
      amount: 1500,
      currency: 'EUR',
      method: 'DIRECT_DEBIT',
      reference: 'SEPA-1',
      metadata: { Batch: '7' },
    },
  });
  t.equal(codeOf(res), undefined, JSON.stringify(res.errors));
  const payment = res.data.recordPayment;
  t.match(payment, {
    customerId: customer.id,
    amount: 1500,
    method: 'DIRECT_DEBIT',
    status: 'SUCCEEDED',
    amountAllocated: 1500,
    unallocated: 0,
    metadata: { Batch: '7' },
    receivedOn: '2026-03-02',
  });
  t.same(
    payment.allocations.map((x: { invoiceId: string; amount: number }) => [x.invoiceId, x.amount]),
    [
      [a.id, 1000],
      [b.id, 500],
    ],
  );
  const rest = (await kit.call(acme, 'GET', `/v1/payments/${payment.id}`)).json();
  t.equal(rest.method, 'direct_debit');
  t.equal(rest.amount_allocated, 1500);

  const credit = await gql(record, {
    input: { customerId: customer.id, amount: 900, currency: 'EUR', method: 'CHECK', autoAllocate: false },
  });
  t.match(credit.data.recordPayment, { unallocated: 900, allocations: [] });
  const apply = `mutation ($id: ID!, $input: ApplyPaymentCreditInput!) { applyPaymentCredit(id: $id, input: $input) { ${PAYMENT_FIELDS} } }`;
  const applied = await gql(apply, {
    id: credit.data.recordPayment.id,
    input: { allocations: [{ invoiceId: b.id, amount: 600 }] },
  });
  t.match(applied.data.applyPaymentCredit, { unallocated: 300, amountAllocated: 600 });
  const over = await gql(apply, {
    id: credit.data.recordPayment.id,
    input: { allocations: [{ invoiceId: b.id, amount: 301 }] },
  });
  t.equal(codeOf(over), 'payment/over_allocation', 'the balance left is 900, the credit 300');
  const overBalance = await gql(record, {
    input: {
      customerId: customer.id,
      amount: 5000,
      currency: 'EUR',
      method: 'CASH',
      allocations: [{ invoiceId: b.id, amount: 901 }],
    },
  });
  t.equal(codeOf(overBalance), 'payment/over_allocation');
  const mismatch = await gql(record, {
    input: {
      customerId: customer.id,
      amount: 5000,
      currency: 'USD',
      method: 'CASH',
      allocations: [{ invoiceId: b.id, amount: 1 }],
    },
  });
  t.equal(codeOf(mismatch), 'payment/currency_mismatch');
  const invalid = await gql(record, { input: { customerId: customer.id, currency: 'EUR', method: 'CASH' } });
  t.equal(codeOf(invalid), 'request/validation_failed');
  t.match((await kit.call(acme, 'GET', `/v1/invoices/${b.id}`)).json(), { status: 'partially_paid', balance: 900 });

  const list = await gql(
    `query ($invoiceId: ID) { payments(invoiceId: $invoiceId, limit: 10) { data { id } hasMore nextCursor } }`,
    { invoiceId: b.id },
  );
  t.same(
    list.data.payments.data.map((p: { id: string }) => p.id),
    [credit.data.recordPayment.id, payment.id],
  );

  const reverse = `mutation ($id: ID!, $input: ReversePaymentInput!) { reversePayment(id: $id, input: $input) { ${PAYMENT_FIELDS} } }`;
  const reversed = await gql(reverse, { id: payment.id, input: { reason: 'Direct debit rejected' } });
  t.match(reversed.data.reversePayment, {
    status: 'REVERSED',
    reversalReason: 'Direct debit rejected',
    unallocated: 0,
    amountAllocated: 0,
  });
  t.match((await kit.call(acme, 'GET', `/v1/invoices/${a.id}`)).json(), { status: 'open', balance: 1000 });
  t.equal(codeOf(await gql(reverse, { id: payment.id, input: { reason: 'Again' } })), 'payment/already_reversed');

  // Another account: null on reads, not found on writes, nothing changed.
  const theirRead = await theirGql(`query ($id: ID!) { payment(id: $id) { id } }`, { id: payment.id });
  t.equal(theirRead.data.payment, null);
  t.equal(
    codeOf(await theirGql(reverse, { id: credit.data.recordPayment.id, input: { reason: 'x' } })),
    'payment/not_found',
  );
  t.equal(
    codeOf(
      await theirGql(apply, {
        id: credit.data.recordPayment.id,
        input: { allocations: [{ invoiceId: b.id, amount: 1 }] },
      }),
    ),
    'payment/not_found',
  );
  t.equal(
    codeOf(await theirGql(record, { input: { customerId: customer.id, amount: 5, currency: 'EUR', method: 'CASH' } })),
    'customer/not_found',
  );
  t.same((await theirGql(`{ payments { data { id } } }`)).data.payments.data, []);
  t.match((await kit.call(acme, 'GET', `/v1/payments/${credit.data.recordPayment.id}`)).json(), {
    status: 'succeeded',
    unallocated: 300,
  });
});
