import fc from 'fast-check';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { FAKE_ID, operations, resolve, sample, type Operation, type SchemaNode } from '../helpers/openapi.ts';

// Property-based fuzzing from the OpenAPI document: any operation, with odd path ids, odd query
// values, and bodies that are valid, mutated, random JSON or broken JSON. Whatever comes in, the
// answer is a success or a problem document with a code, never a 5xx, and never slow.
// Deterministic (fixed seed) and bounded in time: a failure replays with the same seed.
const SEED = 20261205;
const TIME_LIMIT_MS = 50_000;
const SLOW_MS = 5_000;

type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };

interface FuzzRequest {
  op: Operation;
  path: Record<string, string>;
  query: Record<string, string>;
  body: Body;
  idempotencyKey: string | undefined;
}

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'null',
    'true',
    '[]',
    '{}',
    '%',
    '%zz',
    '..',
    '../..',
    'a/b',
    '\\',
    "'",
    '"',
    '\u0000',
    '\ud800',
    '\uffff',
    'x'.repeat(5000),
    '\u202e',
    'inv_',
    FAKE_ID,
  ),
);
const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddText,
  fc.integer(),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 31,
    -(2 ** 31) - 1,
    1e21,
    0.5,
    -0,
    2 ** 53, // the first integer past MAX_SAFE_INTEGER
  ),
  fc.constantFrom(
    '2026-02-30',
    '0000-01-01',
    '9999-12-31',
    '2026-13-01',
    '2026-03-02T25:00:00Z',
    '10000-01-01',
    'EUR',
    'XXX',
    'eur',
  ),
);

/** The schema's sample with one member (at any depth) replaced, removed, or an unknown one added. */
function mutate(schema: SchemaNode): fc.Arbitrary<unknown> {
  const base = sample(schema) as Record<string, unknown>;
  const props = Object.keys(resolve(schema).properties ?? {});
  if (props.length === 0) return fc.constant(base);
  return fc
    .tuple(
      fc.constantFrom(...props),
      fc.oneof(oddJson, fc.constant(undefined)),
      fc.option(fc.tuple(fc.string({ maxLength: 10 }), oddJson)),
    )
    .map(([name, value, extra]) => {
      const body: Record<string, unknown> = { ...base };
      if (value === undefined) delete body[name];
      else body[name] = value;
      if (extra) body[extra[0]] = extra[1];
      return body;
    });
}

function requestFor(op: Operation, realIds: string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const pathValue = fc.oneof(fc.constantFrom(...realIds, FAKE_ID), oddText);
  const path = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        p.schema.enum ? fc.oneof(fc.constantFrom(...p.schema.enum.map(String)), pathValue) : pathValue,
      ]),
    ),
  );
  const queryValue = (schema: SchemaNode) =>
    fc.oneof(
      fc.constant(String(sample(schema) ?? '')),
      fc.constantFrom(...realIds),
      oddText.map(String),
      fc.integer().map(String),
    );
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, queryValue(p.schema)])), {
    requiredKeys: [],
  }) as fc.Arbitrary<Record<string, string>>;
  const body: fc.Arbitrary<Body> = op.body
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constant(sample(op.body)).map((value) => ({ kind: 'json' as const, value })) },
        { weight: 5, arbitrary: mutate(op.body).map((value) => ({ kind: 'json' as const, value })) },
        { weight: 1, arbitrary: oddJson.map((value) => ({ kind: 'json' as const, value })) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.nat(), fc.string({ maxLength: 8 })).map(([cut, junk]) => {
            const text = JSON.stringify(sample(op.body!));
            return {
              kind: 'raw' as const,
              text: text.slice(0, cut % (text.length + 1)) + junk,
              type: 'application/json',
            };
          }),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml')
            .map((type) => ({ kind: 'raw' as const, text: 'a=1', type })),
        },
      )
    : fc.constant({ kind: 'none' as const });
  return fc.record({
    op: fc.constant(op),
    path,
    query,
    body,
    idempotencyKey: fc.option(fc.oneof(fc.uuid(), oddText), { nil: undefined }),
  });
}

