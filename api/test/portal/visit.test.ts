import { createHash } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createDatabase, type StatementScope } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The busiest public page costs one statement, one round trip, outside any transaction
 * (issue 18: 50 ms at p99 under 50 concurrent visits): the link's account is found by a
 * security-definer function that answers nothing else, and the rest is read as that tenant.
 */
t.test('a visit is one statement that reveals only its own customer', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  const sent: Array<{ text: string; scope: StatementScope }> = [];
  const database = createDatabase(testDb.url, { max: 4, onStatement: (text, scope) => sent.push({ text, scope }) });
  t.teardown(() => database.close());
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), database, clock });
  t.teardown(() => app.close());
  const { services } = app;

  const book = async (name: string) => {
    const { account } = await services.accounts.create({ name, time_zone: 'Europe/Paris' });
    const actor = {
      accountId: account.id,
      keyId: null,
      readOnly: false,
      mode: 'live' as const,
      timeZone: 'Europe/Paris',
    };
    const customer = await services.customers.create(actor, { name: `${name} client`, email: 'ap@client.example' });
    await services.invoices.create(actor, {
      number: `${name}-1`,
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 50_000,
      issue_date: '2026-01-15',
      due_date: '2026-02-14',
    });
    const link = await services.portal.link(actor, customer.id);
    return { actor, customer, token: link.url.split('/p/')[1] ?? '' };
  };
  const a = await book('Alpha');
  const b = await book('Bravo');
  const visit = (token: string) => app.inject({ method: 'GET', url: `/p/${token}` });

  const first = await visit(a.token);
  t.equal(first.statusCode, 200);
  t.match(first.body, 'Alpha client');
  t.notMatch(first.body, 'Bravo', "nothing of the other account's");
  const other = await visit(b.token);
  t.match(other.body, 'Bravo client');
  t.notMatch(other.body, 'Alpha');

  t.test('a visit within the hour: one statement, outside a transaction', async (t) => {
    sent.length = 0;
    const again = await visit(a.token);
    t.equal(again.statusCode, 200);
    t.equal(again.body, first.body, 'the page kept rendered');
    t.equal(sent.length, 1, sent.map((s) => s.text.slice(0, 60)).join(' / '));
    t.equal(sent[0]?.scope, 'none', 'no BEGIN, no COMMIT, no cross-account transaction');
    t.match(sent[0]?.text, /relance_portal_link\(\$1\)/);
  });

  t.test('portal.viewed: at most once an hour, written by the visit that notes it', async (t) => {
    const viewed = async () => (await services.events.list(a.actor, { type: 'portal.viewed', limit: 10 })).data.length;
    t.equal(await viewed(), 1, 'the first visit');
    clock.advance(61 * 60_000);
    await visit(a.token);
    await visit(a.token);
    t.equal(await viewed(), 2, 'once more an hour later, not twice');
  });

  t.test('any change of the account or customer row shows at once', async (t) => {
    // Through no service, so nothing but the row itself changes (no updated_at bumped).
    await database.withSystem((trx) =>
      trx.updateTable('customers').set({ name: 'Alpha renamed' }).where('id', '=', a.customer.id).execute(),
    );
    t.match((await visit(a.token)).body, 'Alpha renamed');
    await database.withSystem((trx) =>
      trx
        .updateTable('accounts')
        .set({ payment_instructions: 'IBAN FR00 CHANGED' })
        .where('id', '=', a.actor.accountId)
        .execute(),
    );
    t.match((await visit(a.token)).body, 'IBAN FR00 CHANGED');
  });

  t.test('the lookup function answers the live link of a hash, and nothing else', async (t) => {
    // As the service connects: the tenant role, no account set.
    const client = new pg.Client({ connectionString: testDb.url, options: '-c role=relance_app' });
    await client.connect();
    t.teardown(() => client.end());
    const lookup = async (hash: string) =>
      (await client.query('SELECT * FROM relance_portal_link($1)', [hash])).rows as Array<Record<string, unknown>>;
    const [found] = await lookup(hashOf(a.token));
    t.same(Object.keys(found ?? {}).sort(), ['account_id', 'created_at', 'customer_id', 'id', 'last_viewed_at']);
    t.match(found, { account_id: a.actor.accountId, customer_id: a.customer.id });
    t.match((await lookup(hashOf(b.token)))[0], { account_id: b.actor.accountId, customer_id: b.customer.id });
    t.same(await lookup(hashOf('x'.repeat(43))), [], 'an unknown hash');
    t.equal((await client.query('SELECT count(*)::int AS n FROM portal_links')).rows[0]?.n, 0, 'no link readable');
    const { rows } = await client.query(`
      SELECT p.prosecdef, p.proconfig,
             EXISTS (SELECT 1 FROM aclexplode(p.proacl) x WHERE x.grantee = 0) AS public_executes
        FROM pg_proc p WHERE p.proname = 'relance_portal_link'`);
    t.match(rows[0], { prosecdef: true, proconfig: [/^search_path=/], public_executes: false });

    await services.portal.revoke(a.actor, a.customer.id);
    t.same(await lookup(hashOf(a.token)), [], 'revoked: nothing');
    t.equal((await visit(a.token)).statusCode, 404, 'and the page is gone at once');
    t.equal((await visit(b.token)).statusCode, 200, 'the other link still opens');
  });
});
