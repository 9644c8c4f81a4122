import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

t.test(
  'a provider failure is retried with the stored bytes and the same key; a refusal fails the reminder',
  async (t) => {
    const ctx = await setupApp(t);
    const resend = await startResendStandIn();
    t.teardown(() => resend.close());
    const clock = ctx.clock as ManualClock;
    clock.set('2026-03-02T06:00:00Z');
    const services = createServices({
      database: ctx.database,
      clock,
      transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
    });
    const acme = await ctx.createAccount({ time_zone: 'UTC' });
    await ctx.app.inject({
      method: 'PATCH',
      url: '/v1/account',
      headers: acme.auth,
      payload: { sender_email: 'billing@acme.example', sender_name: 'Acme' },
    });
    const customer = (
      await ctx.app.inject({
        method: 'POST',
        url: '/v1/customers',
        headers: acme.auth,
        payload: { name: 'C', email: 'c@example.com' },
      })
    ).json();
    const invoice = (
      await ctx.app.inject({
        method: 'POST',
        url: '/v1/invoices',
        headers: acme.auth,
        payload: {
          number: 'PR-1',
          customer_id: customer.id,
          subtotal: 100,
          issue_date: '2026-03-01',
          due_date: '2026-03-02',
        },
      })
    ).json();
    const run = () => services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
    const dueStep = () =>
      ctx.database.withAccount(acme.accountId, (trx) =>
        trx
          .selectFrom('reminder_occurrences')
          .select(['id', 'status', 'attempts', 'message_id'])
          .where('invoice_id', '=', invoice.id)
          .where('offset_days', '=', 0)
          .executeTakeFirstOrThrow(),
      );

    resend.failNext(2, 500);
    clock.set('2026-03-02T10:00:00Z');
    await run();
    t.match(await dueStep(), { status: 'sending', attempts: 1 }, 'first attempt failed: waiting to retry');
    clock.set('2026-03-02T10:01:00Z');
    await run();
    t.match(await dueStep(), { status: 'sending', attempts: 2 }, 'second attempt failed too (after 30 s)');
    clock.set('2026-03-02T10:03:00Z');
    await run();
    const sent = await dueStep();
    t.match(sent, { status: 'sent', attempts: 3 });
    const emails = resend.requests.filter((r) => r.path === '/emails');
    t.equal(emails.length, 3);
    t.same(
      new Set(emails.map((r) => r.headers['idempotency-key'])),
      new Set([sent.id]),
      'every attempt under the reminder id',
    );
    t.same(new Set(emails.map((r) => JSON.stringify(r.body))).size, 1, 'the same stored bytes each time');
    const message = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('messages').selectAll().where('id', '=', String(sent.message_id)).executeTakeFirstOrThrow(),
    );
    t.match(message, { status: 'sent', from_address: 'Acme <billing@acme.example>' });

    t.test('a refusal (422) is final: reminder.failed, no retry', async (t) => {
      const other = (
        await ctx.app.inject({
          method: 'POST',
          url: '/v1/invoices',
          headers: acme.auth,
          payload: {
            number: 'PR-2',
            customer_id: customer.id,
            subtotal: 100,
            issue_date: '2026-03-01',
            due_date: '2026-03-09',
          },
        })
      ).json();
      resend.failNext(1, 422);
      clock.set('2026-03-09T10:00:00Z');
      await run();
      const step = await ctx.database.withAccount(acme.accountId, (trx) =>
        trx
          .selectFrom('reminder_occurrences')
          .select(['status', 'failure'])
          .where('invoice_id', '=', other.id)
          .where('offset_days', '=', 0)
          .executeTakeFirstOrThrow(),
      );
      t.equal(step.status, 'failed');
      const failed = await ctx.database.withAccount(acme.accountId, (trx) =>
        trx.selectFrom('events').select('type').where('type', '=', 'reminder.failed').execute(),
      );
      t.ok(failed.length >= 1);
    });
  },
);
