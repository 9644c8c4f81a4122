import t from 'tap';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { todayIn } from '../../src/domain/calendar.ts';
import { retryDelayMs } from '../../src/domain/reminders/reminder-occurrence.repository.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { zoneWithin } from '../helpers/zones.ts';
import { runScript, waitFor } from '../helpers/process.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

const N = 120;

t.test('a worker killed (SIGKILL) mid-send, then restarted: no duplicate, no loss', async (t) => {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 4 });
  const resend = await startResendStandIn({ delayMs: 40 });
  t.teardown(async () => {
    await database.close();
    await resend.close();
    await testDb.drop();
  });
  const services = createServices({ database, clock: systemClock });
  // Emails leave from the send hour until 20:00 local time: the run never crosses the evening.
  const now = systemClock.now();
  const zone = zoneWithin(now, { hours: [1, 18] });
  const { account } = await services.accounts.create({ name: 'Crashy', time_zone: zone });
  const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: zone };
  // One step at 00:00 local time on the due date: with today's date as due date, everything is due now.
  const policy = await services.reminderPolicies.create(actor, {
    name: 'Now',
    steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today' }],
    send_hour: 0,
    skip_weekends: false,

    // Many invoices per customer: the contact budget lets 50 a week each, none held back.
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  await services.accounts.update(actor, {
    default_reminder_policy_id: policy.id,
    sender_email: 'billing@crashy.example',
  });
  // 25 customers (at most 40 invoices each, within the budget): the test is about workers, not the budget.
  const customers = await Promise.all(
    Array.from({ length: 25 }, (_, k) =>
      services.customers.create(actor, { name: `Client ${k}`, email: `client${k}@example.com` }),
    ),
  );
  const today = todayIn(now, zone);
  for (let i = 0; i < N; i++) {
    await services.invoices.create(actor, {
      number: `K-${i}`,
      customer_id: (customers[i % customers.length] as { id: string }).id,
      subtotal: 500,
      issue_date: today,
      due_date: today,
    });
  }

  const env = {
    DATABASE_URL: testDb.url,
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: resend.url,
    LOG_LEVEL: 'warn',
    // The lease of a claimed call is the back-off's: 10 s for a first attempt at the shortest
    // base allowed (60 s by default), so the next worker takes over sooner.
    REMINDER_RETRY_SECONDS: '5',
  };
  const first = runScript('api/src/main.ts', ['worker'], env);
  // Emails go out in batches (up to 100 per call): the kill lands once the first call was accepted.
  await waitFor(
    () => String(resend.emailsAccepted()),
    () => resend.emailsAccepted() > 0,
    60_000,
  );
  first.child.kill('SIGKILL');
  await first.exited;
  const acceptedAtKill = resend.emailsAccepted();
  t.ok(acceptedAtKill > 0 && acceptedAtKill < N, `killed mid-way (${acceptedAtKill} of ${N} accepted)`);

  const second = runScript('api/src/main.ts', ['worker'], env);
  t.teardown(async () => {
    second.child.kill('SIGTERM');
    await second.exited;
  });
  const counts = () =>
    database.withAccount(account.id, async (trx) => {
      const rows = await trx.selectFrom('reminder_occurrences').select('status').execute();
      return { total: rows.length, sent: rows.filter((r) => r.status === 'sent').length };
    });
  const deadline = Date.now() + 240_000;
  let state = await counts();
  while (state.sent < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    state = await counts();
  }
  if (state.sent < N) {
    const stuck = await database.withAccount(account.id, (trx) =>
      trx
        .selectFrom('reminder_occurrences')
        .select(['status', 'attempts', 'failure', 'updated_at'])
        .where('status', '<>', 'sent')
        .limit(5)
        .execute(),
    );
    t.comment(JSON.stringify(stuck));
  }
  t.equal(state.total, N);
  t.equal(state.sent, N, 'every reminder was sent in the end');
  t.equal(resend.emailsAccepted(), N, 'the provider accepted exactly one email per reminder');
  t.equal(resend.duplicates(), 0, 'no reminder reached the provider twice');
  t.ok(
    resend.requests.some((r) => r.path === '/emails/batch'),
    'sent in batches',
  );
  // A batch offered again (its outcome unknown at the kill) goes under the same key, with the same emails.
  const bodies = new Map<string, string>();
  let changed = 0;
  for (const r of resend.requests) {
    const key = String(r.headers['idempotency-key']);
    const body = JSON.stringify(r.body);
    if ((bodies.get(key) ?? body) !== body) changed++;
    bodies.set(key, body);
  }
  t.equal(changed, 0, 'a key always carries the same emails');
  const messages = await database.withAccount(account.id, (trx) =>
    trx.selectFrom('messages').select(['occurrence_id', 'status', 'provider_message_id']).execute(),
  );
  t.equal(messages.length, N, 'one stored message per reminder');
  t.ok(messages.every((m) => m.status === 'sent' && m.provider_message_id));
  t.comment(
    `requests to the provider: ${resend.requests.length} for ${N} emails (retries after the crash reuse their key)`,
  );
});

t.test('REMINDER_RETRY_SECONDS: the back-off and the lease of a claimed call', async (t) => {
  t.equal(loadConfig({}).reminderRetrySeconds, 30, '30 s by default');
  t.equal(loadConfig({ REMINDER_RETRY_SECONDS: '5' }).reminderRetrySeconds, 5);
  // Below 5 s a first attempt's lease (twice the base) would be shorter than a Twilio call may last.
  t.throws(() => loadConfig({ REMINDER_RETRY_SECONDS: '4' }), /REMINDER_RETRY_SECONDS must be an integer between 5/);
  t.throws(() => loadConfig({ REMINDER_RETRY_SECONDS: 'soon' }), /REMINDER_RETRY_SECONDS/);
  t.same(
    [0, 1, 2, 3, 10].map((attempts) => retryDelayMs(attempts)),
    [30_000, 60_000, 120_000, 240_000, 900_000],
    'the default back-off: doubling from 30 s, at most 15 minutes',
  );
  t.same(
    [1, 2, 10].map((attempts) => retryDelayMs(attempts, 5_000)),
    [10_000, 20_000, 900_000],
    'from another base',
  );
});
