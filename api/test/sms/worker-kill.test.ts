import { sql } from 'kysely';
import t from 'tap';
import { systemClock } from '../../src/clock.ts';
import { todayIn } from '../../src/domain/calendar.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { runScript, waitFor } from '../helpers/process.ts';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.ts';
import { zoneWithin } from '../helpers/zones.ts';

const N = 40;
/** Half the invoices are texted, half get a letter. */
const HALF = N / 2;

// The kill-the-worker test for texts and letters: a worker process killed (SIGKILL) while
// Twilio's stand-in is taking texts, then another started. Twilio takes no idempotency key, so the
// texts in the provider's hands at the kill must not be sent again: they end `unknown`; every
// other one is sent once; none is lost; and each letter is written once.
t.test('a worker killed mid-send of texts and letters: nothing twice, the doubtful ones surfaced', async (t) => {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 4 });
  const twilio = await startTwilioStandIn({ latencyMs: 80 });
  t.teardown(async () => {
    await database.close();
    await twilio.close();
    await testDb.drop();
  });
  // A zone where today is not a Sunday (texts never go on one); the account's daytime is the whole
  // day, and letters have a policy of their own (a letter behind a text would wait for the
  // policy's send window, 00:00–20:00), so the test holds at any hour.
  const now = systemClock.now();
  const zone = zoneWithin(now, { notSunday: true });
  const services = createServices({ database, clock: systemClock });
  const { account } = await services.accounts.create({ name: 'Crashy', time_zone: zone });
  const actor = { accountId: account.id, keyId: null, readOnly: false, mode: 'live' as const, timeZone: zone };
  const policyOf = (name: string, step: object) =>
    services.reminderPolicies.create(actor, {
      name,
      steps: [{ offset_days: 0, ...step } as never],
      send_hour: 0,
      skip_weekends: false,
      max_contacts_per_week: 50,
      min_days_between_contacts: 0,
    });
  const texting = await policyOf('Text now', { channel: 'sms', template_key: 'due_today' });
  const posting = await policyOf('Letter now', { channel: 'letter', first_contact_allowed: true });
  await services.accounts.update(actor, {
    sms_sender: '+33757000000',
    daytime_from_hour: 0,
    daytime_until_hour: 24,
  });
  const customers = await Promise.all(
    Array.from({ length: 20 }, (_, k) =>
      services.customers.create(actor, { name: `Client ${k}`, mobile: `+3361234${String(5000 + k)}` }),
    ),
  );
  const today = todayIn(now, zone);
  for (let i = 0; i < N; i++)
    await services.invoices.create(actor, {
      number: `K-${i}`,
      customer_id: (customers[i % customers.length] as { id: string }).id,
      subtotal: 500,
      issue_date: today,
      due_date: today,
      reminder_policy_id: i % 2 === 0 ? texting.id : posting.id,
    });

  const env = {
    DATABASE_URL: testDb.url,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_BASE_URL: twilio.url,
    LOG_LEVEL: 'warn',
    // A claimed call's lease (the back-off's, 10 s here for a first attempt): the texts of the
    // killed worker are taken up by the next once it ends.
    REMINDER_RETRY_SECONDS: '5',
  };
  // The first texts are taken and answered only 5 s later: the kill lands while they are in the
  // provider's hands, their answers never read.
  twilio.answerLateNext(2, 5000);
  const first = runScript('api/src/main.ts', ['worker'], env);
  await waitFor(
    () => String(twilio.accepted.length),
    () => twilio.accepted.length >= 1,
    60_000,
  );
  first.child.kill('SIGKILL');
  await first.exited;
  const takenAtKill = twilio.accepted.length;
  t.ok(takenAtKill > 0 && takenAtKill < HALF, `killed mid-way (${takenAtKill} of ${HALF} taken)`);
  // The texts that may have left: an attempt is claimed on the reminder before the call to the
  // provider and counted on its message when settled, so a text whose attempt was claimed an
  // instant before the kill is in doubt whether or not its request arrived.
  const inFlightAtKill = (
    await database.withAccount(account.id, (trx) =>
      trx
        .selectFrom('reminder_occurrences as o')
        .leftJoin('messages as m', 'm.occurrence_id', 'o.id')
        .select('o.id')
        .where('o.channel', '=', 'sms')
        .whereRef('o.attempts', '>', sql`coalesce(m.attempts, 0)`)
        .execute(),
    )
  ).length;

  const second = runScript('api/src/main.ts', ['worker'], env);
  t.teardown(async () => {
    second.child.kill('SIGTERM');
    await second.exited;
  });
  const state = () =>
    database.withAccount(account.id, async (trx) =>
      trx.selectFrom('messages').select(['status', 'text', 'provider_message_id']).execute(),
    );
  const letters = () =>
    database.withAccount(account.id, async (trx) => ({
      documents: await trx.selectFrom('documents').select(['occurrence_id', 'status']).execute(),
      tasks: await trx.selectFrom('tasks').select('document_id').where('kind', '=', 'letter').execute(),
    }));
  const deadline = Date.now() + 120_000;
  let messages = await state();
  let written = await letters();
  const settled = () =>
    messages.length === HALF &&
    messages.every((m) => m.status === 'sent' || m.status === 'unknown') &&
    written.tasks.length === HALF &&
    written.documents.every((d) => d.status === 'stored');
  while (!settled() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    messages = await state();
    written = await letters();
  }
  const sent = messages.filter((m) => m.status === 'sent');
  const unknown = messages.filter((m) => m.status === 'unknown');
  t.equal(messages.length, HALF, 'one stored message per reminder');
  t.equal(sent.length + unknown.length, HALF, `none lost: ${sent.length} sent, ${unknown.length} unknown`);
  t.ok(unknown.length >= 1, "the text in the provider's hands at the kill is in doubt");
  t.ok(
    unknown.length <= inFlightAtKill,
    `only texts that may have left at the kill are in doubt (${unknown.length} of ${inFlightAtKill} in flight, ${takenAtKill} taken)`,
  );
  const bodies = twilio.accepted.map((a) => a.body);
  t.equal(new Set(bodies).size, bodies.length, 'no text reached the provider twice');
  const sids = new Set(twilio.accepted.map((a) => a.sid));
  t.ok(
    sent.every((m) => m.provider_message_id && sids.has(m.provider_message_id)),
    'each sent message carries the id Twilio gave it',
  );
  // Taken: the sent ones and some of the doubtful ones (one whose request never arrived stays in doubt), no other.
  const sentOrDoubtful = new Set([...sent, ...unknown].map((m) => m.text));
  t.ok(
    twilio.accepted.every((a) => sentOrDoubtful.has(a.body)),
    'every text the provider took is a sent or a doubtful one',
  );
  t.ok(
    twilio.accepted.length >= sent.length && twilio.accepted.length <= sent.length + unknown.length,
    `taken: the sent ones and at most the doubtful ones (${twilio.accepted.length} taken)`,
  );
  // Letters are decided in the claim's transaction (a kill rolls back a half-decided one) and
  // written by the workers after it: one the killed worker decided is written by the next.
  t.equal(written.documents.length, HALF, 'one formal notice per letter reminder');
  t.ok(
    written.documents.every((d) => d.status === 'stored'),
    'each one written',
  );
  t.equal(new Set(written.documents.map((d) => d.occurrence_id)).size, HALF, 'none written twice');
  t.ok(
    written.tasks.every((k) => k.document_id),
    `one letter task each (${written.tasks.length}), with its letter`,
  );
  const occurrences = await database.withAccount(account.id, (trx) =>
    trx.selectFrom('reminder_occurrences').select(['status', 'failure']).where('channel', '=', 'sms').execute(),
  );
  t.equal(
    occurrences.filter((o) => o.status === 'failed' && /outcome unknown/.test(o.failure ?? '')).length,
    unknown.length,
    'each doubtful text fails its reminder with "delivery outcome unknown"',
  );
});
