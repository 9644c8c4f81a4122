import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

t.test('failed reminders go back in the queue through REST and GraphQL, once', async (t) => {
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
  const gql = graphqlClient(ctx, acme.auth);
  const call = (method: 'POST' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: acme.auth, ...(payload && { payload }) });
  // One customer owes every invoice: lift its contact budget, this test is about retries.
  await call('PATCH', '/v1/account', {
    sender_email: 'billing@acme.example',
    sender_name: 'Acme',
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  const invoices: Array<{ id: string }> = [];
  for (const n of [1, 2])
    invoices.push(
      (
        await call('POST', '/v1/invoices', {
          number: `RT-${n}`,
          customer_id: customer.id,
          subtotal: 100,
          issue_date: '2026-03-01',
          due_date: '2026-03-02',
        })
      ).json(),
    );
  const run = () => services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const dueStep = (invoiceId: string) =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('reminder_occurrences')
        .select(['id', 'status', 'attempts', 'requeues', 'failure'])
        .where('invoice_id', '=', invoiceId)
        .where('offset_days', '=', 0)
        .executeTakeFirstOrThrow(),
    );
  const requeuedEvents = () =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('events').select(['object_id']).where('type', '=', 'reminder.requeued').execute(),
    );

  // Both refused (a one-off refusal at the provider) in one batch.
  resend.failNext(1, 422, 'validation_error', 'The domain is not verified.');
  clock.set('2026-03-02T10:00:00Z');
  await run();
  const [first, second] = [await dueStep(invoices[0]!.id), await dueStep(invoices[1]!.id)];
  t.match([first, second], [{ status: 'failed' }, { status: 'failed' }], 'a refusal fails the reminder');

  t.test('REST: one reminder', async (t) => {
    const retried = await call('POST', `/v1/reminders/${first.id}/retry`);
    t.equal(retried.statusCode, 200);
    t.match(retried.json(), {
      object: 'reminder_delivery',
      id: first.id,
      status: 'sending',
      requeues: 1,
      failure: null,
    });
    const again = await call('POST', `/v1/reminders/${first.id}/retry`);
    t.match(again.json(), { status: 'sending', requeues: 1 }, 'a second call changes nothing');
    t.equal((await requeuedEvents()).length, 1, 'one reminder.requeued');

    await run();
    t.match(await dueStep(invoices[0]!.id), { status: 'sent', requeues: 1 });
    const carrying = resend.requests.filter((r) =>
      (Array.isArray(r.body) ? r.body : [r.body]).some((email: any) =>
        email?.tags?.some((tag: { value: string }) => tag.value === first.id),
      ),
    );
    t.match(
      carrying.map((r) => r.headers['idempotency-key']),
      [/^batch_/, `${first.id}_r1`],
      'first in a batch, then alone under a new key after the re-queue',
    );
    t.equal(
      JSON.stringify(carrying[1]!.body.html),
      JSON.stringify(
        carrying[0]!.body.find((email: any) => email.tags.some((tag: { value: string }) => tag.value === first.id))
          .html,
      ),
      'the same stored email',
    );

    const sent = await call('POST', `/v1/reminders/${first.id}/retry`);
    t.equal(sent.statusCode, 409);
    t.equal(sent.json().code, 'reminder/not_failed');
    const missing = await call('POST', '/v1/reminders/occ_00000000000000000000000000/retry');
    t.equal(missing.statusCode, 404);
    t.equal(missing.json().code, 'reminder/not_found');
    const bad = await call('POST', '/v1/reminders/retry', { colour: 'red' });
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().code, 'request/validation_failed');
  });

  t.test('GraphQL: in bulk, by invoice; the same codes', async (t) => {
    const res = await gql(
      'mutation ($input: RemindersRetryInput!) { retryFailedReminders(input: $input) { count hasMore reminders { id status requeues } } }',
      { input: { invoiceId: invoices[1]!.id } },
    );
    t.same(res.errors, undefined);
    t.match(res.data.retryFailedReminders, {
      count: 1,
      hasMore: false,
      reminders: [{ id: second.id, status: 'sending', requeues: 1 }],
    });
    const none = await gql(
      'mutation { retryFailedReminders(input: { invoiceId: "inv_00000000000000000000000000" }) { count } }',
    );
    t.equal(none.data.retryFailedReminders.count, 0, 'nothing failed matches: nothing to do');
    const missing = await gql('mutation { retryReminder(id: "occ_00000000000000000000000000") { id } }');
    t.equal(missing.errors?.[0]?.extensions.code, 'reminder/not_found');
    await run();
    t.match(await dueStep(invoices[1]!.id), { status: 'sent' });
    const rest = await call('POST', '/v1/reminders/retry', {});
    t.match(
      rest.json(),
      { object: 'reminders_requeued', count: 0, reminders: [], has_more: false },
      'REST bulk: nothing failed is left',
    );
  });
});
