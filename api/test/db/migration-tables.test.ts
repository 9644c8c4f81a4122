import pg from 'pg';
import t from 'tap';
import { createTestDatabase } from '../helpers/database.ts';

t.test('the application roles cannot write the migration history or take its lock', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  for (const role of ['relance_app', 'relance_system']) {
    await client.query(`SET ROLE ${role}`);
    for (const statement of [
      `INSERT INTO kysely_migration (name, timestamp) VALUES ('x', 'now')`,
      `DELETE FROM kysely_migration`,
      `UPDATE kysely_migration_lock SET is_locked = 1`,
      `TRUNCATE kysely_migration_lock`,
    ]) {
      await t.rejects(client.query(statement), { code: '42501' }, `${role}: ${statement}`);
    }
    await client.query('RESET ROLE');
  }
  const { rows } = await client.query('SELECT count(*)::int AS n FROM kysely_migration');
  t.ok(rows[0].n > 0, 'the history is intact');
});
