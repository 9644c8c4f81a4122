import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { ACCOUNT_FIELDS, CUSTOMER_FIELDS, codeOf, graphqlClient, INVOICE_FIELDS, TERMS_FIELDS } from './client.ts';

t.test('GraphQL API', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const gql = graphqlClient(ctx, acme.auth);

  t.test('account: read and update', async (t) => {
    const read = await gql(`{ account { ${ACCOUNT_FIELDS} } }`);
    t.equal(read.status, 200);
    t.notOk(read.errors);
    t.match(read.data.account, {
      id: acme.accountId,
      mode: 'LIVE',
      name: 'Acme',
      timeZone: 'Europe/Paris',
      defaultCurrency: 'EUR',
    });

    const updated = await gql(
      `mutation ($input: UpdateAccountInput!) { updateAccount(input: $input) { senderName paymentInstructions legalName } }`,
      { input: { senderName: 'Acme billing', paymentInstructions: 'IBAN FR76…', legalName: null } },
    );
    t.same(updated.data.updateAccount, {
      senderName: 'Acme billing',
      paymentInstructions: 'IBAN FR76…',
      legalName: null,
    });
    t.equal((await gql('{ account { senderName } }')).data.account.senderName, 'Acme billing');

    const bad = await gql(`mutation { updateAccount(input: { timeZone: "Mars/Olympus" }) { id } }`);
    t.equal(bad.status, 200, 'a resolver error answers 200');
    t.equal(bad.executed, true);
    t.equal(bad.data, null);
    t.match(bad.errors, [
      {
        path: ['updateAccount'],
        extensions: { code: 'request/validation_failed', status: 400, errors: [{ field: '/time_zone' }] },
      },
    ]);
  });

  t.test('payment terms: list, create, get, update, delete', async (t) => {
    const list = await gql(`{ paymentTermsList(limit: 100) { data { code builtin } hasMore nextCursor } }`);
    t.equal(list.data.paymentTermsList.data.length, 8, 'the built-in terms');
    t.equal(list.data.paymentTermsList.hasMore, false);
    t.equal(list.data.paymentTermsList.nextCursor, null);

    const created = await gql(
      `mutation ($input: CreatePaymentTermsInput!) { createPaymentTerms(input: $input) { ${TERMS_FIELDS} } }`,
      {
        input: {
          name: '45 jours fin de mois, 2 % à 10 jours',
          code: 'eom45_disc',
          due: { kind: 'DAYS_END_OF_MONTH', days: 45 },
          earlyPaymentDiscount: { percentBps: 200, withinDays: 10 },
        },
      },
    );
    t.notOk(created.errors);
    const terms = created.data.createPaymentTerms;
    t.match(terms, {
      code: 'eom45_disc',
      builtin: false,
      due: { kind: 'DAYS_END_OF_MONTH', days: 45 },
      earlyPaymentDiscount: { percentBps: 200, withinDays: 10 },
    });

    t.same((await gql(`{ paymentTerms(id: "${terms.id}") { ${TERMS_FIELDS} } }`)).data.paymentTerms, terms);

    const renamed = await gql(
      `mutation { updatePaymentTerms(id: "${terms.id}", input: { name: "EOM 45", earlyPaymentDiscount: null }) { name earlyPaymentDiscount { percentBps } } }`,
    );
    t.same(renamed.data.updatePaymentTerms, { name: 'EOM 45', earlyPaymentDiscount: null });

    const builtinId = (await gql(`{ paymentTermsList(limit: 1) { data { id } hasMore nextCursor } }`)).data
      .paymentTermsList;
    t.equal(builtinId.hasMore, true);
    t.equal(builtinId.nextCursor, builtinId.data[0].id);
    const builtin = await gql(
      `mutation { updatePaymentTerms(id: "${builtinId.data[0].id}", input: { name: "Mine" }) { id } }`,
    );
    t.equal(codeOf(builtin), 'payment_terms/builtin');

    const deleted = await gql(`mutation { deletePaymentTerms(id: "${terms.id}") { id deleted } }`);
    t.same(deleted.data.deletePaymentTerms, { id: terms.id, deleted: true });
    t.equal(
      (await gql(`{ paymentTerms(id: "${terms.id}") { id } }`)).data.paymentTerms,
      null,
      'gone: null, not an error',
    );
  });

  t.test('customers: create, get, list with filters and cursor, update, delete', async (t) => {
    const created = await gql(
      `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ${CUSTOMER_FIELDS} } }`,
      {
        input: {
          name: 'Dupont SARL',
          externalId: 'crm-1',
          email: 'compta@dupont.example',
          ccEmails: ['boss@dupont.example'],
          metadata: { crmOwner: 'alice', shop_id: '9' },
        },
      },
    );
    t.notOk(created.errors);
    const dupont = created.data.createCustomer;
    t.match(dupont, { name: 'Dupont SARL', externalId: 'crm-1', ccEmails: ['boss@dupont.example'] });
    t.same(dupont.metadata, { crmOwner: 'alice', shop_id: '9' }, "metadata keys are the caller's, not renamed");

    const second = (
      await gql(`mutation { createCustomer(input: { name: "Martin", email: "m@martin.example" }) { id } }`)
    ).data.createCustomer;
    t.same((await gql(`{ customer(id: "${dupont.id}") { ${CUSTOMER_FIELDS} } }`)).data.customer, dupont);
    t.equal((await gql(`{ customer(id: "cus_01aaaaaaaaaaaaaaaaaaaaaaaa") { id } }`)).data.customer, null);

    const byExternal = await gql(`{ customers(externalId: "crm-1") { data { id } hasMore } }`);
    t.same(byExternal.data.customers, { data: [{ id: dupont.id }], hasMore: false });
    const byEmail = await gql(`{ customers(email: "m@martin.example") { data { id } } }`);
    t.same(byEmail.data.customers.data, [{ id: second.id }]);

    const page1 = (await gql(`{ customers(limit: 1) { data { id } hasMore nextCursor } }`)).data.customers;
    t.same(page1, { data: [{ id: second.id }], hasMore: true, nextCursor: second.id }, 'newest first');
    const page2 = (await gql(`{ customers(limit: 1, startingAfter: "${page1.nextCursor}") { data { id } hasMore } }`))
      .data.customers;
    t.same(page2, { data: [{ id: dupont.id }], hasMore: false });

    const badLimit = await gql(`{ customers(limit: 0) { data { id } } }`);
    t.match(badLimit.errors, [{ extensions: { code: 'request/validation_failed', errors: [{ field: '/limit' }] } }]);

    const updated = await gql(
      `mutation { updateCustomer(id: "${dupont.id}", input: { email: null, metadata: { tier: "gold" } }) { email metadata } }`,
    );
    t.same(updated.data.updateCustomer, { email: null, metadata: { tier: 'gold' } });

    const withVariable = await gql(
      'mutation ($ref: String) { createCustomer(input: { name: "V", metadata: { ref: $ref } }) { metadata } }',
      { ref: '42' },
    );
    t.same(withVariable.data?.createCustomer, { metadata: { ref: '42' } }, 'a variable inside a Metadata literal');

    const deleted = await gql(`mutation { deleteCustomer(id: "${second.id}") { id deleted } }`);
    t.same(deleted.data.deleteCustomer, { id: second.id, deleted: true });
    t.equal((await gql(`{ customer(id: "${second.id}") { id } }`)).data.customer, null);
  });

  t.test('invoices: create, idempotent external id, get, list filters, lifecycle', async (t) => {
    const customer = (await gql(`mutation { createCustomer(input: { name: "Bernard", externalId: "crm-2" }) { id } }`))
      .data.createCustomer;
    const create = (input: Record<string, unknown>) =>
      gql(
        `mutation ($input: CreateInvoiceInput!) { createInvoice(input: $input) { created invoice { ${INVOICE_FIELDS} } } }`,
        { input },
      );

    const first = await create({
      number: 'F-001',
      customerId: customer.id,
      issueDate: '2026-02-01',
      dueDate: '2026-02-15',
      externalId: 'order-1',
      lineItems: [{ description: 'Audit', quantity: 2, unitAmount: 5000 }],
      tax: 2000,
      metadata: { orderRef: 'A-1' },
    });
    t.notOk(first.errors);
    t.equal(first.data.createInvoice.created, true);
    const overdueInvoice = first.data.createInvoice.invoice;
    t.match(overdueInvoice, {
      status: 'OPEN',
      subtotal: 10000,
      tax: 2000,
      total: 12000,
      balance: 12000,
      currency: 'EUR',
      overdue: true,
      daysOverdue: 15,
      lineItems: [{ description: 'Audit', quantity: 2, unitAmount: 5000, amount: 10000 }],
      metadata: { orderRef: 'A-1' },
    });

    const again = await create({ number: 'F-001-bis', externalId: 'order-1', customerId: customer.id, subtotal: 1 });
    t.equal(again.data.createInvoice.created, false);
    t.equal(again.data.createInvoice.invoice.id, overdueInvoice.id);

    // Beyond GraphQL's 32-bit Int: 30 million euros in cents.
    const big = await create({
      number: 'F-002',
      customer: { externalId: 'shop-7', name: 'Big Corp' },
      subtotal: 3_000_000_000,
      dueDate: '2026-04-30',
    });
    t.notOk(big.errors);
    t.match(big.data.createInvoice.invoice, {
      total: 3_000_000_000,
      overdue: false,
      daysOverdue: 0,
      issueDate: '2026-03-02',
    });

    const draft = (await create({ number: 'F-003', customerId: customer.id, status: 'DRAFT', subtotal: 500 })).data
      .createInvoice.invoice;
    t.match(
      draft,
      { status: 'DRAFT', finalizedAt: null, dueDate: '2026-04-01' },
      'due date from the default terms (Net 30)',
    );

    t.same((await gql(`{ invoice(id: "${overdueInvoice.id}") { ${INVOICE_FIELDS} } }`)).data.invoice, overdueInvoice);
    t.equal((await gql(`{ invoice(id: "inv_01aaaaaaaaaaaaaaaaaaaaaaaa") { id } }`)).data.invoice, null);

    const ids = async (args: string) =>
      (await gql(`{ invoices(${args}) { data { id } } }`)).data.invoices.data.map((i: { id: string }) => i.id);
    t.same(await ids('overdue: true'), [overdueInvoice.id]);
    t.same(await ids('status: DRAFT'), [draft.id]);
    t.same(await ids(`customerId: "${customer.id}"`), [draft.id, overdueInvoice.id]);
    t.same(await ids('externalId: "order-1"'), [overdueInvoice.id]);
    t.same(await ids('dueDateFrom: "2026-04-01", dueDateTo: "2026-04-29"'), [draft.id]);
    t.same(await ids('limit: 1'), [draft.id]);

    const edited = await gql(
      `mutation { updateInvoice(id: "${draft.id}", input: { memo: "Thanks", subtotal: 700, dueDate: "2026-05-01" }) { memo subtotal total dueDate } }`,
    );
    t.same(edited.data.updateInvoice, { memo: 'Thanks', subtotal: 700, total: 700, dueDate: '2026-05-01' });
    const finalized = await gql(`mutation { finalizeInvoice(id: "${draft.id}") { status finalizedAt } }`);
    t.same(finalized.data.finalizeInvoice, { status: 'OPEN', finalizedAt: '2026-03-02T09:00:00.000Z' });
    const written = await gql(
      `mutation { markInvoiceUncollectible(id: "${draft.id}") { status markedUncollectibleAt } }`,
    );
    t.same(written.data.markInvoiceUncollectible, {
      status: 'UNCOLLECTIBLE',
      markedUncollectibleAt: '2026-03-02T09:00:00.000Z',
    });
    const voided = await gql(`mutation { voidInvoice(id: "${overdueInvoice.id}") { status voidedAt overdue } }`);
    t.same(voided.data.voidInvoice, { status: 'VOID', voidedAt: '2026-03-02T09:00:00.000Z', overdue: false });

    t.equal(codeOf(await gql(`mutation { deleteCustomer(id: "${customer.id}") { id } }`)), 'customer/in_use');

    const dup = await create({ number: 'F-002', customerId: customer.id, subtotal: 1 });
    t.equal(dup.status, 200);
    t.equal(dup.data, null);
    t.match(dup.errors, [
      {
        path: ['createInvoice'],
        extensions: { code: 'invoice/number_taken', status: 409, errors: [{ field: '/number' }] },
      },
    ]);
  });

  t.test('errors carry extensions.code', async (t) => {
    const anonymous = await graphqlClient(ctx)('{ account { id } }');
    t.equal(anonymous.status, 401);
    t.equal(codeOf(anonymous), 'auth/missing_api_key');
    t.match(anonymous.headers['www-authenticate'], /Bearer/);
    const badKey = await graphqlClient(ctx, { authorization: 'Bearer rk_live_nope' })('{ account { id } }');
    t.equal(badKey.status, 401);
    t.equal(codeOf(badKey), 'auth/invalid_api_key');
    // The auth hook matches the path exactly; the router also maps a trailing slash here.
    const slash = await ctx.app.inject({ method: 'POST', url: '/graphql/', payload: { query: '{ account { id } }' } });
    t.equal(slash.statusCode, 401);
    t.equal(slash.json().errors[0].extensions.code, 'auth/missing_api_key');

    const syntax = await gql('{ account { id }');
    t.equal(syntax.status, 400);
    t.equal(codeOf(syntax), 'graphql/invalid_query');
    const unknownField = await gql('{ account { password } }');
    t.equal(unknownField.status, 400);
    t.match(unknownField.errors, [{ message: /password/, extensions: { code: 'graphql/invalid_query' } }]);
    const badVariable = await gql('query ($n: Int) { customers(limit: $n) { hasMore } }', { n: 'ten' });
    t.equal(badVariable.status, 400);
    t.equal(codeOf(badVariable), 'graphql/invalid_query');

    const nestedMetadata = await gql(
      'mutation { createCustomer(input: { name: "X", metadata: { a: { b: "c" } } }) { id } }',
    );
    t.equal(nestedMetadata.status, 400);
    t.equal(codeOf(nestedMetadata), 'request/validation_failed');
    const metadataVariable = await gql(
      'mutation ($m: Metadata) { createCustomer(input: { name: "X", metadata: $m }) { id } }',
      { m: { n: 1 } },
    );
    t.equal(metadataVariable.status, 400);
    t.equal(codeOf(metadataVariable), 'request/validation_failed');
    const badDate = await gql('{ invoices(dueDateFrom: "2026-02-30") { hasMore } }');
    t.equal(codeOf(badDate), 'request/validation_failed');
    const fractional = await gql(
      'mutation ($a: Amount) { createInvoice(input: { number: "Z", subtotal: $a }) { created } }',
      { a: 12.5 },
    );
    t.equal(codeOf(fractional), 'request/validation_failed');
    t.equal(
      (await gql(`{ customers(email: "nobody@x.example") { data { id } } }`)).data.customers.data.length,
      0,
      'nothing created on the way',
    );

    const getMutation = await ctx.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('mutation { deleteCustomer(id: "cus_x") { id } }')}`,
      headers: acme.auth,
    });
    t.equal(getMutation.statusCode, 405);
    t.equal(getMutation.json().errors[0].extensions.code, 'graphql/method_not_allowed');
    const getQuery = await ctx.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ account { name } }')}`,
      headers: acme.auth,
    });
    t.same(getQuery.json().data, { account: { name: 'Acme' } }, 'queries work over GET');

    const original = ctx.services.accounts.get;
    ctx.services.accounts.get = async () => {
      throw new Error('connect ECONNREFUSED postgres://relance:hunter2@db');
    };
    t.teardown(() => {
      ctx.services.accounts.get = original;
    });
    const internal = await gql('{ account { id } }');
    ctx.services.accounts.get = original;
    t.equal(internal.status, 200);
    t.match(internal.errors, [{ path: ['account'], extensions: { code: 'internal/error', status: 500 } }]);
    t.notMatch(JSON.stringify(internal.errors), /hunter2|ECONNREFUSED/, 'no internals leak');
  });

  t.test('depth and cost limits (defaults: depth 8, cost 5000)', async (t) => {
    const nest = (levels: number) =>
      `{ __type(name: "Invoice") { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } }`;
    const atLimit = await gql(nest(4));
    t.equal(atLimit.status, 200, 'depth 8 is allowed');
    t.notOk(atLimit.errors);
    const tooDeep = await gql(nest(5));
    t.equal(tooDeep.status, 400);
    t.equal(tooDeep.executed, false, 'refused before execution: no data entry');
    t.match(tooDeep.errors, [{ message: /depth limit of 8/, extensions: { code: 'graphql/query_too_deep' } }]);

    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: invoices { data { ${INVOICE_FIELDS} } }`).join(' ')} }`;
    t.notOk((await gql(aliases(2))).errors, 'a normal query is allowed');
    t.notOk((await gql(aliases(10))).errors, 'ten aliases are allowed');
    const fanOut = await gql(aliases(100));
    t.equal(fanOut.status, 400);
    t.equal(fanOut.executed, false);
    const codes = (fanOut.errors as Array<{ extensions: { code: string } }>).map((e) => e.extensions.code);
    t.ok(codes.includes('graphql/too_many_aliases'), `codes: ${codes.join(', ')}`);
    t.ok(codes.includes('graphql/query_too_costly'), 'the cost limit refuses it too');
  });

  t.test('limits and GraphiQL follow the configuration', async (t) => {
    const small = await setupApp(t, {
      env: { NODE_ENV: 'development', LOG_LEVEL: 'silent', GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COST: '20' },
    });
    t.equal((await small.app.inject({ method: 'GET', url: '/graphiql' })).statusCode, 200, 'GraphiQL in development');
    t.equal((await ctx.app.inject({ method: 'GET', url: '/graphiql' })).statusCode, 404, 'and nowhere else');
    const other = await small.createAccount();
    const query = graphqlClient(small, other.auth);
    t.notOk((await query('{ account { id name } }')).errors);
    t.equal(codeOf(await query('{ invoices { data { lineItems { amount } } } }')), 'graphql/query_too_deep');
    t.equal(
      codeOf(
        await query(
          '{ a: account { id name } b: account { id name } c: account { id name } d: account { id name } e: account { id name } }',
        ),
      ),
      'graphql/query_too_costly',
    );
  });

  t.test('a batched request is refused without running anything', async (t) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: acme.auth,
      payload: [
        { query: 'mutation { createCustomer(input: { name: "Batch" }) { id } }' },
        { query: '{ account { id } }' },
      ],
    });
    t.equal(res.statusCode, 400);
    t.equal(res.json().errors[0].extensions.code, 'graphql/batch_not_supported');
    t.notOk('data' in res.json());
    t.equal(
      (await gql('{ customers(limit: 100) { data { name } } }')).data.customers.data.filter(
        (c: { name: string }) => c.name === 'Batch',
      ).length,
      0,
    );
  });

  t.test('a read-only key reads but cannot mutate', async (t) => {
    const actor = {
      accountId: acme.accountId,
      keyId: null,
      readOnly: false,
      mode: 'live',
      timeZone: 'Europe/Paris',
    } as const;
    const key = await ctx.services.apiKeys.create(actor, { read_only: true, name: 'dashboard' });
    const readOnly = graphqlClient(ctx, { authorization: `Bearer ${key.secret}` });
    t.equal((await readOnly('{ account { id } }')).data.account.id, acme.accountId);
    const before = (await gql('{ customers(limit: 100) { data { id } } }')).data.customers.data.length;
    const mutations = [
      'mutation { updateAccount(input: { name: "Pwned" }) { id } }',
      'mutation { createCustomer(input: { name: "Intruder" }) { id } }',
      'mutation { createInvoice(input: { number: "RO-1", customer: { externalId: "ro", name: "RO" }, subtotal: 1 }) { created } }',
      'mutation { createPaymentTerms(input: { name: "RO", due: { kind: NET, days: 5 } }) { id } }',
    ];
    for (const mutation of mutations) {
      const res = await readOnly(mutation);
      t.equal(res.status, 200, mutation);
      t.match(res.errors, [{ extensions: { code: 'auth/read_only_key', status: 403 } }], mutation);
    }
    t.equal(
      (await gql('{ customers(limit: 100) { data { id } } }')).data.customers.data.length,
      before,
      'nothing written',
    );
    t.equal((await gql('{ account { name } }')).data.account.name, 'Acme');
  });

  t.test('GraphQL routes stay out of the OpenAPI document', async (t) => {
    const paths = Object.keys(ctx.app.swagger().paths ?? {});
    t.ok(paths.includes('/v1/invoices'), 'the REST routes are there');
    t.same(
      paths.filter((p) => p.includes('graph')),
      [],
    );
  });
});
