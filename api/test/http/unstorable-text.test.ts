import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp } from '../helpers/app.ts';
import { FAKE_ID, fillPath, operations, sample, stringFields, withValueAt } from '../helpers/openapi.ts';

// Every input of the OpenAPI document gets a U+0000 (and an unpaired surrogate): PostgreSQL cannot
// store either, and neither may ever reach it. The list comes from the document, not from memory.
const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';

// One app for the file (each test has an account of its own); the rate limit is out of the way
// of the requests the OpenAPI walk sends.
const ctx = await setupApp(t, { env: { RATE_LIMIT_PER_MINUTE: '100000' } });

t.test('REST: U+0000 in any path id, query parameter or body string is a 4xx naming the field', async (t) => {
  const acme = await ctx.createAccount();
  let sent = 0;
  const check = async (label: string, request: { method: string; url: string; payload?: unknown }, field?: string) => {
    sent++;
    const res = await ctx.app.inject({ ...(request as { method: 'GET' }), headers: acme.auth });
    if (res.statusCode >= 500 || !String(res.headers['content-type']).startsWith('application/problem+json')) {
      t.fail(`${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return;
    }
    const problem = res.json();
    if (field) {
      t.equal(problem.code, 'request/invalid_characters', `${label} refused with the code`);
      t.ok(
        problem.errors?.some((e: { field: string }) => e.field === field),
        `${label} names ${field}`,
      );
    }
  };

  for (const op of operations()) {
    if (!op.secured) continue;
    const label = `${op.method} ${op.template}`;
    const body = op.body ? sample(op.body) : undefined;
    const payload = op.body ? { payload: body as object } : {};
    for (const param of op.parameters.filter((p) => p.in === 'path')) {
      // `/` and a NUL in a path segment: refused before any route looks the id up.
      await check(
        `${label} path ${param.name}`,
        { method: op.method, url: fillPath(op, { [param.name]: NUL }), ...payload },
        `/${param.name}`,
      );
    }
    for (const param of op.parameters.filter((p) => p.in === 'query')) {
      const url = `${fillPath(op)}?${param.name}=${encodeURIComponent(NUL)}`;
      await check(`${label} query ${param.name}`, { method: op.method, url, ...payload }, `/${param.name}`);
    }
    if (!op.body) continue;
    for (const pointer of stringFields(op.body)) {
      if (pointer.endsWith('/*')) {
        const map = withValueAt(body, pointer.slice(0, -2), { [NUL]: 'v' });
        await check(
          `${label} body key ${pointer}`,
          { method: op.method, url: fillPath(op), payload: map },
          `${pointer.slice(0, -2)}/${NUL}`,
        );
        continue;
      }
      await check(
        `${label} body ${pointer}`,
        { method: op.method, url: fillPath(op), payload: withValueAt(body, pointer, NUL) },
        pointer,
      );
      await check(
        `${label} body ${pointer} (surrogate)`,
        { method: op.method, url: fillPath(op), payload: withValueAt(body, pointer, LONE_SURROGATE) },
        pointer,
      );
    }
  }
  t.ok(sent > 200, `${sent} requests sent`);
});

t.test('REST: examples from the report, ids that cannot exist, and data errors PostgreSQL raises', async (t) => {
  const acme = await ctx.createAccount();
  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: acme.auth, ...(payload && { payload }) });

  const key = await send('POST', '/v1/api_keys', { name: '\u0000' });
  t.equal(key.statusCode, 400);
  t.match(key.json(), { code: 'request/invalid_characters', errors: [{ field: '/name' }] });
  t.equal((await send('GET', '/v1/customers?email=%00')).json().code, 'request/invalid_characters');
  const nulId = await send('GET', '/v1/invoices/a%00b');
  t.equal(nulId.statusCode, 400);
  t.match(nulId.json(), { code: 'request/invalid_characters', errors: [{ field: '/id' }] });

  for (const id of ['nope', 'inv_', 'inv_01H455VB4PEX5VSKNK084SN02Q', `inv_${'0'.repeat(64)}`, "inv_'; select 1"]) {
    const res = await send('GET', `/v1/invoices/${encodeURIComponent(id)}`);
    t.equal(res.statusCode, 404, id);
    t.equal(res.json().code, 'invoice/not_found', id);
  }
  t.equal((await send('POST', `/v1/invoices/${FAKE_ID}/fees/nope/waive`, {})).json().code, 'invoice_fee/not_found');

  // Year 0 passes the `date` format but PostgreSQL has no year 0 (SQLSTATE 22008): a 400, not a 500.
  const customer = (await send('POST', '/v1/customers', { name: 'Debtor', email: 'd@example.com' })).json();
  const invoice = await send('POST', '/v1/invoices', {
    customer_id: customer.id,
    number: 'F-1',
    currency: 'EUR',
    issue_date: '0000-01-01',
    due_date: '0000-02-01',
    line_items: [{ description: 'Work', quantity: 1, unit_amount: 100 }],
  });
  t.equal(invoice.statusCode, 400, invoice.body);
  t.equal(invoice.json().code, 'request/invalid_value');
  t.match(invoice.headers['content-type'], /^application\/problem\+json/);
});

t.test('GraphQL: U+0000 in any String or ID argument, literal or variable, is refused', async (t) => {
  const acme = await ctx.createAccount();
  const gql = graphqlClient(ctx, acme.auth);

  const invoice = await gql('{ invoice(id: "inv_\\u0000") { id } }');
  t.equal(invoice.status, 400);
  t.match(invoice.errors?.[0]?.extensions, { code: 'request/invalid_characters', errors: [{ field: '/id' }] });

  const schema = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));
  const isText = (type: GraphQLInputType) => {
    const named = getNamedType(type);
    return isScalarType(named) && ['String', 'ID'].includes(named.name);
  };
  // A value that passes validation, for the arguments not under test (coerced only after the guard ran).
  const filler = (type: GraphQLInputType): unknown => {
    const named = getNamedType(type);
    if (isEnumType(named)) return named.getValues()[0]!.value;
    if (isInputObjectType(named)) return {};
    if (isScalarType(named))
      return (
        (
          {
            Int: 1,
            Float: 1,
            Boolean: false,
            Amount: 1,
            Date: '2026-03-02',
            DateTime: '2026-03-02T09:00:00Z',
            Metadata: {},
          } as Record<string, unknown>
        )[named.name] ?? 'x'
      );
    return null;
  };
  const selection = (field: GraphQLField<unknown, unknown>) =>
    isCompositeType(getNamedType(field.type)) ? '{ __typename }' : '';
  let sent = 0;
  for (const [kind, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root!.getFields())) {
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        let nul: unknown;
        if (isText(arg.type)) nul = NUL;
        else if (isInputObjectType(named)) {
          const text = Object.values(named.getFields()).find((f) => isText(f.type));
          if (!text) continue;
          nul = { [text.name]: NUL };
        } else continue;
        const others = field.args.filter((a) => a !== arg && isNonNullType(a.type));
        const declared = [arg, ...others].map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
        const passed = [arg, ...others].map((a) => `${a.name}: $${a.name}`).join(', ');
        const variables = Object.fromEntries([[arg.name, nul], ...others.map((a) => [a.name, filler(a.type)])]);
        const res = await gql(`${kind}(${declared}) { ${field.name}(${passed}) ${selection(field)} }`, variables);
        sent++;
        t.ok(res.status < 500, `${field.name}(${arg.name}): ${res.status}`);
        t.equal(res.errors?.[0]?.extensions.code, 'request/invalid_characters', `${field.name}(${arg.name})`);
        // And written into the query itself.
        if (isText(arg.type)) {
          const defs = others.length ? `(${others.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : '';
          const args = [`${arg.name}: "x\\u0000"`, ...others.map((a) => `${a.name}: $${a.name}`)].join(', ');
          const literal = await gql(
            `${kind}${defs} { ${field.name}(${args}) ${selection(field)} }`,
            Object.fromEntries(others.map((a) => [a.name, filler(a.type)])),
          );
          t.equal(
            literal.errors?.[0]?.extensions.code,
            'request/invalid_characters',
            `${field.name}(${arg.name}: literal)`,
          );
        }
      }
    }
  }
  t.ok(sent > 40, `${sent} operations sent`);
});
