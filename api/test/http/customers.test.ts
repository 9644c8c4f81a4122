import t from 'tap';
import { setupApp } from '../helpers/app.ts';

t.test('customers', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });

  const created = await call('POST', '/v1/customers', {
    name: 'Dupont SARL',
    external_id: 'crm-42',
    email: 'compta@dupont.example',
    cc_emails: ['dg@dupont.example'],
    contact_name: 'Marie Dupont',
    phone: '+33 1 23 45 67 89',
    locale: 'fr',
    time_zone: 'Europe/Paris',
    metadata: { segment: 'smb' },
  });
  t.equal(created.statusCode, 201);
  const dupont = created.json();
  t.match(dupont, {
    object: 'customer',
    id: /^cus_[0-9a-z]{26}$/,
    cc_emails: ['dg@dupont.example'],
    metadata: { segment: 'smb' },
    payment_terms_id: null,
  });

  t.test('get, update, list', async (t) => {
    t.same((await call('GET', `/v1/customers/${dupont.id}`)).json(), dupont);
    const updated = await call('PATCH', `/v1/customers/${dupont.id}`, {
      phone: null,
      locale: 'en',
      metadata: { segment: 'mid' },
    });
    t.equal(updated.statusCode, 200);
    t.match(updated.json(), { phone: null, locale: 'en', metadata: { segment: 'mid' }, name: 'Dupont SARL' });
    t.ok(updated.json().updated_at >= dupont.updated_at);
    const byExternal = (await call('GET', '/v1/customers?external_id=crm-42')).json();
    t.equal(byExternal.data.length, 1);
    t.equal(byExternal.data[0].id, dupont.id);
  });

  t.test('external_id is unique per account; registering the same customer again returns it', async (t) => {
    const again = await call('POST', '/v1/customers', { name: 'Dupont SARL', external_id: 'crm-42' });
    t.equal(again.statusCode, 200, 'the same customer again: 200, not a second one');
    t.same(
      again.json(),
      (await call('GET', `/v1/customers/${dupont.id}`)).json(),
      'the registered customer, as GET shows it',
    );

    const dup = await call('POST', '/v1/customers', {
      name: 'Other',
      external_id: 'crm-42',
      metadata: { segment: 'mid' },
    });
    t.equal(dup.statusCode, 409, 'a body that differs is a conflict');
    t.equal(dup.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(dup.json(), { code: 'customer/external_id_taken', existing_id: dupont.id });
    t.same(
      dup.json().errors.map((e: { field: string }) => e.field),
      ['/name'],
      'names the fields that differ, not the ones that agree',
    );

    const customers = (await call('GET', '/v1/customers?external_id=crm-42')).json();
    t.equal(customers.data.length, 1, 'still one customer with this external_id');

    const other = await ctx.createAccount({ name: 'Other account' });
    const elsewhere = await ctx.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: other.auth,
      payload: { name: 'X', external_id: 'crm-42' },
    });
    t.equal(elsewhere.statusCode, 201, 'another account may use the same external_id');
    t.not(elsewhere.json().id, dupont.id);

    const y = (await call('POST', '/v1/customers', { name: 'Y' })).json();
    const taken = await call('PATCH', `/v1/customers/${y.id}`, { external_id: 'crm-42' });
    t.equal(taken.statusCode, 409, 'editing another customer onto a registered external_id is refused');
    t.equal(taken.json().code, 'customer/external_id_taken');
    await call('DELETE', `/v1/customers/${y.id}`);
  });

  t.test('registering again is the same over GraphQL', async (t) => {
    const gql = async (query: string, variables: object) =>
      (
        await ctx.app.inject({ method: 'POST', url: '/graphql', headers: acme.auth, payload: { query, variables } })
      ).json();
    const mutation = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id name } }';
    const same = await gql(mutation, { input: { name: 'Dupont SARL', externalId: 'crm-42' } });
    t.same(same.data.createCustomer, { id: dupont.id, name: 'Dupont SARL' });
    const conflict = await gql(mutation, { input: { name: 'Autre', externalId: 'crm-42' } });
    t.match(conflict.errors[0].extensions, { code: 'customer/external_id_taken', status: 409, existingId: dupont.id });
  });

  t.test('payment terms must exist', async (t) => {
    const res = await call('POST', '/v1/customers', { name: 'X', payment_terms_id: 'pt_01aaaaaaaaaaaaaaaaaaaaaaaa' });
    t.equal(res.statusCode, 404);
    t.equal(res.json().code, 'payment_terms/not_found');
  });

  t.test('pagination: newest first, stable cursor, no overlap', async (t) => {
    for (let i = 0; i < 7; i++) await call('POST', '/v1/customers', { name: `Page ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null; has_more: boolean } = (
        await call('GET', `/v1/customers?limit=3${cursor ? `&starting_after=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.next_cursor;
      t.equal(page.has_more, cursor !== null);
      pages++;
    } while (cursor);
    t.equal(seen.length, 8);
    t.equal(new Set(seen).size, 8);
    t.same(seen, [...seen].sort().reverse(), 'newest first');
    t.equal(pages, 3);
  });

  t.test('delete only when unused', async (t) => {
    const lonely = (await call('POST', '/v1/customers', { name: 'Lonely' })).json();
    const del = await call('DELETE', `/v1/customers/${lonely.id}`);
    t.same(del.json(), { id: lonely.id, object: 'customer', deleted: true });
    t.equal((await call('GET', `/v1/customers/${lonely.id}`)).statusCode, 404);
    await call('POST', '/v1/invoices', { number: 'C-1', customer_id: dupont.id, subtotal: 100 });
    const inUse = await call('DELETE', `/v1/customers/${dupont.id}`);
    t.equal(inUse.statusCode, 409);
    t.equal(inUse.json().code, 'customer/in_use');
    t.equal((await call('GET', `/v1/customers/${dupont.id}`)).statusCode, 200, 'still there');
  });

  t.test('events are written with each change', async (t) => {
    const events = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('events')
        .select(['type', 'object_id'])
        .where('object_id', '=', dupont.id)
        .orderBy('seq')
        .execute(),
    );
    t.same(
      events.map((e) => e.type),
      ['customer.created', 'customer.updated'],
    );
  });
});
