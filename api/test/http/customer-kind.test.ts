import t from 'tap';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// Business or consumer debtors. The statutory B2B presets (a fixed recovery fee and commercial
// interest) exist between businesses only: setting them for a consumer is refused, and an
// account default that names one is skipped for a consumer's invoice, which says so.

// One app for the file: each test has accounts of its own.
const ctx = await setupApp(t);

t.test('customers are businesses or consumers, with a legal identity checked per country', async (t) => {
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });

  const business = await call('POST', '/v1/customers', {
    name: 'Client SARL',
    legal_name: 'CLIENT SARL',
    // SIREN 732 829 320 (a valid Luhn check digit), VAT as people write it.
    registration_number: '732 829 320',
    vat_number: 'fr 40 303 265 045',
    billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
  });
  t.equal(business.statusCode, 201, business.body);
  t.match(business.json(), {
    kind: 'business',
    legal_name: 'CLIENT SARL',
    registration_number: '732829320',
    vat_number: 'FR40303265045',
    billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
  });
  const plain = (await call('POST', '/v1/customers', { name: 'Old style' })).json();
  t.match(
    plain,
    { kind: 'business', legal_name: null, vat_number: null, billing_address: null },
    'business by default',
  );

  const before = (await call('GET', '/v1/customers?limit=100')).json().data.length;
  const refusals: Array<[object, string]> = [
    [
      { registration_number: '123456789', billing_address: { line1: 'x', city: 'Paris', country: 'FR' } },
      '/registration_number',
    ],
    [
      { billing_address: { line1: 'x', postal_code: '7500', city: 'Paris', country: 'FR' } },
      '/billing_address/postal_code',
    ],
    [{ billing_address: { line1: 'x', city: 'Nowhere', country: 'XX' } }, '/billing_address/country'],
    [
      { registration_number: 'ABC', billing_address: { line1: 'x', city: 'London', country: 'GB' } },
      '/registration_number',
    ],
    [{ vat_number: 'FR123' }, '/vat_number'],
    [{ vat_number: '40303265045' }, '/vat_number'],
  ];
  for (const [fields, pointer] of refusals) {
    const res = await call('POST', '/v1/customers', { name: 'Bad', ...fields });
    t.equal(res.statusCode, 422, `${pointer}: ${res.body}`);
    t.equal(res.json().code, 'identity/invalid');
    t.same(
      res.json().errors.map((e: { field: string }) => e.field),
      [pointer],
    );
  }
  t.equal((await call('GET', '/v1/customers?limit=100')).json().data.length, before, 'nothing stored');

  const kindless = await call('POST', '/v1/customers', { name: 'X', kind: 'company' });
  t.equal(kindless.statusCode, 400);

  // An update is checked as the customer will be stored: the stored country applies to a new number.
  const patched = await call('PATCH', `/v1/customers/${business.json().id}`, { registration_number: '732829321' });
  t.equal(patched.statusCode, 422);
  t.equal(
    (await call('GET', `/v1/customers/${business.json().id}`)).json().registration_number,
    '732829320',
    'the refused update changed nothing',
  );

  const gql = graphqlClient(ctx, acme.auth);
  const created = await gql(
    `mutation { createCustomer(input: { name: "Jean Dupont", kind: CONSUMER,
       billingAddress: { line1: "3 place Bellecour", postalCode: "69002", city: "Lyon", country: "FR" } }) {
       kind billingAddress { city postalCode country } } }`,
  );
  t.same((created.data as { createCustomer: unknown } | null)?.createCustomer, {
    kind: 'CONSUMER',
    billingAddress: { city: 'Lyon', postalCode: '69002', country: 'FR' },
  });
});

