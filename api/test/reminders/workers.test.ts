import { pino } from 'pino';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createServices } from '../../src/services.ts';
import { createTwilioTransport } from '../../src/sms/transport.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.ts';

const N = 1000;

t.test('two workers at once over 1,000 due reminders: each message exactly once', async (t) => {
  const testDb = await createTestDatabase();
  const clock = new ManualClock('2026-06-01T05:00:00Z');
  const databases = [createDatabase(testDb.url, { max: 8 }), createDatabase(testDb.url, { max: 8 })];
  const [servicesA, servicesB] = databases.map((database) => createServices({ database, clock }));
  if (!servicesA || !servicesB) throw new Error('unreachable');
  const log = pino({ level: 'silent' });
  t.teardown(async () => {
    for (const d of databases) await d.close();
    await testDb.drop();
  });

  const { account } = await servicesA.accounts.create({ name: 'Busy', time_zone: 'UTC' });
  const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
  const policy = await servicesA.reminderPolicies.create(actor, {
    name: 'One step',
    steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today' }],
    send_hour: 4,

    // Many invoices per customer: the contact budget lets 50 a week each, none held back.
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  await servicesA.accounts.update(actor, { default_reminder_policy_id: policy.id });
  // 25 customers (at most 40 invoices each, within the budget): the test is about workers, not the budget.
  const customers = await Promise.all(
    Array.from({ length: 25 }, (_, k) =>
      servicesA.customers.create(actor, { name: `Client ${k}`, email: `client${k}@example.com` }),
    ),
  );
  for (let i = 0; i < N; i++) {
    await servicesA.invoices.create(actor, {
      number: `W-${i}`,
      customer_id: (customers[i % customers.length] as { id: string }).id,
      subtotal: 1000 + i,
      issue_date: '2026-05-01',
      due_date: '2026-06-01',
    });
  }
  t.equal(await servicesA.reminders.scheduler.planPending({ kind: 'live', now: clock.now() }), N);

  const workers = [
    await startWorker({ databaseUrl: testDb.url, services: servicesA, clock, log, timer: false, concurrency: 4 }),
    await startWorker({ databaseUrl: testDb.url, services: servicesB, clock, log, timer: false, concurrency: 4 }),
  ];
  t.teardown(async () => {
    for (const w of workers) await w.stop();
  });
  // Both ask for the work at once; jobs are unique per reminder while queued.
  const enqueued = await Promise.all(workers.map((w) => w.tick()));
  t.equal(enqueued[0], N);

  const pending = () =>
    servicesA.reminders.scheduler.dueOccurrences({ kind: 'live', now: clock.now() }).then((due) => due.length);
  const deadline = Date.now() + 120_000;
  while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  t.equal(await pending(), 0, 'nothing left to send');

  const rows = await databases[0]!.withAccount(account.id, async (trx) => ({
    messages: await trx.selectFrom('messages').select(['occurrence_id', 'status']).execute(),
    occurrences: await trx.selectFrom('reminder_occurrences').select(['status']).execute(),
    sentEvents: await trx.selectFrom('events').select('object_id').where('type', '=', 'reminder.sent').execute(),
  }));
  t.equal(rows.messages.length, N, 'one message per reminder');
  t.equal(new Set(rows.messages.map((m) => m.occurrence_id)).size, N, 'no reminder has two messages');
  t.ok(rows.messages.every((m) => m.status === 'sent'));
  t.ok(rows.occurrences.every((o) => o.status === 'sent'));
  t.equal(rows.sentEvents.length, N, 'one reminder.sent event each');
  t.equal(new Set(rows.sentEvents.map((e) => e.object_id)).size, N);
});

t.test('two workers at once over letters and texts: one letter, one task, one text each', async (t) => {
  const M = 60;
  const testDb = await createTestDatabase();
  const clock = new ManualClock('2026-06-01T05:00:00Z');
  const twilio = await startTwilioStandIn({ latencyMs: 30 });
  const databases = [createDatabase(testDb.url, { max: 8 }), createDatabase(testDb.url, { max: 8 })];
  // Both workers text through Twilio's SDK (to its stand-in), which takes no idempotency key.
  const [servicesA, servicesB] = databases.map((database) =>
    createServices({
      database,
      clock,
      sms: {
        transport: createTwilioTransport({
          accountSid: twilio.accountSid,
          authToken: twilio.authToken,
          baseUrl: twilio.url,
          statusCallbackUrl: null,
        }),
        sender: '+33757000000',
      },
    }),
  );
  if (!servicesA || !servicesB) throw new Error('unreachable');
  const log = pino({ level: 'silent' });
  t.teardown(async () => {
    for (const d of databases) await d.close();
    await twilio.close();
    await testDb.drop();
  });
  const { account } = await servicesA.accounts.create({ name: 'Posty', time_zone: 'UTC' });
  const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
  const policy = await servicesA.reminderPolicies.create(actor, {
    name: 'A text and a letter',
    steps: [
      { offset_days: 0, channel: 'sms', template_key: 'due_today' },
      { offset_days: 0, channel: 'letter', first_contact_allowed: true },
    ],
    send_hour: 4,
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  // Texts in daytime only: here the whole day is.
  await servicesA.accounts.update(actor, {
    default_reminder_policy_id: policy.id,
    daytime_from_hour: 0,
    daytime_until_hour: 24,
  });
  const customers = await Promise.all(
    Array.from({ length: 20 }, (_, k) =>
      servicesA.customers.create(actor, { name: `Client ${k}`, mobile: `+3361234${String(6000 + k)}` }),
    ),
  );
  for (let i = 0; i < M; i++)
    await servicesA.invoices.create(actor, {
      number: `L-${i}`,
      customer_id: (customers[i % customers.length] as { id: string }).id,
      subtotal: 1000 + i,
      issue_date: '2026-05-01',
      due_date: '2026-06-01',
    });
  await servicesA.reminders.scheduler.planPending({ kind: 'live', now: clock.now() });
  const workers = [
    await startWorker({ databaseUrl: testDb.url, services: servicesA, clock, log, timer: false, concurrency: 4 }),
    await startWorker({ databaseUrl: testDb.url, services: servicesB, clock, log, timer: false, concurrency: 4 }),
  ];
  t.teardown(async () => {
    for (const w of workers) await w.stop();
  });
  await Promise.all(workers.map((w) => w.tick()));
  // Texts are handed to the provider after the claim: wait until every reminder has settled.
  const unsettled = () =>
    databases[0]!.withAccount(account.id, async (trx) =>
      Number(
        (
          await trx
            .selectFrom('reminder_occurrences')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('status', '<>', 'sent')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );
  const deadline = Date.now() + 120_000;
  while ((await unsettled()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  // Letters are decided with their reminder and written as PDF afterwards: both workers write at once.
  const written = await Promise.all(workers.map((w) => w.writeLetters()));

  const rows = await databases[0]!.withAccount(account.id, async (trx) => ({
    texts: await trx.selectFrom('messages').select(['occurrence_id', 'status']).where('channel', '=', 'sms').execute(),
    documents: await trx.selectFrom('documents').select(['occurrence_id', 'kind', 'status']).execute(),
    created: await trx.selectFrom('events').select('object_id').where('type', '=', 'document.created').execute(),
    tasks: await trx.selectFrom('tasks').select(['kind', 'document_id']).execute(),
    occurrences: await trx
      .selectFrom('reminder_occurrences')
      .select(['status', 'channel', 'hold_reason', 'skip_reason', 'failure', 'scheduled_at'])
      .execute(),
  }));
  t.equal(rows.occurrences.length, 2 * M);
  t.ok(
    rows.occurrences.every((o) => o.status === 'sent'),
    'every reminder sent',
  );
  t.equal(rows.texts.length, M, 'one text message per text reminder');
  t.ok(rows.texts.every((m) => m.status === 'sent'));
  t.equal(twilio.accepted.length, M, 'the provider took each text once');
  t.equal(new Set(twilio.accepted.map((a) => a.body)).size, M, 'no text twice');
  t.equal(rows.documents.length, M, 'one formal notice per letter reminder');
  t.equal(new Set(rows.documents.map((d) => d.occurrence_id)).size, M);
  t.ok(
    rows.documents.every((d) => d.status === 'stored'),
    'each letter written',
  );
  t.equal(written[0]! + written[1]!, M, `written once, by either worker (${written.join(' + ')})`);
  t.equal(new Set(rows.created.map((e) => e.object_id)).size, M, 'document.created once each');
  t.equal(rows.created.length, M);
  const letters = rows.tasks.filter((k) => k.kind === 'letter');
  t.equal(letters.length, M, 'one letter task each');
  t.ok(
    letters.every((k) => k.document_id),
    'each task links its letter',
  );
});
