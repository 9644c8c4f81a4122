import { type Kysely, sql } from 'kysely';

// A visit to the debtor's page names no account, only a token. It was read in a transaction of
// the cross-account role (BEGIN, the query, COMMIT: three round trips on the busiest public
// page). This function answers the one cross-account question, which live link has this token
// hash (its account, customer and dates; never the sealed token), and nothing else, so the visit
// can be one autocommit statement that sets that account and reads the rest as the tenant, under
// row-level security. It runs as its owner (the migrating user: a member of relance_system, or
// a superuser), with a fixed search path; only the service's roles may call it.
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  await sql`
    CREATE FUNCTION relance_portal_link(hash text)
      RETURNS TABLE (account_id text, id text, customer_id text, created_at timestamptz, last_viewed_at timestamptz)
      LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1
      SET search_path = ${sql.id(schema)}, pg_temp
      AS $$
      BEGIN
        RETURN QUERY
          SELECT l.account_id, l.id, l.customer_id, l.created_at, l.last_viewed_at
            FROM portal_links l
           WHERE l.token_hash = hash AND l.revoked_at IS NULL
           LIMIT 1;
      END
      $$`.execute(db);
  await sql`REVOKE EXECUTE ON FUNCTION relance_portal_link(text) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION relance_portal_link(text) TO relance_app, relance_system`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION relance_portal_link(text)`.execute(db);
}
