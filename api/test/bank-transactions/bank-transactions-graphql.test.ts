import t from 'tap';
import { newId } from '../../src/ids.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

const LINE_FIELDS = `
  id bookedOn amount currency label counterpartyName bankReference status paymentId matchedAt metadata createdAt updatedAt
  matches { id rank score status customerId unallocated allocations { invoiceId invoiceNumber amount } reasons { code points invoiceIds detail } createdAt updatedAt }`;

t.test('bank transactions (GraphQL): the same calls and codes as REST', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const gql = graphqlClient(ctx, acme.auth);
  const theirGql = graphqlClient(ctx, other.auth);
  const customer = await kit.customer(acme, { name: 'Smith & Jones Ltd' });
  const a = await kit.invoice(acme, {
    number: 'INV-10234',
    customer_id: customer.id,
    currency: 'GBP',
    issue_date: '2026-01-01',
    due_date: '2026-02-01',
    subtotal: 99_900,
  });
  const b = await kit.invoice(acme, {
    number: 'INV-10235',
    customer_id: customer.id,
    currency: 'GBP',
    issue_date: '2026-01-01',
    due_date: '2026-02-02',
    subtotal: 5_000,
  });

  const importMutation = `mutation ($input: ImportBankTransactionsInput!) { importBankTransactions(input: $input) { created alreadyImported lines { created bankTransaction { ${LINE_FIELDS} } } } }`;
  const lines = [
    {
      bookedOn: '2026-03-01',
      amount: 99_900,
      currency: 'GBP',
      label: 'FPS CREDIT SMITH & JONES LTD INV 10234',
      counterpartyName: 'SMITH & JONES LTD',
      bankReference: 'G-1',
      metadata: { Batch: '7' },
    },
    { bookedOn: '2026-03-01', amount: 5_000, currency: 'GBP', label: 'BGC 10235', bankReference: 'G-2' },
    { bookedOn: '2026-03-01', amount: -2_000, currency: 'GBP', label: 'DD HMRC', bankReference: 'G-3' },
  ];
  const res = await gql(importMutation, { input: { transactions: lines } });
  t.equal(codeOf(res), undefined, JSON.stringify(res.errors));
  const imported = res.data.importBankTransactions;
  t.match(imported, { created: 3, alreadyImported: 0 });
  const [first, second, debit] = imported.lines.map((l: { bankTransaction: any }) => l.bankTransaction);
  t.match(first, {
    amount: 99_900,
    currency: 'GBP',
    status: 'UNMATCHED',
    counterpartyName: 'SMITH & JONES LTD',
    metadata: { Batch: '7' },
    paymentId: null,
  });
  t.match(first.matches[0], {
    rank: 1,
    score: 100,
    status: 'PROPOSED',
    customerId: customer.id,
    allocations: [{ invoiceId: a.id, invoiceNumber: 'INV-10234', amount: 99_900 }],
  });
  t.same(
    first.matches[0].reasons.map((r: { code: string }) => r.code),
    ['INVOICE_NUMBER_IN_LABEL', 'AMOUNT_EQUALS_BALANCE', 'COUNTERPARTY_MATCHES_CUSTOMER'],
  );
  t.equal(debit.status, 'IGNORED');
  const rest = (await kit.call(acme, 'GET', `/v1/bank_transactions/${first.id}`)).json();
  t.equal(rest.matches[0].id, first.matches[0].id);
  t.equal(rest.matches[0].score, first.matches[0].score);

  const again = await gql(importMutation, { input: { transactions: [lines[0]] } });
  t.match(again.data.importBankTransactions, {
    created: 0,
    alreadyImported: 1,
    lines: [{ created: false, bankTransaction: { id: first.id } }],
  });
  const conflict = await gql(importMutation, { input: { transactions: [{ ...lines[0], amount: 1 }] } });
  t.equal(codeOf(conflict), 'bank_transaction/reference_conflict');
  t.equal(
    codeOf(await gql(importMutation, { input: { transactions: [{ ...lines[0], bankReference: 'G-9', amount: 0 }] } })),
    'request/validation_failed',
  );

  const list = await gql(
    `query { bankTransactions(status: UNMATCHED, bookedFrom: "2026-03-01", limit: 10) { data { id } hasMore nextCursor } }`,
  );
  t.same(
    list.data.bankTransactions.data.map((l: { id: string }) => l.id),
    [second.id, first.id],
  );

  const reject = `mutation ($id: ID!, $input: RejectBankTransactionMatchInput!) { rejectBankTransactionMatch(id: $id, input: $input) { ${LINE_FIELDS} } }`;
  const rejected = await gql(reject, { id: second.id, input: { matchId: second.matches[0].id } });
  t.match(rejected.data.rejectBankTransactionMatch, { status: 'UNMATCHED', matches: [{ status: 'REJECTED' }] });
  t.equal(
    codeOf(await gql(reject, { id: second.id, input: { matchId: newId('bankTransactionMatch') } })),
    'bank_transaction_match/not_found',
  );

  const confirm = `mutation ($id: ID!, $input: ConfirmBankTransactionInput!) { confirmBankTransaction(id: $id, input: $input) { ${LINE_FIELDS} } }`;
  const confirmed = await gql(confirm, { id: first.id, input: { matchId: first.matches[0].id } });
  t.equal(codeOf(confirmed), undefined, JSON.stringify(confirmed.errors));
  t.match(confirmed.data.confirmBankTransaction, { status: 'MATCHED', matches: [{ status: 'CONFIRMED' }] });
  t.match((await kit.call(acme, 'GET', `/v1/invoices/${a.id}`)).json(), { status: 'paid' });
  t.equal(
    codeOf(await gql(confirm, { id: first.id, input: { matchId: first.matches[0].id } })),
    'bank_transaction/already_matched',
  );
  t.equal(codeOf(await gql(confirm, { id: second.id, input: {} })), 'request/validation_failed');
  t.equal(
    codeOf(await gql(confirm, { id: debit.id, input: { customerId: customer.id } })),
    'bank_transaction/not_a_credit',
  );
  const explicit = await gql(confirm, {
    id: second.id,
    input: { customerId: customer.id, allocations: [{ invoiceId: b.id, amount: 5_000 }] },
  });
  t.match(explicit.data.confirmBankTransaction, { status: 'MATCHED' });
  t.match((await kit.call(acme, 'GET', `/v1/payments/${explicit.data.confirmBankTransaction.paymentId}`)).json(), {
    method: 'transfer',
    reference: 'G-2',
    received_on: '2026-03-01',
  });

  const ignore = `mutation ($id: ID!) { ignoreBankTransaction(id: $id) { status } }`;
  t.equal(codeOf(await gql(ignore, { id: second.id })), 'bank_transaction/already_matched');

  // Another account: null on reads, not found on writes, nothing changed.
  const theirRead = await theirGql(`query ($id: ID!) { bankTransaction(id: $id) { id } }`, { id: first.id });
  t.equal(theirRead.data.bankTransaction, null);
  t.same((await theirGql(`{ bankTransactions { data { id } } }`)).data.bankTransactions.data, []);
  t.equal(codeOf(await theirGql(ignore, { id: debit.id })), 'bank_transaction/not_found');
  t.equal(
    codeOf(await theirGql(reject, { id: first.id, input: { matchId: first.matches[0].id } })),
    'bank_transaction/not_found',
  );
  t.equal(
    codeOf(await theirGql(confirm, { id: debit.id, input: { customerId: customer.id } })),
    'bank_transaction/not_found',
  );
  t.equal((await kit.call(acme, 'GET', `/v1/bank_transactions/${debit.id}`)).json().status, 'ignored');
});
