import pg from 'pg';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { ADMIN_URL } from '../helpers/database.ts';

// PostgreSQL ends connections under the API (an administrator, a failover, a pooler's timeout):
// the process must live on, each request must get an answer, and retries must neither lose nor
// duplicate anything.

t.test('backends terminated mid-transaction under write load', async (t) => {
  const ctx = await setupApp(t, { env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  const acme = await ctx.createAccount();
  const database = new URL(ctx.databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  t.teardown(() => admin.end());

  let stop = false;
  let terminated = 0;
  const killer = (async () => {
    while (!stop) {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE pid = (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
                        AND state IN ('active', 'idle in transaction') ORDER BY random() LIMIT 1)`,
        [database],
      );
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  })();

  const N = 150;
  const statuses = new Map<number, number>();
  const create = (i: number, withKey = true) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { ...acme.auth, ...(withKey && { 'idempotency-key': `cust-${i}` }) },
      payload: { name: `Customer ${i}`, external_id: `ext-${i}` },
    });
  const pending = new Set(Array.from({ length: N }, (_, i) => i));
  const firstRound: Array<{ i: number; status: number }> = [];
  // GraphQL too: a resolver whose connection dies answers 503 database/unavailable.
  const G = 30;
  const viaGraphql = (i: number) =>
    ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: acme.auth,
      payload: {
        query: 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
        variables: { input: { name: `G ${i}`, externalId: `gql-${i}` } },
      },
    });
  const graphqlPending: number[] = [];
  const graphqlClient = (async () => {
    for (let i = 0; i < G; i++) {
      const res = await viaGraphql(i);
      const body = res.json();
      if (res.statusCode === 503) {
        t.equal(body.errors?.[0]?.extensions?.code, 'database/unavailable', `graphql ${i}`);
        t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After on GraphQL too');
        graphqlPending.push(i);
      } else if (res.statusCode !== 200 || body.errors) t.fail(`graphql ${i}: ${res.statusCode} ${res.body}`);
    }
  })();
  // Ten clients in parallel, each sending its share.
  await Promise.all(
    Array.from({ length: 10 }, async (_, worker) => {
      for (let i = worker; i < N; i += 10) {
        const res = await create(i);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        firstRound.push({ i, status: res.statusCode });
        if (res.statusCode === 503) {
          t.equal(res.json().code, 'database/unavailable');
          t.match(res.headers['content-type'], /^application\/problem\+json/);
          t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After');
        } else if (res.statusCode === 201) pending.delete(i);
        else t.fail(`customer ${i}: ${res.statusCode} ${res.body}`);
      }
    }),
  );
  await graphqlClient;
  t.comment(`GraphQL: ${graphqlPending.length} of ${G} answered 503`);
  stop = true;
  await killer;
  t.comment(`first round: ${JSON.stringify(Object.fromEntries(statuses))}, ${terminated} backends terminated`);
  t.ok(terminated > 0, 'backends were terminated during the load');
  t.ok((statuses.get(503) ?? 0) > 0, 'some requests met a dead connection');

  // Service resumes: the retries (same key) go through.
  const outcomeUnknown = new Set<string>();
  for (const i of pending) {
    let res = await create(i);
    // A COMMIT cut off on the wire keeps its key claimed (outcome unknown): the external id tells.
    if (res.statusCode === 409 && res.json().code === 'idempotency/in_progress') {
      outcomeUnknown.add(`cust-${i}`);
      res = await create(i, false);
    }
    t.ok(
      [200, 201].includes(res.statusCode) || res.json().code === 'customer/external_id_taken',
      `retry of ${i}: ${res.statusCode} ${res.body}`,
    );
  }

  for (const i of graphqlPending) {
    const body = (await viaGraphql(i)).json();
    t.ok(!body.errors || body.errors[0].extensions.code === 'customer/external_id_taken', `graphql retry of ${i}`);
  }
  const all: string[] = [];
  for (let after: string | undefined; ; ) {
    const page = (
      await ctx.app.inject({
        method: 'GET',
        url: `/v1/customers?limit=100${after ? `&starting_after=${after}` : ''}`,
        headers: acme.auth,
      })
    ).json();
    all.push(...page.data.map((c: { external_id: string }) => c.external_id));
    if (!page.has_more) break;
    after = page.data.at(-1).id;
  }
  t.equal(all.length, N + G, 'one customer per request: none lost, none twice');
  t.equal(new Set(all).size, N + G);
  // Keys are settled once the database is back (retried in the background for a failed settle).
  let stuck: string[] = [];
  for (let wait = 0; wait < 40; wait++) {
    const keys = await ctx.database.withSystem((trx) =>
      trx.selectFrom('idempotency_keys').select(['key', 'state']).execute(),
    );
    stuck = keys.filter((k) => k.state !== 'completed' && !outcomeUnknown.has(k.key)).map((k) => k.key);
    if (stuck.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  t.same(stuck, [], 'no key is left in progress but those of a COMMIT of unknown outcome');
  t.comment(`${outcomeUnknown.size} COMMITs of unknown outcome`);
});
