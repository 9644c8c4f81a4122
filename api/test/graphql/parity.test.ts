import t, { type Test } from 'tap';
import { setupApp } from '../helpers/app.ts';
import { CUSTOMER_FIELDS, graphqlClient, INVOICE_FIELDS } from './client.ts';

type Json = Record<string, unknown>;

const ENUM_KEYS = new Set(['status', 'kind', 'mode']);
const ID = /^(acct|cus|inv|pt|key|evt)_[0-9a-z]{26}$/;

/** snake_case REST body → camelCase GraphQL input (metadata keys untouched, enum values upper case). */
function toGraphql(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toGraphql(v));
  if (ENUM_KEYS.has(key) && typeof value === 'string') return value.toUpperCase();
  if (typeof value !== 'object' || value === null || key === 'metadata') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), toGraphql(v, k)]),
  );
}

/** camelCase GraphQL output → snake_case, the way REST spells it; ids of either account become `<prefix>_…`. */
function fromGraphql(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => fromGraphql(v));
  if (ENUM_KEYS.has(key) && typeof value === 'string') return value.toLowerCase();
  if (typeof value !== 'object' || value === null || key === 'metadata') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), fromGraphql(v, k)]),
  );
}

/** REST's object without `object`, with account-specific ids masked so two accounts compare equal. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'string' && ID.test(value)) return `${value.split('_')[0]}_…`;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'object')
      .map(([k, v]) => [k, normalize(v)]),
  );
}

type Outcome = { ok: unknown; created?: boolean } | { code: string; errors: unknown };

t.test('REST and GraphQL agree on results and error codes', async (t) => {
  const ctx = await setupApp(t);
  // Two identical accounts on the same clock: the same calls give the same objects but for ids.
  const restAccount = await ctx.createAccount({ name: 'Twin' });
  const graphqlAccount = await ctx.createAccount({ name: 'Twin' });
  const gql = graphqlClient(ctx, graphqlAccount.auth);

  const viaRest = async (method: 'POST' | 'PATCH', url: string, body?: Json): Promise<Outcome> => {
    const res = await ctx.app.inject({ method, url, headers: restAccount.auth, ...(body && { payload: body }) });
    const json = res.json();
    if (res.statusCode >= 400) return { code: json.code, errors: json.errors };
    return url === '/v1/invoices' ? { ok: normalize(json), created: res.statusCode === 201 } : { ok: normalize(json) };
  };
  const viaGraphql = async (operation: string, field: string, variables?: Json): Promise<Outcome> => {
    const res = await gql(operation, variables);
    const error = res.errors?.[0];
    if (error) return { code: error.extensions.code, errors: error.extensions.errors };
    const data = res.data[field];
    if (field === 'createInvoice') return { ok: normalize(fromGraphql(data.invoice)), created: data.created };
    return { ok: normalize(fromGraphql(data)) };
  };

  const createCustomer = async (body: Json) => [
    await viaRest('POST', '/v1/customers', body),
    await viaGraphql(
      `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ${CUSTOMER_FIELDS} } }`,
      'createCustomer',
      { input: toGraphql(body) },
    ),
  ];
  const ids = { rest: { customer: '', invoice: '' }, graphql: { customer: '', invoice: '' } };
  const createInvoice = async (body: (side: 'rest' | 'graphql') => Json) => [
    await viaRest('POST', '/v1/invoices', body('rest')),
    await viaGraphql(
      `mutation ($input: CreateInvoiceInput!) { createInvoice(input: $input) { created invoice { ${INVOICE_FIELDS} } } }`,
      'createInvoice',
      { input: toGraphql(body('graphql')) },
    ),
  ];
  const invoiceQuery = `query ($id: ID!) { invoice(id: $id) { id } }`;

  /** Both sides agree, and agree on the error we expect (so two identical wrong answers fail too). */
  const agree = (t: Test, [rest, graphql]: Outcome[], expectedCode?: string) => {
    t.same(graphql, rest, 'same outcome');
    if (expectedCode) t.equal((rest as { code?: string }).code, expectedCode, 'the expected code');
    else t.notOk((rest as { code?: string }).code, 'a success');
  };

  t.test('valid create customer', async (t) => {
    const outcomes = await createCustomer({
      name: 'Dupont SARL',
      external_id: 'crm-1',
      email: 'compta@dupont.example',
      cc_emails: ['boss@dupont.example'],
      locale: 'fr',
      metadata: { crmOwner: 'alice', shop_id: '9' },
    });
    agree(t, outcomes);
    t.match(outcomes[0], { ok: { name: 'Dupont SARL', metadata: { crmOwner: 'alice', shop_id: '9' } } });
    const rest = await ctx.app.inject({
      method: 'GET',
      url: '/v1/customers?external_id=crm-1',
      headers: restAccount.auth,
    });
    ids.rest.customer = rest.json().data[0].id;
    ids.graphql.customer = (await gql('{ customers(externalId: "crm-1") { data { id } } }')).data.customers.data[0].id;
    t.ok(ids.rest.customer && ids.graphql.customer);
  });

  t.test('valid create invoice', async (t) => {
    const outcomes = await createInvoice((side) => ({
      number: 'F-001',
      customer_id: ids[side].customer,
      currency: 'EUR',
      tax: 2000,
      issue_date: '2026-02-01',
      due_date: '2026-02-20',
      external_id: 'order-1',
      memo: 'Merci',
      metadata: { orderRef: 'A-1' },
      line_items: [
        { description: 'Audit', quantity: 2, unit_amount: 5000 },
        { description: 'Travel', unit_amount: 1500 },
      ],
    }));
    agree(t, outcomes);
    t.match(outcomes[0], { created: true, ok: { total: 13500, balance: 13500, overdue: true, days_overdue: 10 } });
    ids.rest.invoice = (
      await ctx.app.inject({ method: 'GET', url: '/v1/invoices?external_id=order-1', headers: restAccount.auth })
    ).json().data[0].id;
    ids.graphql.invoice = (await gql('{ invoices(externalId: "order-1") { data { id } } }')).data.invoices.data[0].id;
    t.ok((await gql(invoiceQuery, { id: ids.graphql.invoice })).data.invoice);

    const replay = await createInvoice((side) => ({
      number: 'F-001-again',
      customer_id: ids[side].customer,
      external_id: 'order-1',
      subtotal: 1,
    }));
    agree(t, replay);
    t.match(replay[0], { created: false, ok: { number: 'F-001' } });
  });

  t.test('invalid currency', async (t) => {
    const outcomes = await createInvoice((side) => ({
      number: 'F-002',
      customer_id: ids[side].customer,
      currency: 'EURO',
      subtotal: 100,
    }));
    agree(t, outcomes, 'request/validation_failed');
    t.match(outcomes[0], { errors: [{ field: '/currency' }] });
  });

  t.test('unknown payment terms id', async (t) => {
    const outcomes = await createInvoice((side) => ({
      number: 'F-003',
      customer_id: ids[side].customer,
      subtotal: 100,
      payment_terms_id: 'pt_01aaaaaaaaaaaaaaaaaaaaaaaa',
    }));
    agree(t, outcomes, 'payment_terms/not_found');
  });

  t.test('duplicate number', async (t) => {
    const outcomes = await createInvoice((side) => ({
      number: 'F-001',
      customer_id: ids[side].customer,
      subtotal: 100,
    }));
    agree(t, outcomes, 'invoice/number_taken');
    t.match(outcomes[0], { errors: [{ field: '/number' }] });
  });

  t.test('missing customer', async (t) => {
    agree(t, await createInvoice(() => ({ number: 'F-004', subtotal: 100 })), 'request/validation_failed');
    agree(
      t,
      await createInvoice(() => ({
        number: 'F-004',
        customer_id: 'cus_01aaaaaaaaaaaaaaaaaaaaaaaa',
        subtotal: 100,
        due_date: '2026-04-01',
      })),
      'customer/not_found',
    );
    agree(
      t,
      await createInvoice(() => ({ number: 'F-004', customer: { name: 'No external id' }, subtotal: 100 })),
      'request/validation_failed',
    );
  });

  t.test('due date before issue date', async (t) => {
    const outcomes = await createInvoice((side) => ({
      number: 'F-005',
      customer_id: ids[side].customer,
      subtotal: 100,
      issue_date: '2026-03-10',
      due_date: '2026-03-01',
    }));
    agree(t, outcomes, 'invoice/due_before_issue');
    t.match(outcomes[0], { errors: [{ field: '/due_date' }] });
  });

  t.test('update of a non-draft invoice', async (t) => {
    const outcomes = [
      await viaRest('PATCH', `/v1/invoices/${ids.rest.invoice}`, { memo: 'Changed' }),
      await viaGraphql(
        'mutation ($id: ID!) { updateInvoice(id: $id, input: { memo: "Changed" }) { id } }',
        'updateInvoice',
        { id: ids.graphql.invoice },
      ),
    ];
    agree(t, outcomes, 'invoice/not_draft');
  });

  t.test('void, then void again', async (t) => {
    const voidBoth = async () => [
      await viaRest('POST', `/v1/invoices/${ids.rest.invoice}/void`),
      await viaGraphql(`mutation ($id: ID!) { voidInvoice(id: $id) { ${INVOICE_FIELDS} } }`, 'voidInvoice', {
        id: ids.graphql.invoice,
      }),
    ];
    const first = await voidBoth();
    agree(t, first);
    t.match(first[0], { ok: { status: 'void', overdue: false } });
    agree(t, await voidBoth(), 'invoice/invalid_transition');
  });

  t.test('the same objects read back', async (t) => {
    const rest = (
      await ctx.app.inject({ method: 'GET', url: `/v1/invoices/${ids.rest.invoice}`, headers: restAccount.auth })
    ).json();
    const graphql = (
      await gql(`query ($id: ID!) { invoice(id: $id) { ${INVOICE_FIELDS} } }`, { id: ids.graphql.invoice })
    ).data.invoice;
    t.same(normalize(fromGraphql(graphql)), normalize(rest));
    t.equal(graphql.customerId, ids.graphql.customer, 'GraphQL side points at its own customer');
    t.equal(rest.customer_id, ids.rest.customer);
  });
});
