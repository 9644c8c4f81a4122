import { AsyncLocalStorage } from 'node:async_hooks';
import { type Compilable, CompiledQuery, Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './db-types.ts';
import { ACCOUNT_CONTEXT_CTE, ACCOUNT_SET } from './one-statement.ts';
import { isConnectionLost, markCommitOutcomeUnknown } from './pg-errors.ts';

export type Db = Kysely<DB>;

/** Postgres types as the domain wants them: int8 as number (amounts stay far below 2^53), dates as 'YYYY-MM-DD'. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    if (oid === 1082) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

const ACCOUNT_ID = /^acct_[0-9a-z]{26}$/;

export interface Database {
  /** Runs `fn` in one transaction as the tenant role, seeing only `accountId`'s rows. */
  withAccount<T>(accountId: string, fn: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs one SELECT as the tenant `accountId` in ONE statement and one round trip, without an
   * explicit transaction: the statement sets the account for itself in a CTE (see
   * `one-statement.ts`). `build` gets a query builder and `accountSet`, the condition every scan
   * of a tenant table in the query must carry (in the WHERE of the outer query it gates them all).
   * For reads that need no lock and no second statement: lists, and the batches of related objects.
   */
  readAsAccount<R>(accountId: string, build: (db: Db, accountSet: RawBuilder<boolean>) => Compilable<R>): Promise<R[]>;
  /** Runs `fn` in one transaction as the cross-account role. Never give it tenant-chosen ids unchecked. */
  withSystem<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** Which kind of transaction a statement ran in: a tenant's, the system's, or none (one-statement paths). */
export type StatementScope = 'account' | 'system' | 'none';

/** Sees every statement sent, with the transaction kind it ran in (tests: the account-filter audit). */
export type StatementRecorder = (text: string, scope: StatementScope) => void;

export function createDatabase(
  connectionString: string,
  options: { max?: number; onStatement?: StatementRecorder; onConnectionError?: (error: Error) => void } = {},
): Database {
  // Every connection starts as the tenant role (set in the startup packet, so no query races it):
  // outside a transaction that names an account, it sees nothing. JIT compilation off: it pays
  // for long analytical queries, and the service sends short statements that read by key. Its
  // trigger is the planner's cost estimate, not the work: on a large account the estimates of a
  // planning batch's statements crossed `jit_above_cost` (100,000 by default), and each compiled
  // its expressions for 20–30 ms to run a few milliseconds of index probes (docs/scaling.md, "JIT").
  // https://www.postgresql.org/docs/current/jit-decision.html
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types,
    options: '-c role=relance_app -c jit=off',
  });
  // pg-pool listens for errors of idle clients only: a client checked out (a transaction open)
  // whose connection drops (a terminated backend, a failover, a restart) would emit 'error' with
  // nobody listening, which ends the process. Its pending statement fails with the same error,
  // which the request or job then answers (503 database/unavailable, a retried job), and the
  // pool discards the broken client when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error));
  });
  const scope = new AsyncLocalStorage<StatementScope>();
  if (options.onStatement) recordStatements(pool, scope, options.onStatement);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });

  // BEGIN, the role and the account travel in one round trip (simple query protocol), so a
  // tenant transaction costs one round trip more than the statements it runs.
  const run = <T>(kind: StatementScope, prelude: string, fn: (trx: Db) => Promise<T>): Promise<T> =>
    scope.run(kind, () =>
      db.connection().execute(async (conn) => {
        await sql.raw(prelude).execute(conn);
        let result: T;
        try {
          result = await fn(conn);
        } catch (error) {
          await sql
            .raw('ROLLBACK')
            .execute(conn)
            .catch(() => {});
          throw error;
        }
        try {
          await sql.raw('COMMIT').execute(conn);
        } catch (error) {
          // The connection died with COMMIT on the wire: the transaction may or may not have
          // committed. Callers that would let the client retry (an idempotency key) must not.
          if (isConnectionLost(error)) markCommitOutcomeUnknown(error);
          throw error;
        }
        return result;
      }),
    );

  return {
    pool,
    withAccount(accountId, fn) {
      if (!ACCOUNT_ID.test(accountId)) throw new Error(`invalid account id: ${accountId}`);
      return run('account', `BEGIN; SELECT set_config('relance.account_id', '${accountId}', true)`, fn);
    },
    async readAsAccount<R>(
      accountId: string,
      build: (db: Db, accountSet: RawBuilder<boolean>) => Compilable<R>,
    ): Promise<R[]> {
      if (!ACCOUNT_ID.test(accountId)) throw new Error(`invalid account id: ${accountId}`);
      const compiled = build(db, sql<boolean>`${sql.raw(ACCOUNT_SET)}`).compile();
      if (!/^select /i.test(compiled.sql))
        throw new Error('readAsAccount takes one SELECT without a WITH clause of its own');
      // The account is $1; the query's own parameters move up by one.
      const text = `WITH ${ACCOUNT_CONTEXT_CTE} ${compiled.sql.replace(/\$(\d+)/g, (_match, n: string) => `$${Number(n) + 1}`)}`;
      const result = await db.executeQuery<R>(CompiledQuery.raw(text, [accountId, ...compiled.parameters]));
      return result.rows;
    },
    withSystem(fn) {
      return run(
        'system',
        `BEGIN; SET LOCAL ROLE relance_system; SELECT set_config('relance.account_id', '', true)`,
        fn,
      );
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Hands every statement a client of the pool sends to `record`, with the scope it ran in. */
function recordStatements(pool: pg.Pool, scope: AsyncLocalStorage<StatementScope>, record: StatementRecorder): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const [first] = args;
      const text = typeof first === 'string' ? first : (first as { text?: string } | null)?.text;
      if (text) record(text, scope.getStore() ?? 'none');
      return query(...args);
    };
  });
}
