import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { ACCOUNT_FIELDS, CUSTOMER_FIELDS, codeOf, graphqlClient, INVOICE_FIELDS, TERMS_FIELDS } from './client.ts';

// One app for the file: each test makes two accounts of its own, and isolation between accounts
// is what it checks. Loopback webhook targets are allowed for the endpoints test.
const ctx = await setupApp(t, { env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });

t.test("another account's ids are invisible and untouchable over GraphQL", async (t) => {
  const a = graphqlClient(ctx, (await ctx.createAccount({ name: 'A' })).auth);
  const b = graphqlClient(ctx, (await ctx.createAccount({ name: 'B' })).auth);

  const customer = (
    await a(
      'mutation { createCustomer(input: { name: "A customer", externalId: "a-ext", email: "a@a.example" }) { id } }',
    )
  ).data.createCustomer;
  const terms = (
    await a(
      'mutation { createPaymentTerms(input: { name: "A terms", code: "a_terms", due: { kind: NET, days: 10 } }) { id } }',
    )
  ).data.createPaymentTerms;
  const builtinTerms = (await a('{ paymentTermsList(limit: 1) { data { id } } }')).data.paymentTermsList.data[0];
  const createInvoice = async (input: string) =>
    (await a(`mutation { createInvoice(input: { ${input} }) { invoice { id } } }`)).data.createInvoice.invoice;
  const open = await createInvoice(
    `number: "A-1", externalId: "a-order", customerId: "${customer.id}", subtotal: 1000, paymentTermsId: "${terms.id}"`,
  );
  const draft = await createInvoice(`number: "A-2", customerId: "${customer.id}", subtotal: 500, status: DRAFT`);
  const bankLine = (
    await a(
      'mutation { importBankTransactions(input: { transactions: [{ bookedOn: "2026-03-01", amount: 1000, currency: "EUR", label: "VIR A", bankReference: "A-BANK-1" }] }) { lines { bankTransaction { id matches { id } } } } }',
    )
  ).data.importBankTransactions.lines[0].bankTransaction;
  const bankMatch = bankLine.matches[0];
  t.ok(customer && terms && builtinTerms && open && draft && bankLine && bankMatch, "A's objects exist");

  const snapshot = async () => {
    const res = await a(`{
      account { ${ACCOUNT_FIELDS} }
      customer(id: "${customer.id}") { ${CUSTOMER_FIELDS} }
      paymentTerms(id: "${terms.id}") { ${TERMS_FIELDS} }
      open: invoice(id: "${open.id}") { ${INVOICE_FIELDS} }
      draft: invoice(id: "${draft.id}") { ${INVOICE_FIELDS} }
      customers { data { id } }
      invoices { data { id } }
      bankTransaction(id: "${bankLine.id}") { id status paymentId matches { id status } }
    }`);
    t.notOk(res.errors);
    return res.data;
  };
  const before = await snapshot();
  t.equal(before.customers.data.length, 1);
  t.equal(before.invoices.data.length, 2);

  t.test('single-object queries answer null', async (t) => {
    const res = await b(`{
      customer(id: "${customer.id}") { id }
      paymentTerms(id: "${terms.id}") { id }
      builtin: paymentTerms(id: "${builtinTerms.id}") { id }
      open: invoice(id: "${open.id}") { id }
      draft: invoice(id: "${draft.id}") { id }
      bankTransaction(id: "${bankLine.id}") { id }
    }`);
    t.notOk(res.errors);
    t.same(res.data, {
      customer: null,
      paymentTerms: null,
      builtin: null,
      open: null,
      draft: null,
      bankTransaction: null,
    });
  });

  t.test('lists are empty or hold only B objects', async (t) => {
    const res = await b(`{
      customers { data { id } hasMore }
      byExternalId: customers(externalId: "a-ext") { data { id } }
      byEmail: customers(email: "a@a.example") { data { id } }
      invoices { data { id } hasMore }
      byCustomer: invoices(customerId: "${customer.id}") { data { id } }
      byOrder: invoices(externalId: "a-order") { data { id } }
      overdue: invoices(overdue: false) { data { id } }
      paymentTermsList(limit: 100) { data { id code } }
      account { name }
      bankTransactions { data { id } }
    }`);
    t.notOk(res.errors);
    for (const list of [
      'customers',
      'byExternalId',
      'byEmail',
      'invoices',
      'byCustomer',
      'byOrder',
      'overdue',
      'bankTransactions',
    ]) {
      t.same(res.data[list].data, [], list);
    }
    const termIds = res.data.paymentTermsList.data.map((p: { id: string }) => p.id);
    t.equal(termIds.length, 8, "B's own built-in terms");
    t.notOk(termIds.includes(terms.id) || termIds.includes(builtinTerms.id), "none of A's terms");
    t.equal(res.data.account.name, 'B');
  });

  t.test('mutations on A ids answer */not_found', async (t) => {
    const cases: Array<[string, string]> = [
      [`updateCustomer(id: "${customer.id}", input: { name: "Hijacked" }) { id }`, 'customer/not_found'],
      [`deleteCustomer(id: "${customer.id}") { id }`, 'customer/not_found'],
      [`updatePaymentTerms(id: "${terms.id}", input: { name: "Hijacked" }) { id }`, 'payment_terms/not_found'],
      [`deletePaymentTerms(id: "${terms.id}") { id }`, 'payment_terms/not_found'],
      [`updateInvoice(id: "${draft.id}", input: { memo: "Hijacked" }) { id }`, 'invoice/not_found'],
      [`finalizeInvoice(id: "${draft.id}") { id }`, 'invoice/not_found'],
      [`voidInvoice(id: "${open.id}") { id }`, 'invoice/not_found'],
      [`markInvoiceUncollectible(id: "${open.id}") { id }`, 'invoice/not_found'],
      [
        `createInvoice(input: { number: "B-1", customerId: "${customer.id}", subtotal: 1, dueDate: "2026-04-01" }) { created }`,
        'customer/not_found',
      ],
      [`createCustomer(input: { name: "B", paymentTermsId: "${terms.id}" }) { id }`, 'payment_terms/not_found'],
      [`updateAccount(input: { defaultPaymentTermsId: "${terms.id}" }) { id }`, 'payment_terms/not_found'],
      [
        `confirmBankTransaction(id: "${bankLine.id}", input: { matchId: "${bankMatch.id}" }) { id }`,
        'bank_transaction/not_found',
      ],
      [
        `rejectBankTransactionMatch(id: "${bankLine.id}", input: { matchId: "${bankMatch.id}" }) { id }`,
        'bank_transaction/not_found',
      ],
      [`ignoreBankTransaction(id: "${bankLine.id}") { id }`, 'bank_transaction/not_found'],
    ];
    for (const [mutation, code] of cases) {
      const res = await b(`mutation { ${mutation} }`);
      t.equal(codeOf(res), code, mutation);
      t.equal(res.errors?.[0]?.extensions.status, 404, mutation);
    }
    const bInvoice = (
      await b(
        'mutation { createInvoice(input: { number: "B-2", customer: { externalId: "b-ext", name: "B customer" }, subtotal: 1, status: DRAFT }) { invoice { id } } }',
      )
    ).data.createInvoice.invoice;
    const moved = await b(
      `mutation { updateInvoice(id: "${bInvoice.id}", input: { customerId: "${customer.id}" }) { id } }`,
    );
    t.equal(codeOf(moved), 'customer/not_found', "B cannot point its invoice at A's customer");
    const withTerms = await b(
      `mutation { createInvoice(input: { number: "B-3", customer: { externalId: "b-ext", name: "B customer" }, subtotal: 1, paymentTermsId: "${terms.id}" }) { created } }`,
    );
    t.equal(codeOf(withTerms), 'payment_terms/not_found');
  });

  t.test("the same external id in B makes B's own customer", async (t) => {
    const res = await b(
      'mutation { createInvoice(input: { number: "B-4", customer: { externalId: "a-ext", name: "Namesake" }, subtotal: 1 }) { invoice { customerId } } }',
    );
    t.notOk(res.errors);
    t.not(res.data.createInvoice.invoice.customerId, customer.id);
  });

  t.test("A's events are invisible to B", async (t) => {
    const ofA = (await a(`{ events(objectId: "${open.id}") { data { id accountId objectSequence } } }`)).data.events
      .data;
    t.ok(ofA.length > 0, 'A sees its own');
    const res = await b(
      `{ event(id: "${ofA[0].id}") { id } byObject: events(objectId: "${open.id}") { data { id } } all: events(limit: 100) { data { accountId } } }`,
    );
    t.notOk(res.errors);
    t.equal(res.data.event, null);
    t.same(res.data.byObject.data, []);
    t.notOk(res.data.all.data.some((e: { accountId: string }) => e.accountId === ofA[0].accountId));
  });

  t.test("A's data is unchanged", async (t) => {
    t.same(await snapshot(), before);
  });
});