t.test('business-only late fees never reach a consumer', async (t) => {
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });

  const b2bTerms = (
    await call(acme, 'POST', '/v1/payment_terms', {
      name: 'Net 30, statutory B2B fees',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'fr_b2b' },
    })
  ).json();
  const customTerms = (
    await call(acme, 'POST', '/v1/payment_terms', {
      name: 'Net 30, 1 % a month',
      due: { kind: 'net', days: 30 },
      late_fee: { kind: 'custom', annual_rate_bps: 1200 },
    })
  ).json();
  t.ok(b2bTerms.id && customTerms.id, 'terms created');

  const refused = await call(acme, 'POST', '/v1/customers', {
    name: 'Jean Dupont',
    kind: 'consumer',
    payment_terms_id: b2bTerms.id,
  });
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'late_fee/b2b_preset_for_consumer');
  t.same(refused.json().errors[0].field, '/payment_terms_id');
  t.match(refused.json().detail, /fr_b2b/);

  const company = (await call(acme, 'POST', '/v1/customers', { name: 'SAS', payment_terms_id: b2bTerms.id })).json();
  const toConsumer = await call(acme, 'PATCH', `/v1/customers/${company.id}`, { kind: 'consumer' });
  t.equal(
    toConsumer.json().code,
    'late_fee/b2b_preset_for_consumer',
    'a business with B2B terms cannot become a consumer',
  );
  t.equal((await call(acme, 'GET', `/v1/customers/${company.id}`)).json().kind, 'business');

  const consumer = (await call(acme, 'POST', '/v1/customers', { name: 'Marie Curie', kind: 'consumer' })).json();
  const invoiceBody = (number: string, customerId: string) => ({
    number,
    customer_id: customerId,
    currency: 'EUR',
    subtotal: 100_000,
    issue_date: '2026-01-01',
    due_date: '2026-01-31',
  });
  const explicit = await call(acme, 'POST', '/v1/invoices', {
    ...invoiceBody('C-1', consumer.id),
    payment_terms_id: b2bTerms.id,
  });
  t.equal(
    explicit.statusCode,
    422,
    'explicit B2B terms on a consumer invoice are refused (even with everything given)',
  );
  t.equal(explicit.json().code, 'late_fee/b2b_preset_for_consumer');
  const inline = await call(acme, 'POST', '/v1/invoices', {
    number: 'C-2',
    customer: { name: 'Paul', kind: 'consumer', external_id: 'paul' },
    subtotal: 1000,
    issue_date: '2026-01-01',
    payment_terms_id: b2bTerms.id,
  });
  t.equal(inline.json().code, 'late_fee/b2b_preset_for_consumer');
  t.equal(
    (await call(acme, 'GET', '/v1/customers?external_id=paul')).json().data.length,
    0,
    'the inline customer was not kept either',
  );
  const custom = await call(acme, 'POST', '/v1/invoices', {
    ...invoiceBody('C-3', consumer.id),
    payment_terms_id: customTerms.id,
  });
  t.equal(custom.statusCode, 201, 'terms of your own stay allowed for a consumer');

  // The account's default preset: applied to the business, skipped for the consumer, and said.
  await call(acme, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' });
  const plainCompany = (await call(acme, 'POST', '/v1/customers', { name: 'SARL' })).json();
  const forCompany = (await call(acme, 'POST', '/v1/invoices', invoiceBody('B-1', plainCompany.id))).json();
  const forConsumer = (await call(acme, 'POST', '/v1/invoices', invoiceBody('C-4', consumer.id))).json();
  const actor = {
    accountId: acme.accountId,
    keyId: null,
    readOnly: false,
    mode: 'live' as const,
    timeZone: 'Europe/Paris',
  };
  const companyFees = await ctx.services.lateFees.accrue(actor, forCompany.id);
  t.ok(
    companyFees.some((f) => f.kind === 'recovery_fee' && f.amount === 4000),
    'the business owes the 40 EUR recovery fee',
  );
  t.same(await ctx.services.lateFees.accrue(actor, forConsumer.id), [], 'the consumer owes no statutory fee');
  const consumerInvoice = (await call(acme, 'GET', `/v1/invoices/${forConsumer.id}`)).json();
  t.match(consumerInvoice, { late_fees: 0, late_fees_skipped: { reason: 'consumer', preset: 'fr_b2b' } });
  t.equal((await call(acme, 'GET', `/v1/invoices/${forCompany.id}`)).json().late_fees_skipped, null);
  const gql = graphqlClient(ctx, acme.auth);
  const viaGraphql = await gql(`{ invoice(id: "${forConsumer.id}") { lateFees lateFeesSkipped { reason preset } } }`);
  t.same((viaGraphql.data as { invoice: unknown } | null)?.invoice, {
    lateFees: 0,
    lateFeesSkipped: { reason: 'consumer', preset: 'fr_b2b' },
  });

  // Another tenant sees none of these customers.
  t.equal((await call(other, 'GET', `/v1/customers/${consumer.id}`)).statusCode, 404);
});
