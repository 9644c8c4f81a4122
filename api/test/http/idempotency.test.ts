import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { requestHash } from '../../src/http/idempotency.ts';
import { setupApp } from '../helpers/app.ts';

t.test('Idempotency-Key on POST', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const other = await ctx.createAccount({ name: 'Other' });
  const customer = (
    await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'Client' } })
  ).json();
  const post = (key: string, payload: object, who = acme) =>
    ctx.app.inject({ method: 'POST', url: '/v1/invoices', headers: { ...who.auth, 'idempotency-key': key }, payload });
  const count = async () =>
    (await ctx.app.inject({ method: 'GET', url: '/v1/invoices?limit=100', headers: acme.auth })).json().data.length;

  t.test('same key and body: the first response is replayed', async (t) => {
    const body = { number: 'I-1', customer_id: customer.id, subtotal: 1000 };
    const first = await post('k-1', body);
    const again = await post('k-1', body);
    t.equal(first.statusCode, 201);
    t.equal(again.statusCode, 201);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.equal(first.headers['idempotent-replayed'], undefined);
    t.equal(again.json().id, first.json().id);
    t.same(again.json(), first.json());
    t.equal(await count(), 1);
  });

  t.test('same key, different body: 409 key_reused, nothing created', async (t) => {
    const res = await post('k-1', { number: 'I-2', customer_id: customer.id, subtotal: 1000 });
    t.equal(res.statusCode, 409);
    t.equal(res.json().code, 'idempotency/key_reused');
    t.equal(await count(), 1);
  });

  t.test('keys are scoped per account', async (t) => {
    const otherCustomer = (
      await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: other.auth, payload: { name: 'C' } })
    ).json();
    const res = await post('k-1', { number: 'I-1', customer_id: otherCustomer.id, subtotal: 5 }, other);
    t.equal(res.statusCode, 201);
    t.equal(res.headers['idempotent-replayed'], undefined);
  });

  t.test('validation failures are not stored: the key stays usable', async (t) => {
    const bad = await post('k-2', { number: 'I-3', customer_id: customer.id, subtotal: -1 });
    t.equal(bad.statusCode, 400);
    const good = await post('k-2', { number: 'I-3', customer_id: customer.id, subtotal: 1 });
    t.equal(good.statusCode, 201);
  });

  t.test('domain errors are replayed like successes', async (t) => {
    const body = { number: 'I-1', customer_id: customer.id, subtotal: 1 };
    const first = await post('k-3', body);
    t.equal(first.json().code, 'invoice/number_taken');
    const again = await post('k-3', body);
    t.equal(again.statusCode, 409);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.equal(again.json().code, 'invoice/number_taken');
  });

  t.test('a request still running with the key: 409 in_progress', async (t) => {
    const body = { number: 'I-9', customer_id: customer.id, subtotal: 1 };
    await ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .insertInto('idempotency_keys')
        .values({
          account_id: acme.accountId,
          key: 'k-4',
          request_hash: requestHash('POST', '/v1/invoices', body),
          state: 'in_progress',
          created_at: ctx.clock.now(),
        })
        .execute(),
    );
    const res = await post('k-4', body);
    t.equal(res.statusCode, 409);
    t.equal(res.json().code, 'idempotency/in_progress');
    t.equal(res.headers['retry-after'], '1');
    t.equal(
      (
        await ctx.app.inject({ method: 'GET', url: '/v1/invoices?external_id=none&limit=100', headers: acme.auth })
      ).json().data.length,
      0,
    );
    const clock = ctx.clock as ManualClock;
    clock.advance(6 * 60 * 1000);
    const retried = await post('k-4', body);
    t.equal(retried.statusCode, 201, 'a request abandoned for 5 minutes can be retried');
  });

  t.test('concurrent duplicates: one invoice, the others replay or get in_progress', async (t) => {
    const before = await count();
    const body = { number: 'I-10', customer_id: customer.id, subtotal: 700 };
    const results = await Promise.all(Array.from({ length: 8 }, () => post('k-5', body)));
    const created = results.filter((r) => r.statusCode === 201);
    const busy = results.filter((r) => r.statusCode === 409);
    t.equal(created.length + busy.length, 8);
    t.ok(created.length >= 1);
    t.equal(new Set(created.map((r) => r.json().id)).size, 1, 'every success names the same invoice');
    for (const r of busy) {
      t.equal(r.json().code, 'idempotency/in_progress');
      t.equal(r.headers['retry-after'], '1');
    }
    t.equal(await count(), before + 1);
  });

  t.test('an invalid key is refused', async (t) => {
    const res = await post('x'.repeat(300), { number: 'I-11', customer_id: customer.id, subtotal: 1 });
    t.equal(res.statusCode, 400);
    t.equal(res.json().code, 'idempotency/invalid_key');
  });

  t.test('keys are kept 24 hours, then purged', async (t) => {
    const clock = ctx.clock as ManualClock;
    const body = { number: 'I-12', customer_id: customer.id, subtotal: 1 };
    const first = await post('k-24h', body);
    t.equal(first.statusCode, 201);
    clock.advance(23 * 3600 * 1000 + 59 * 60 * 1000);
    await ctx.services.idempotency.purgeExpired();
    const within = await post('k-24h', body);
    t.equal(within.headers['idempotent-replayed'], 'true', 'replayed at 23 h 59 min');
    clock.advance(2 * 60 * 1000);
    const purged = await ctx.services.idempotency.purgeExpired();
    t.ok(purged >= 1, `purged ${purged} keys past 24 hours`);
    const after = await post('k-24h', { ...body, number: 'I-13' });
    t.equal(after.statusCode, 201, 'after 24 hours the key is new again');
    t.not(after.json().id, first.json().id);
  });
});