/** Percent-encoded; a lone surrogate becomes the bytes it would have in CESU-8, invalid UTF-8 on the wire. */
function encodeSegment(value: string): string {
  return [...value]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (c.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 63)).toString(16)}%${(0x80 | (code & 63)).toString(16)}`.toUpperCase();
      return encodeURIComponent(c);
    })
    .join('');
}

function urlOf(req: FuzzRequest): string {
  const path = req.op.template.replace(
    /\{([^}]+)\}/g,
    (_m, name: string) => encodeSegment(req.path[name] ?? FAKE_ID) || 'x',
  );
  const query = new URLSearchParams(req.query).toString();
  return query ? `${path}?${query}` : path;
}

t.test('fuzzing every operation of the OpenAPI document', async (t) => {
  const ctx = await setupApp(t, { env: { RATE_LIMIT_PER_MINUTE: '10000000' } });
  const acme = await ctx.createAccount();
  const call = (method: 'POST', url: string, payload: object) =>
    ctx.app.inject({ method, url, headers: acme.auth, payload });
  // Real objects, so fuzzed requests reach past "not found" too.
  const customer = (await call('POST', '/v1/customers', { name: 'Fuzz', email: 'fuzz@example.com' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      customer_id: customer.id,
      number: 'FZ-1',
      currency: 'EUR',
      issue_date: '2026-03-01',
      due_date: '2026-03-31',
      line_items: [{ description: 'Work', quantity: 1, unit_amount: 10_000 }],
    })
  ).json();
  const realIds = [customer.id, invoice.id].filter(Boolean) as string[];
  t.equal(realIds.length, 2, 'fixtures created');

  const ops = operations().filter((op) => op.secured);
  const arbitrary = fc.oneof(...ops.map((op) => requestFor(op, realIds)));
  let runs = 0;
  const statuses = new Map<number, number>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (req) => {
      runs++;
      const headers: Record<string, string> = { ...acme.auth };
      if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey.replace(/[\r\n\0]/g, '');
      let payload: string | undefined;
      if (req.body.kind === 'json') {
        payload = JSON.stringify(req.body.value) ?? 'null';
        headers['content-type'] = 'application/json';
      } else if (req.body.kind === 'raw') {
        payload = req.body.text;
        headers['content-type'] = req.body.type;
      }
      const t0 = performance.now();
      const res = await ctx.app.inject({
        method: req.op.method as 'POST',
        url: urlOf(req),
        headers,
        ...(payload !== undefined && { payload }),
      });
      const elapsed = performance.now() - t0;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const label = `${req.op.method} ${urlOf(req).slice(0, 200)} ${payload?.slice(0, 200) ?? ''}`;
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${label}: ${res.body.slice(0, 300)}`);
      if (elapsed > SLOW_MS) throw new Error(`${Math.round(elapsed)} ms for ${label}`);
      if (res.statusCode >= 400) {
        if (!String(res.headers['content-type']).startsWith('application/problem+json'))
          throw new Error(`not problem+json: ${res.statusCode} ${label}`);
        const problem = res.json() as { code?: unknown; status?: unknown };
        if (typeof problem.code !== 'string' || problem.status !== res.statusCode)
          throw new Error(`problem without code/status: ${res.body.slice(0, 200)}`);
      }
    }),
    {
      seed: SEED,
      numRuns: 8_000,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      markInterruptAsFailure: false,
      endOnFailure: false,
    },
  );
  t.comment(
    `${runs} requests in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  t.ok(runs > 300, 'enough requests ran within the time limit');
  t.ok(
    [...statuses.keys()].some((s) => s < 300),
    'some requests were accepted (the fuzzer reaches the handlers)',
  );
});
