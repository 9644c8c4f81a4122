import { pino } from 'pino';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { QUEUES, startWorker } from '../../src/jobs/worker.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

// The retention of settled reminders (REMINDER_RETENTION_DAYS, docs/operations.md#retention):
// what the purge removes, what it keeps, and a payment reversed after it, which must not send a
// purged step again.

t.test(
  'the purge removes the settled reminders of closed invoices, and a reversal does not send them again',
  async (t) => {
    const ctx = await setupApp(t);
    const kit = engineKit(ctx);
    const { call, clock } = kit;
    clock.set('2026-03-02T08:00:00Z');
    const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'UTC' });
    const policy = await kit.policy(acme);
    t.equal((await call(acme, 'PATCH', '/v1/account', { default_reminder_policy_id: policy.id })).statusCode, 200);
    const customer = await kit.customer(acme);
    const invoice = (number: string) =>
      kit.invoice(acme, { number, customer_id: customer.id, issue_date: '2026-03-01', due_date: '2026-03-10' });
    const paid = await invoice('R-PAID'); // paid after two steps went out: purged
    const open = await invoice('R-OPEN'); // still owed: kept
    const late = await invoice('R-LATE'); // paid, but its last step was settled recently: kept
    await kit.run();

    // −7 (3 March) and 0 (10 March) go out for all three.
    for (const at of ['2026-03-03T10:00:00Z', '2026-03-10T10:00:00Z']) {
      clock.set(at);
      await kit.run();
    }
    const pay = async (inv: { id: string }, on: string) => {
      const res = await call(acme, 'POST', '/v1/payments', {
        customer_id: customer.id,
        amount: 10000,
        currency: 'EUR',
        received_on: on,
        method: 'transfer',
        allocations: [{ invoice_id: inv.id, amount: 10000 }],
      });
      t.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    clock.set('2026-03-11T10:00:00Z');
    const payment = await pay(paid, '2026-03-11');
    await kit.run();
    // The open invoice's +7 step goes out on 17 March; the late one is paid on 20 April.
    clock.set('2026-03-17T10:00:00Z');
    await kit.run();
    clock.set('2026-04-20T10:00:00Z');
    await pay(late, '2026-04-20');
    await kit.run();

    const statuses = async (id: string) => (await kit.occurrences(acme, id)).map((o) => `${o.offset_days}:${o.status}`);
    t.same(await statuses(paid.id), ['-7:sent', '0:sent', '7:skipped'], 'paid after two steps; the third skipped');
    t.same(await statuses(open.id), ['-7:sent', '0:sent', '7:sent']);
    const paidReminders = await kit.occurrences(acme, paid.id);
    const sentEvents = async (ids: string[]) =>
      ctx.database.withAccount(acme.accountId, (trx) =>
        trx.selectFrom('events').select(['object_id', 'type']).where('object_id', 'in', ids).execute(),
      );
    t.ok((await sentEvents(paidReminders.map((o) => o.id))).length >= 3, 'their events exist before the purge');

    // 1 May, 30 days' retention: the paid invoice's reminders were settled and scheduled before 1 April.
    clock.set('2026-05-01T10:00:00Z');
    const purged = await ctx.services.reminders.retention.purge({ retentionDays: 30, eventRetentionDays: 30 });
    t.match(
      purged,
      { invoices: 1, reminders: 3, tombstones: 3 },
      'one invoice, its three reminders, three plan keys kept',
    );
    t.ok(purged.events >= 3, 'and the events about them');
    t.same(await statuses(paid.id), [], 'the paid invoice has no reminder rows left');
    t.same(await statuses(open.id), ['-7:sent', '0:sent', '7:sent'], 'an open invoice keeps its history');
    t.same(await statuses(late.id), ['-7:sent', '0:sent', '7:sent'], 'a recently settled one too');
    t.same(await sentEvents(paidReminders.map((o) => o.id)), [], 'no event about a purged reminder is left');
    const tombstone = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('reminder_plan_tombstones').selectAll().execute(),
    );
    t.equal(tombstone.length, 1);
    t.equal(tombstone[0]?.invoice_id, paid.id);
    t.equal(tombstone[0]?.digests.length, 3);
    t.match(
      await ctx.services.reminders.retention.purge({ retentionDays: 30, eventRetentionDays: 30 }),
      { invoices: 0, reminders: 0, events: 0 },
      'a second pass finds nothing more',
    );

    // The transfer bounces: the invoice is open again and replanned. Without the tombstone, its
    // three steps would be planned afresh (their times passed: a catch-up would go out at once).
    const reversed = await call(acme, 'POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Transfer bounced' });
    t.equal(reversed.statusCode, 200, reversed.body);
    t.match((await call(acme, 'GET', `/v1/invoices/${paid.id}`)).json(), { status: 'open', balance: 10000 });
    await kit.run();
    clock.set('2026-05-02T10:00:00Z');
    await kit.run();
    t.same(await statuses(paid.id), [], 'no purged step is planned again');
    const sentSince = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('events')
        .select('object_id')
        .where('type', '=', 'reminder.sent')
        .where('created_at', '>=', new Date('2026-05-01T00:00:00Z'))
        .execute(),
    );
    t.same(sentSince, [], 'nothing was sent after the reversal');
  },
);