t.test("another account's payment plans are invisible and untouchable over GraphQL", async (t) => {
  const a = graphqlClient(ctx, (await ctx.createAccount({ name: 'A' })).auth);
  const b = graphqlClient(ctx, (await ctx.createAccount({ name: 'B' })).auth);
  const customer = (await a('mutation { createCustomer(input: { name: "A customer" }) { id } }')).data.createCustomer;
  const invoice = (
    await a(
      `mutation { createInvoice(input: { number: "A-1", customerId: "${customer.id}", subtotal: 1000 }) { invoice { id } } }`,
    )
  ).data.createInvoice.invoice;
  const plan = (
    await a(
      `mutation { createPaymentPlan(invoiceId: "${invoice.id}", input: { count: 2, firstDueDate: "2099-01-01" }) { id } }`,
    )
  ).data.createPaymentPlan;
  t.ok(plan?.id);
  const read = await b(
    `{ paymentPlan(id: "${plan.id}") { id } paymentPlans { data { id } } byInvoice: paymentPlans(invoiceId: "${invoice.id}") { data { id } } }`,
  );
  t.notOk(read.errors);
  t.same(read.data, { paymentPlan: null, paymentPlans: { data: [] }, byInvoice: { data: [] } });
  t.equal(codeOf(await b(`mutation { cancelPaymentPlan(id: "${plan.id}") { id } }`)), 'payment_plan/not_found');
  t.equal(
    codeOf(
      await b(
        `mutation { createPaymentPlan(invoiceId: "${invoice.id}", input: { count: 2, firstDueDate: "2099-01-01" }) { id } }`,
      ),
    ),
    'invoice/not_found',
  );
  t.equal((await a(`{ paymentPlan(id: "${plan.id}") { status } }`)).data.paymentPlan.status, 'ACTIVE');
});

