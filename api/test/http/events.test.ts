import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

t.test('events', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });

  const customer = await kit.customer(acme);
  clock.set('2026-03-02T10:00:00Z');
  const invoice = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-30' });
  clock.set('2026-03-02T11:00:00Z');
  await call(acme, 'PATCH', `/v1/customers/${customer.id}`, { contact_name: 'Marie Dupont' });
  const othersCustomer = await kit.customer(other, { name: 'Elsewhere' });

  const list = async (who = acme, query = '') => {
    const res = await call(who, 'GET', `/v1/events?limit=100${query}`);
    t.equal(res.statusCode, 200, query);
    return res.json().data as Array<{
      id: string;
      type: string;
      object_id: string;
      sequence: number;
      created_at: string;
      data: any;
    }>;
  };

  t.test('newest first, in the order they were written', async (t) => {
    const events = await list();
    t.same(
      events.map((e) => e.type),
      ['customer.updated', 'invoice.created', 'customer.created'],
    );
    const sequences = events.map((e) => e.sequence);
    t.same(
      sequences,
      [...sequences].sort((a, b) => b - a),
      'by decreasing sequence',
    );
    t.match(events[0], {
      object: 'event',
      type: 'customer.updated',
      object_type: 'customer',
      object_id: customer.id,
      created_at: '2026-03-02T11:00:00.000Z',
    });
    t.match(events[0]?.id, /^evt_/);
    t.match(
      events[0]?.data,
      { id: customer.id, object: 'customer', contact_name: 'Marie Dupont', pause: null },
      'data is the object as the API showed it',
    );
    t.match(events[1]?.data, { id: invoice.id, object: 'invoice', number: invoice.number });

    const one = await call(acme, 'GET', `/v1/events/${events[0]?.id}`);
    t.equal(one.statusCode, 200);
    t.same(one.json(), events[0]);
  });

  t.test('filters', async (t) => {
    const types = async (query: string) => (await list(acme, query)).map((e) => e.type);
    t.same(await types(`&object_id=${customer.id}`), ['customer.updated', 'customer.created']);
    t.same(await types('&type=invoice.created'), ['invoice.created']);
    t.same(await types('&type=invoice'), [], 'the type is matched exactly');
    t.same(
      await types('&created_from=2026-03-02T10:00:00Z'),
      ['customer.updated', 'invoice.created'],
      'from is included',
    );
    t.same(
      await types('&created_to=2026-03-02T10:00:00.000Z'),
      ['invoice.created', 'customer.created'],
      'to is included',
    );
    t.same(
      await types('&created_from=2026-03-02T10:30:00%2B01:00&created_to=2026-03-02T11:00:00Z'),
      ['customer.updated', 'invoice.created'],
      'with an offset',
    );
    t.same(await types(`&object_id=${invoice.id}&type=customer.created`), []);
    t.same(await types(`&object_id=${invoice.id}`), ['invoice.created']);
    for (const query of ['created_from=yesterday', 'limit=0', 'limit=101', 'kind=invoice']) {
      const bad = await call(acme, 'GET', `/v1/events?${query}`);
      t.equal(bad.statusCode, 400, query);
      t.equal(bad.json().code, 'request/validation_failed');
    }
  });

  t.test('pagination', async (t) => {
    const all = (await list()).map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; has_more: boolean; next_cursor: string | null } = (
        await call(acme, 'GET', `/v1/events?limit=2${cursor ? `&starting_after=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((e) => e.id));
      t.equal(page.has_more, page.next_cursor !== null);
      cursor = page.next_cursor;
    } while (cursor);
    t.same(seen, all, 'every event once, in order');
    t.same(
      (await call(acme, 'GET', `/v1/events?starting_after=${newId('event')}`)).json().data,
      [],
      'an unknown cursor gives an empty page',
    );
  });

  t.test('unknown events', async (t) => {
    const res = await call(acme, 'GET', `/v1/events/${newId('event')}`);
    t.equal(res.statusCode, 404);
    t.equal(res.json().code, 'event/not_found');
  });

  t.test("another account's events are invisible (REST and GraphQL)", async (t) => {
    const mine = await list();
    const theirs = await list(other);
    t.same(
      theirs.map((e) => e.object_id),
      [othersCustomer.id],
    );
    t.same(await list(other, `&object_id=${invoice.id}`), []);
    t.same(
      (await list(acme)).filter((e) => e.object_id === othersCustomer.id),
      [],
    );
    const get = await call(other, 'GET', `/v1/events/${mine[0]?.id}`);
    t.equal(get.statusCode, 404);
    t.equal(get.json().code, 'event/not_found');
    // A cursor from another account finds nothing to page from.
    t.same((await call(other, 'GET', `/v1/events?starting_after=${mine[0]?.id}`)).json().data, []);

    const gql = graphqlClient(ctx, other.auth);
    const res = await gql(`query ($id: ID!) { event(id: $id) { id } events { data { id objectId } } }`, {
      id: mine[0]?.id,
    });
    t.equal(res.errors, undefined);
    t.equal(res.data.event, null);
    t.same(
      res.data.events.data.map((e: { objectId: string }) => e.objectId),
      [othersCustomer.id],
    );
  });

  t.test('GraphQL: events and event', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const fields = 'id type objectType objectId data sequence createdAt';
    const res = await gql(
      `query ($id: ID!) { events(objectId: $id, limit: 1) { data { ${fields} } hasMore nextCursor } }`,
      { id: customer.id },
    );
    t.equal(res.errors, undefined);
    const rest = (await list(acme, `&object_id=${customer.id}`))[0];
    t.same(
      res.data.events.data,
      [
        {
          id: rest?.id,
          type: rest?.type,
          objectType: 'customer',
          objectId: customer.id,
          data: rest?.data,
          sequence: rest?.sequence,
          createdAt: rest?.created_at,
        },
      ],
      'the same event, data as REST shows it',
    );
    t.equal(res.data.events.hasMore, true);
    const next = await gql(
      `query ($after: String) { events(startingAfter: $after, type: "invoice.created", createdFrom: "2026-03-02T00:00:00Z") { data { type } } }`,
      { after: res.data.events.nextCursor },
    );
    t.same(next.data.events.data, [{ type: 'invoice.created' }]);
    const one = await gql(`query ($id: ID!) { event(id: $id) { ${fields} } }`, { id: rest?.id });
    t.same(one.data.event, res.data.events.data[0]);
    t.equal(codeOf(await gql('{ events(limit: 500) { hasMore } }')), 'request/validation_failed');
    t.equal(codeOf(await gql('{ events(createdFrom: "yesterday") { hasMore } }')), 'request/validation_failed');
  });
});
