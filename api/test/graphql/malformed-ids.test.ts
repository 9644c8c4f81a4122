import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { graphqlClient } from './client.ts';

t.test('GraphQL: an id that cannot be ours is refused before any lookup', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const gql = graphqlClient(ctx, acme.auth);

  const cases: Array<[string, Record<string, unknown> | undefined, string[]]> = [
    ['{ invoice(id: "inv_x") { id } }', undefined, ['/id']],
    ['query ($id: ID!) { customer(id: $id) { id } }', { id: "1' OR 1=1" }, ['/id']],
    [
      'mutation ($input: CreateInvoiceInput!) { createInvoice(input: $input) { created } }',
      { input: { number: 'G-1', customerId: 'cus_short', subtotal: 100 } },
      ['/input/customerId'],
    ],
    [
      'mutation { createInvoice(input: { number: "G-2", customerId: "not-an-id", subtotal: 100 }) { created } }',
      undefined,
      ['/input/customerId'],
    ],
  ];
  for (const [query, variables, fields] of cases) {
    const res = await gql(query, variables);
    t.equal(res.errors?.[0]?.extensions.code, 'request/validation_failed', query);
    t.same(
      res.errors?.[0]?.extensions.errors?.map((e) => e.field),
      fields,
    );
    t.notOk(res.data, 'nothing ran');
  }

  const wellFormed = await gql('{ invoice(id: "inv_01m814qcamfvhrjczyyyf6b5g2") { id } }');
  t.notMatch(
    wellFormed.errors?.[0]?.extensions.code ?? '',
    /validation_failed/,
    'a well-formed unknown id is looked up as before',
  );
});