t.test("another account's webhook endpoints and deliveries are invisible over GraphQL", async (t) => {
  const a = graphqlClient(ctx, (await ctx.createAccount({ name: 'A' })).auth);
  const b = graphqlClient(ctx, (await ctx.createAccount({ name: 'B' })).auth);
  const created = await a(
    'mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hooks", enabledEvents: ["*"] }) { id secret enabled } }',
  );
  t.notOk(created.errors);
  const endpoint = created.data.createWebhookEndpoint;
  t.match(endpoint.secret, /^whsec_/);
  const test = await a(`mutation { sendWebhookTest(id: "${endpoint.id}") { id eventId status } }`);
  const delivery = test.data.sendWebhookTest;
  t.equal(delivery.status, 'PENDING');

  const read = await b(`{
    webhookEndpoint(id: "${endpoint.id}") { id }
    webhookDelivery(id: "${delivery.id}") { id }
    webhookEndpoints { data { id } }
    webhookDeliveries(endpointId: "${endpoint.id}") { data { id } }
    events(deliverySuccess: false) { data { id } }
  }`);
  t.notOk(read.errors);
  t.same(read.data, {
    webhookEndpoint: null,
    webhookDelivery: null,
    webhookEndpoints: { data: [] },
    webhookDeliveries: { data: [] },
    events: { data: [] },
  });
  const attempts = await b(`{ webhookAttempts(endpointId: "${endpoint.id}") { data { id } } }`);
  t.equal(codeOf(attempts), 'webhook_endpoint/not_found');
  for (const mutation of [
    `updateWebhookEndpoint(id: "${endpoint.id}", input: { enabled: false }) { id }`,
    `rotateWebhookSecret(id: "${endpoint.id}") { id }`,
    `sendWebhookTest(id: "${endpoint.id}") { id }`,
    `resendWebhookEvent(id: "${endpoint.id}", eventId: "${delivery.eventId}") { id }`,
    `deleteWebhookEndpoint(id: "${endpoint.id}") { id }`,
  ]) {
    const res = await b(`mutation { ${mutation} }`);
    t.equal(codeOf(res), 'webhook_endpoint/not_found', mutation);
  }
  const still = await a(
    `{ webhookEndpoint(id: "${endpoint.id}") { enabled } events(deliverySuccess: false) { data { id } } }`,
  );
  t.equal(still.data.webhookEndpoint.enabled, true);
  t.same(still.data.events.data, [{ id: delivery.eventId }], 'A sees its pending test event as not yet delivered');
});
