import pg from 'pg';
import t, { type Test } from 'tap';
import { createTestDatabase } from '../helpers/database.ts';

/**
 * The schema fits Citus sharded by account (docs/scaling.md): every tenant table carries
 * `account_id`, and its primary key, unique keys and foreign keys include it, so each
 * constraint is checked inside one shard and co-located tables join shard by shard. `accounts`
 * is distributed by its `id` (the same value). Tables without `account_id` are listed: they
 * become reference tables (copied to every node) or stay on the coordinator.
 */

/** Tables without account_id, and what each becomes under Citus. Anything new must be placed here. */
const NOT_SHARDED: Record<string, 'reference' | 'coordinator'> = {
  reference_rates: 'reference', // published central-bank rates, the same for every account
  provider_rate_budgets: 'coordinator', // one request budget per provider credential, shared by every worker
  kysely_migration: 'coordinator', // the migrator's bookkeeping
  kysely_migration_lock: 'coordinator',
};

/** The table distributed by a column other than account_id, and that column. */
const DISTRIBUTED_BY_OTHER: Record<string, string> = { accounts: 'id' };

interface Constraint {
  table: string;
  name: string;
  type: 'p' | 'u' | 'f';
  columns: string[];
  refTable: string | null;
  refColumns: string[];
}

/** Reads the catalog: the distributed tables, the others, and every key that breaks the rule. */
async function audit(client: pg.Client) {
  const tables = (
    await client.query<{ table: string; has_account: boolean }>(`
      SELECT c.relname AS table,
             EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id' AND NOT a.attisdropped) AS has_account
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       ORDER BY 1`)
  ).rows;
  const distributionColumn = new Map<string, string>();
  for (const { table, has_account } of tables) {
    if (DISTRIBUTED_BY_OTHER[table]) distributionColumn.set(table, DISTRIBUTED_BY_OTHER[table]);
    else if (has_account) distributionColumn.set(table, 'account_id');
  }
  const unsharded = tables.filter((x) => !distributionColumn.has(x.table)).map((x) => x.table);

  const constraints = (
    await client.query<Constraint>(`
      SELECT c.relname AS table, con.conname AS name, con.contype AS type,
             array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
             r.relname AS "refTable",
             array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS "refColumns"
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class r ON r.oid = con.confrelid
       WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')
      UNION ALL
      -- Unique indexes that no constraint owns (partial unique indexes).
      SELECT c.relname, i.relname, 'u',
             array(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o)::text[],
             NULL, '{}'::text[]
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND x.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`)
  ).rows;

  const problems: string[] = [];
  let checked = 0;
  for (const c of constraints) {
    const column = distributionColumn.get(c.table);
    if (!column) continue;
    checked++;
    const at = c.columns.indexOf(column);
    if (at < 0) {
      problems.push(`${c.table}.${c.name} (${c.type}: ${c.columns.join(', ')}) does not include ${column}`);
      continue;
    }
    if (c.type !== 'f' || !c.refTable) continue;
    const refColumn = distributionColumn.get(c.refTable);
    if (!refColumn) {
      if (NOT_SHARDED[c.refTable] !== 'reference')
        problems.push(`${c.table}.${c.name} references ${c.refTable}, neither distributed nor a reference table`);
      continue;
    }
    // Co-location: the distribution column must meet the other table's distribution column.
    if (c.refColumns[at] !== refColumn)
      problems.push(
        `${c.table}.${c.name}: ${column} meets ${c.refTable}.${c.refColumns[at]}, not ${c.refTable}.${refColumn}`,
      );
  }
  // Reference and coordinator tables never point at a distributed table (Citus refuses a
  // foreign key from a reference table to a distributed one).
  for (const c of constraints) {
    if (c.type === 'f' && !distributionColumn.has(c.table) && c.refTable && distributionColumn.has(c.refTable)) {
      problems.push(`${c.table}.${c.name}: a foreign key from an undistributed table to the distributed ${c.refTable}`);
    }
  }
  return { distributed: [...distributionColumn.keys()], unsharded, problems, checked };
}

async function connect(t: Test) {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  return client;
}

t.test('every tenant table: account_id in its primary key, unique keys and foreign keys', async (t) => {
  const { distributed, unsharded, problems, checked } = await audit(await connect(t));
  t.same(
    unsharded.sort(),
    Object.keys(NOT_SHARDED).sort(),
    'the tables without account_id are exactly the listed reference and coordinator tables',
  );
  t.comment(
    `reference tables: ${Object.entries(NOT_SHARDED)
      .filter(([, kind]) => kind === 'reference')
      .map(([name]) => name)
      .join(', ')}`,
  );
  t.comment(`distributed tables (${distributed.length}): ${distributed.join(', ')}`);
  t.ok(distributed.length >= 25, 'the tenant tables were found');
  t.same(problems, [], 'every key and foreign key of a tenant table includes the distribution column');
  t.ok(checked >= 60, `constraints checked: ${checked}`);
});

t.test('the audit catches keys that would not fit', async (t) => {
  const client = await connect(t);
  await client.query(
    `CREATE TABLE bad_notes (account_id text NOT NULL, id text PRIMARY KEY, number text, invoice_id text, rate_source text)`,
  );
  await client.query(`CREATE UNIQUE INDEX bad_notes_number ON bad_notes (number) WHERE number IS NOT NULL`);
  await client.query(
    `ALTER TABLE bad_notes ADD FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id)`,
  );
  await client.query(`CREATE TABLE bad_unsharded (id text PRIMARY KEY, account_id_ref text)`);
  await client.query(`ALTER TABLE bad_unsharded ADD FOREIGN KEY (account_id_ref) REFERENCES accounts (id)`);
  const { unsharded, problems } = await audit(client);
  t.ok(unsharded.includes('bad_unsharded'), 'a new table without account_id shows up as unplaced');
  t.match(problems.join('\n'), /bad_notes\.bad_notes_pkey .*does not include account_id/);
  t.match(problems.join('\n'), /bad_notes\.bad_notes_number .*does not include account_id/);
  t.match(problems.join('\n'), /bad_unsharded\.\S+: a foreign key from an undistributed table/);
  t.notMatch(problems.join('\n'), /bad_notes_account_id_invoice_id_fkey/, 'a foreign key on (account_id, …) is fine');
});
