import { getIntrospectionQuery } from 'graphql';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { codeOf, graphqlClient } from './client.ts';

t.test('production: no introspection, no suggestions, unless configured', async (t) => {
  const ctx = await setupApp(t, { env: { NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  const acme = await ctx.createAccount();
  const gql = graphqlClient(ctx, acme.auth);

  for (const query of [
    '{ __schema { types { name } } }',
    '{ __type(name: "Invoice") { name } }',
    getIntrospectionQuery(),
  ]) {
    const res = await gql(query);
    t.equal(res.status, 400, query.slice(0, 40));
    t.equal(codeOf(res), 'graphql/introspection_disabled');
  }
  t.same((await gql('{ __typename }')).data, { __typename: 'Query' }, '__typename still answers');
  const typo = await gql('{ account { nme } }');
  t.equal(codeOf(typo), 'graphql/invalid_query');
  t.notMatch(typo.errors?.[0]?.message, /Did you mean/, 'no field names suggested');

  const open = await setupApp(t, {
    env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', GRAPHQL_INTROSPECTION: 'true', GRAPHQL_SUGGESTIONS: 'true' },
  });
  const other = await open.createAccount();
  const gqlOpen = graphqlClient(open, other.auth);
  t.notOk((await gqlOpen(getIntrospectionQuery())).errors, 'introspection when the operator turns it on');
  t.match((await gqlOpen('{ account { nme } }')).errors?.[0]?.message, /Did you mean "name"\?/);
});

t.test('development and test: introspection on, within a depth limit that counts it', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const gql = graphqlClient(ctx, acme.auth);
  const full = await gql(getIntrospectionQuery());
  t.notOk(full.errors, 'the standard introspection query (GraphiQL) passes');
  t.ok(full.data.__schema.types.length > 50);

  const tower = (levels: number) =>
    `{ __schema { types { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } } }`;
  const deep = await gql(tower(40));
  t.equal(deep.status, 400);
  t.equal(codeOf(deep), 'graphql/query_too_deep', 'nesting under __schema is counted');

  // Deep enough to overflow the parser's stack: refused before parsing.
  const abyss = await gql(`{ __type(name: "Invoice") { ${'ofType { '.repeat(8000)}name${' }'.repeat(8000)} } }`);
  t.equal(abyss.status, 400);
  t.equal(codeOf(abyss), 'graphql/query_too_deep');
  const braces = await gql(`{ account { name } } # ${'{'.repeat(10)}`);
  t.notOk(braces.errors, 'brackets in a comment are harmless at this depth');

  // The guard before parsing reads a query sent over GET too, from the query string. 70 levels:
  // past its limit of 64, short enough for a URL. Parsed, it would meet the depth rule instead.
  const steep = `{ __type(name: "Invoice") { ${'ofType { '.repeat(70)}name${' }'.repeat(70)} } }`;
  const overGet = await ctx.app.inject({
    method: 'GET',
    url: `/graphql?query=${encodeURIComponent(steep)}`,
    headers: acme.auth,
  });
  t.equal(overGet.statusCode, 400);
  t.match(overGet.body, /nested deeper than 64 levels/, 'GET: refused before parsing');
  t.match(JSON.stringify((await gql(steep)).errors), /nested deeper than 64 levels/, 'POST: the same');
  const inString = await gql(`{ customers(email: "${'{'.repeat(500)}") { data { id } } }`);
  t.not(codeOf(inString), 'graphql/query_too_deep', 'brackets inside a string do not count');
});
