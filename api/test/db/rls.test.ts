import { sql } from 'kysely';
import t from 'tap';
import { createDatabase } from '../../src/store/database.ts';
import { liveActor, setupServices } from '../helpers/services.ts';

/** Shared by every account by design (no account_id): only the operator (or system) role writes them. */
const GLOBAL_TABLES = ['reference_rates', 'provider_rate_budgets'];

t.test('tenant isolation is enforced by the database', async (t) => {
  const { services, database, owner, url } = await setupServices(t, { poolSize: 4 });
  const a = await services.accounts.create({ name: 'A' });
  const b = await services.accounts.create({ name: 'B' });
  const actorA = liveActor(a.account.id);
  await services.customers.create(actorA, { name: 'Customer of A' });

  t.test('every table with account_id has forced RLS and a tenant policy', async (t) => {
    const { rows } = await owner.query(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
             (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                AND p.polroles @> ARRAY[(SELECT oid FROM pg_roles WHERE rolname = 'relance_app')]) AS app_policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id' AND NOT a.attisdropped)
              OR c.relname = 'accounts')`);
    t.ok(rows.length >= 7, `found ${rows.length} tenant tables`);
    for (const row of rows) {
      t.ok(row.relrowsecurity, `${row.relname}: RLS enabled`);
      t.ok(row.relforcerowsecurity, `${row.relname}: RLS forced`);
      t.equal(Number(row.app_policies), 1, `${row.relname}: one policy for relance_app`);
    }
  });

  t.test('every unique key of a tenant table includes account_id', async (t) => {
    const { rows } = await owner.query(`
      SELECT c.relname AS table, i.relname AS index
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND x.indisunique AND c.relname <> 'accounts' AND c.relname NOT LIKE 'kysely%'
         AND c.relname NOT IN (${GLOBAL_TABLES.map((name) => `'${name}'`).join(', ')})
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id'
                           AND a.attnum = ANY (x.indkey))`);
    t.same(rows, [], 'no unique index without account_id');
  });

  t.test('global tables are read-only for the tenant role', async (t) => {
    for (const table of GLOBAL_TABLES) {
      const { rows } = await owner.query(
        `SELECT has_table_privilege('relance_app', $1, 'SELECT') AS reads,
                has_table_privilege('relance_app', $1, 'INSERT') OR has_table_privilege('relance_app', $1, 'UPDATE')
                  OR has_table_privilege('relance_app', $1, 'DELETE') AS writes`,
        [table],
      );
      t.same(rows[0], { reads: true, writes: false }, `${table}: relance_app may only read`);
    }
  });

  t.test('the service role owns nothing and cannot bypass RLS', async (t) => {
    const { rows } = await owner.query(`
      SELECT r.rolname, r.rolbypassrls, r.rolsuper,
             (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
        FROM pg_roles r WHERE r.rolname IN ('relance_app', 'relance_system') ORDER BY r.rolname`);
    t.equal(rows.length, 2);
    for (const row of rows) {
      t.notOk(row.rolbypassrls, `${row.rolname} has no BYPASSRLS`);
      t.notOk(row.rolsuper, `${row.rolname} is not superuser`);
      t.equal(Number(row.owned), 0, `${row.rolname} owns no table`);
    }
  });

  t.test('with no account set, queries return no rows', async (t) => {
    const { rows } = await database.pool.query(
      'SELECT current_user AS role, (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM accounts) AS accounts',
    );
    t.equal(rows[0].role, 'relance_app');
    t.equal(Number(rows[0].customers), 0);
    t.equal(Number(rows[0].accounts), 0);
    const owned = await owner.query('SELECT count(*) AS n FROM customers');
    t.equal(Number(owned.rows[0].n), 1, 'the row exists');
  });

  t.test("account B's transaction sees none of A's rows and cannot write into A", async (t) => {
    const seen = await database.withAccount(b.account.id, (trx) => trx.selectFrom('customers').select('id').execute());
    t.same(seen, []);
    await t.rejects(
      database.withAccount(b.account.id, (trx) =>
        sql`INSERT INTO customers (account_id, id, name) VALUES (${a.account.id}, 'cus_x', 'intruder')`.execute(trx),
      ),
      /row-level security/,
    );
    const updated = await database.withAccount(b.account.id, (trx) =>
      trx.updateTable('customers').set({ name: 'hacked' }).where('account_id', '=', a.account.id).executeTakeFirst(),
    );
    t.equal(Number(updated.numUpdatedRows), 0);
  });

  t.test('the account setting does not leak to the next transaction on the same connection', async (t) => {
    const pool = createDatabase(url, { max: 1 });
    t.teardown(() => pool.close());
    const inside = await pool.withAccount(a.account.id, (trx) => trx.selectFrom('customers').select('id').execute());
    t.equal(inside.length, 1);
    const { rows } = await pool.pool.query('SELECT count(*) AS n FROM customers');
    t.equal(Number(rows[0].n), 0);
  });

  t.test('a connection starts with JIT compilation off, in tenant and system transactions', async (t) => {
    const pool = createDatabase(url, { max: 1 });
    t.teardown(() => pool.close());
    // Estimated above `jit_above_cost` (100,000 by default): compiled wherever JIT is on.
    const costly = 'EXPLAIN (FORMAT JSON) SELECT sum(g) FROM generate_series(1, 10000000) g';
    const compiled = (rows: unknown[]) =>
      (rows[0] as { 'QUERY PLAN': Array<{ JIT?: unknown }> })['QUERY PLAN'][0]!.JIT !== undefined;
    const tenant = await pool.withAccount(a.account.id, (trx) => sql.raw(costly).execute(trx));
    const system = await pool.withSystem((trx) => sql.raw(costly).execute(trx));
    t.equal(compiled(tenant.rows), false, 'not compiled in a tenant transaction');
    t.equal(compiled(system.rows), false, 'not compiled in a system transaction');
    // The same statement with the server's defaults, where the server has JIT: compiled.
    const server = await owner.query<{ on: boolean }>(
      "SELECT pg_jit_available() AND current_setting('jit') = 'on' AS on",
    );
    if (server.rows[0]!.on) t.equal(compiled((await owner.query(costly)).rows), true, 'compiled with the defaults');
  });
});