t.test('a step the policy gained after the purge is planned for a reopened invoice', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-02T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'UTC' });
  const policy = await kit.policy(acme, [{ offset_days: 0, channel: 'webhook' }]);
  t.equal((await call(acme, 'PATCH', '/v1/account', { default_reminder_policy_id: policy.id })).statusCode, 200);
  const customer = await kit.customer(acme);
  const invoice = await kit.invoice(acme, {
    customer_id: customer.id,
    issue_date: '2026-03-01',
    due_date: '2026-03-10',
  });
  await kit.run();
  clock.set('2026-03-10T10:00:00Z');
  await kit.run();
  clock.set('2026-03-11T10:00:00Z');
  const payment = (
    await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: 10000,
      currency: 'EUR',
      received_on: '2026-03-11',
      method: 'transfer',
      allocations: [{ invoice_id: invoice.id, amount: 10000 }],
    })
  ).json();
  clock.set('2026-05-01T10:00:00Z');
  t.match(await ctx.services.reminders.retention.purge({ retentionDays: 30, eventRetentionDays: 30 }), {
    reminders: 1,
    tombstones: 1,
  });
  // A step 90 days after the due date (8 June), added since: it was never acted on.
  const steps = [
    { id: policy.steps[0].id, offset_days: 0, channel: 'webhook' },
    { offset_days: 90, channel: 'webhook' },
  ];
  t.equal((await call(acme, 'PATCH', `/v1/reminder_policies/${policy.id}`, { steps })).statusCode, 200);
  t.equal((await call(acme, 'POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Refund' })).statusCode, 200);
  await kit.run();
  t.same(
    (await kit.occurrences(acme, invoice.id)).map((o) => `${o.offset_days}:${o.status}`),
    ['90:scheduled'],
    'only the new step is planned; the purged one is not',
  );
});

t.test('REMINDER_RETENTION_DAYS: off by default, 30 days at least, run daily by the workers', async (t) => {
  t.equal(loadConfig({}).reminderRetentionDays, null, 'off by default');
  t.equal(loadConfig({ REMINDER_RETENTION_DAYS: 'off' }).reminderRetentionDays, null);
  t.equal(loadConfig({ REMINDER_RETENTION_DAYS: '400' }).reminderRetentionDays, 400);
  t.throws(() => loadConfig({ REMINDER_RETENTION_DAYS: '7' }), /REMINDER_RETENTION_DAYS must be an integer between 30/);
  t.throws(() => loadConfig({ REMINDER_RETENTION_DAYS: 'forever' }), /REMINDER_RETENTION_DAYS must be an integer/);

  const ctx = await setupApp(t);
  const worker = await startWorker({
    databaseUrl: ctx.databaseUrl,
    services: ctx.services,
    clock: ctx.clock,
    log: pino({ level: 'silent' }),
    timer: false,
    reminderRetentionDays: 400,
  });
  t.teardown(() => worker.stop());
  const schedules = await worker.boss.getSchedules();
  t.match(
    schedules.filter((s) => s.name === QUEUES.purgeReminders),
    [{ cron: '47 3 * * *' }],
    'a daily pass is scheduled',
  );
});
