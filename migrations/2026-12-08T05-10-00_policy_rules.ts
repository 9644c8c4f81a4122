import { type Kysely, sql } from 'kysely';

// Policies assigned by rules: an account's ordered `policy_rules`, evaluated at planning between
// the customer's own policy and the account default. `policy_by_rule` returns the policy of the
// first rule whose every condition holds (a condition left out holds), or null.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts ADD COLUMN policy_rules jsonb`.execute(db);
  await sql`
    CREATE FUNCTION policy_by_rule(rules jsonb, risk text, kind text, currency text, amount bigint) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT r->>'policy_id'
        FROM jsonb_array_elements(coalesce(rules, '[]'::jsonb)) WITH ORDINALITY AS x(r, n)
       WHERE (NOT (r ? 'risk_levels') OR (r->'risk_levels') ? risk)
         AND (NOT (r ? 'customer_kinds') OR (r->'customer_kinds') ? kind)
         AND (NOT (r ? 'currencies') OR (r->'currencies') ? currency)
         AND (NOT (r ? 'amount_min') OR amount >= (r->>'amount_min')::bigint)
         AND (NOT (r ? 'amount_max') OR amount <= (r->>'amount_max')::bigint)
       ORDER BY n
       LIMIT 1
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION policy_by_rule(jsonb, text, text, text, bigint)`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN policy_rules`.execute(db);
}
