import pg from 'pg';
import t from 'tap';
import { lockNextInvoicesToPlan } from '../../src/domain/reminders/planning.repository.ts';
import { liveActor, setupServices } from '../helpers/services.ts';

// The planner's queue (`invoice_replans`): who queues an invoice, what the planner takes off it,
// and a change queued while the planner holds the invoice's queue row, which must not be lost.

t.test('the planner queue', async (t) => {
  const { services, database, owner, url } = await setupServices(t, { now: '2026-05-01T10:00:00Z', poolSize: 4 });
  const { account } = await services.accounts.create({ name: 'Acme', time_zone: 'UTC' });
  const actor = liveActor(account.id);
  const scheduler = services.reminders.scheduler;
  const live = () => ({ kind: 'live' as const, now: new Date('2026-05-01T10:00:00Z') });
  const customer = await services.customers.create(actor, { name: 'Customer', email: 'ap@customer.example' });
  const invoice = (number: string, extra: Record<string, unknown> = {}) =>
    services.invoices.create(actor, {
      number,
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 1000,
      issue_date: '2026-04-01',
      due_date: '2026-05-20',
      ...extra,
    });
  const address = (country: string) => ({ line1: '1 Main Street', city: 'Capital', country });
  const queued = async () =>
    (await owner.query<{ invoice_id: string }>('SELECT invoice_id FROM invoice_replans ORDER BY invoice_id')).rows.map(
      (r) => r.invoice_id,
    );
  const scheduledOf = async (invoiceId: string) =>
    Number(
      (
        await owner.query("SELECT count(*) FROM reminder_occurrences WHERE invoice_id = $1 AND status = 'scheduled'", [
          invoiceId,
        ])
      ).rows[0].count,
    );

  const a = (await invoice('F-1')).invoice;
  const b = (await invoice('F-2')).invoice;
  const draft = (await invoice('F-3', { status: 'draft' })).invoice;
  t.same(await queued(), [a.id, b.id].sort(), 'an open invoice is queued when registered, a draft is not');
  t.notOk((await queued()).includes(draft.id));

  await t.test('the planner plans what it takes off the queue', async (t) => {
    t.equal(await scheduler.planPending(live()), 2);
    t.same(await queued(), [], 'a planned invoice leaves the queue');
    t.ok((await scheduledOf(a.id)) > 0, 'its reminders are planned');
  });

  await t.test('an invoice another transaction holds is skipped and stays queued', async (t) => {
    await services.customers.update(actor, customer.id, { billing_address: address('FR') });
    t.same(await queued(), [a.id, b.id].sort(), 'a new country queues the customer’s open invoices');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    t.teardown(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM invoices WHERE id = $1 FOR UPDATE', [a.id]);
    t.equal(await scheduler.planPending(live()), 1, 'the invoice whose row is held is left for later');
    t.same(await queued(), [a.id]);
    await holder.query('COMMIT');
    t.equal(await scheduler.planPending(live()), 1);
    t.same(await queued(), []);
  });

  await t.test('a change queued while a replan holds the queue row is planned again', async (t) => {
    await services.customers.update(actor, customer.id, { billing_address: address('DE') });
    t.same(await queued(), [a.id, b.id].sort());
    // A replan in progress: it holds the queue rows, then deletes them once planned.
    const planner = new pg.Client({ connectionString: url });
    await planner.connect();
    t.teardown(() => planner.end());
    await planner.query('BEGIN');
    await planner.query('SELECT invoice_id FROM invoice_replans WHERE account_id = $1 FOR UPDATE', [account.id]);
    // Meanwhile the customer moves again: its invoices are queued again, which must wait.
    let done = false;
    const update = services.customers
      .update(actor, customer.id, { billing_address: address('BE') })
      .then(() => (done = true));
    for (let waited = 0; ; waited += 20) {
      const { rows } = await owner.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%invoice_replans%'",
      );
      if (rows[0].n > 0) break;
      if (waited > 10_000) throw new Error('the second change never waited for the queue rows');
      await new Promise((r) => setTimeout(r, 20));
    }
    t.notOk(done, 'the change waits for the replan');
    await planner.query('DELETE FROM invoice_replans WHERE account_id = $1', [account.id]);
    await planner.query('COMMIT');
    await update;
    t.same(await queued(), [a.id, b.id].sort(), 'the change made during the replan is queued again');
    t.equal(await scheduler.planPending(live()), 2);
  });

  await t.test('a payment that settles an invoice queues it; its reminders are skipped', async (t) => {
    t.ok((await scheduledOf(b.id)) > 0);
    const pay = (amount: number) =>
      services.payments.create(actor, {
        customer_id: customer.id,
        amount,
        currency: 'EUR',
        method: 'transfer',
        allocations: [{ invoice_id: b.id, amount }],
      });
    await pay(400);
    t.same(await queued(), [], 'a partial payment changes nothing the plan reads');
    await pay(600);
    t.same(await queued(), [b.id], 'the payment that settles it queues it');
    t.equal(await scheduler.planPending(live()), 1);
    t.equal(await scheduledOf(b.id), 0, 'nothing more is scheduled for a paid invoice');
  });

  await t.test('a queued invoice’s row goes with the invoice', async (t) => {
    await services.customers.update(actor, customer.id, { billing_address: address('NL') });
    t.same(await queued(), [a.id]);
    await owner.query('DELETE FROM invoices WHERE id = $1', [a.id]);
    t.same(await queued(), [], 'the queue row goes with its invoice');
  });

  await t.test('a pass takes the queue in id order from its cursor', async (t) => {
    const [x, y, z] = [
      (await invoice('F-4')).invoice.id,
      (await invoice('F-5')).invoice.id,
      (await invoice('F-6')).invoice.id,
    ];
    t.same(await queued(), [x, y, z].sort());
    const pick = (after: string, limit: number) =>
      database.withAccount(account.id, (trx) => lockNextInvoicesToPlan(trx, account.id, after, limit));
    const first = await pick('', 2);
    t.same(first.ids, [x, y].sort(), 'the first batch, from the start');
    t.equal(first.last, first.ids[1], 'the cursor is the batch’s greatest id');
    // x is queued again behind the cursor (planned, then changed) while the pass goes on.
    await owner.query('DELETE FROM invoice_replans WHERE invoice_id = $1', [x]);
    await owner.query('INSERT INTO invoice_replans (account_id, invoice_id, flagged_at) VALUES ($1, $2, now())', [
      account.id,
      x,
    ]);
    const second = await pick(first.last!, 2);
    t.same(second, { ids: [z], last: z }, 'the next batch starts past the cursor');
    t.same(await pick(z, 2), { ids: [], last: null }, 'past the last, nothing: the pass ends');
    t.same((await pick('', 5)).ids, [x, y, z].sort(), 'the next pass starts from the beginning and finds it');
    t.equal(await scheduler.planPending(live()), 3, 'a pass plans them all');
    t.same(await queued(), []);
  });
});
