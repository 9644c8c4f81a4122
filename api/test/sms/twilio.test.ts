import t, { type Test } from 'tap';
import { sql } from 'kysely';
import { smsSize } from '../../src/sms/segments.ts';
import { setupApp, type TestContext } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../helpers/twilio-stand-in.ts';

// Text messages as a user meets them: reminders through Twilio's official SDK against a local
// stand-in that answers as Twilio does (its errors, its rate limit, a connection cut), its signed
// delivery reports and a customer's STOP, on the test clock.

const PUBLIC_URL = 'https://relance.example';
const SENDER = '+33757000000';
const MOBILE = '+33612345678';
const PARIS = { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' };

async function setup(t: Test, twilio: TwilioStandIn) {
  const ctx = await setupApp(t, {
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_BASE_URL: twilio.url,
      PUBLIC_URL,
    },
  });
  const kit = engineKit(ctx);
  kit.clock.set('2026-03-02T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const patched = await kit.call(acme, 'PATCH', '/v1/account', {
    time_zone: 'Europe/Paris',
    sms_sender: SENDER,
    billing_address: PARIS,
  });
  if (patched.statusCode !== 200) throw new Error(patched.body);
  const policy = (
    await kit.call(acme, 'POST', '/v1/reminder_policies', {
      name: 'Texts',
      send_hour: 9,
      skip_weekends: false,
      steps: [
        { offset_days: 0, channel: 'sms', template_key: 'due_today' },
        { offset_days: 7, channel: 'sms', template_key: 'overdue_friendly' },
      ],
    })
  ).json();
  // A national number, read with the account's country.
  const customer = await kit.customer(acme, { mobile: '06 12 34 56 78', locale: 'fr', reminder_policy_id: policy.id });
  const invoice = await kit.invoice(acme, {
    customer_id: customer.id,
    number: 'F-2026-0042',
    issue_date: '2026-02-01',
    due_date: '2026-03-09',
  });
  const at = async (instant: string) => {
    kit.clock.set(instant);
    await kit.run();
  };
  const messages = async () => (await kit.call(acme, 'GET', `/v1/messages?invoice_id=${invoice.id}`)).json().data;
  const step = async (offset: number) =>
    (await kit.occurrences(acme, invoice.id)).find((o) => o.offset_days === offset);
  return { ctx, kit, acme, customer, invoice, at, messages, step };
}

const post = (ctx: TestContext, url: string, signed: { payload: string; headers: Record<string, string> }) =>
  ctx.app.inject({ method: 'POST', url, payload: signed.payload, headers: signed.headers });

t.test('a reminder by text: sent once, reported delivered, stopped by STOP', async (t) => {
  const twilio = await startTwilioStandIn();
  t.teardown(twilio.close);
  const { ctx, kit, acme, customer, at, messages, step } = await setup(t, twilio);
  t.equal(customer.mobile, MOBILE, 'stored in E.164');

  await at('2026-03-09T08:00:00Z'); // 09:00 in Paris, the due date
  t.equal(twilio.accepted.length, 1, 'one text taken by the provider');
  const [text] = twilio.accepted;
  t.match(text, { to: MOBILE, from: SENDER, statusCallback: `${PUBLIC_URL}/v1/provider_events/twilio` });
  t.match(
    text?.body,
    /^Acme : la facture F-2026-0042 \(100,00 €\) arrive à échéance aujourd'hui\. https:\/\/relance\.example\/p\/\S+$/,
    "the customer's page as the one link",
  );
  t.equal(smsSize(text?.body ?? '').segments, 1, 'one segment');
  t.equal(smsSize(text?.body ?? '').encoding, 'GSM-7', 'typographic spaces were replaced: GSM-7, not UCS-2');
  const [message] = await messages();
  t.match(message, {
    channel: 'sms',
    transport: 'twilio',
    status: 'sent',
    to: [MOBILE],
    provider_message_id: text?.sid,
    attempts: 1,
  });
  t.match(await step(0), { status: 'sent' });

  // A delivery report: a forged one changes nothing, Twilio's marks it delivered.
  const report = twilio.report(text?.sid ?? '', 'delivered');
  const forged = await post(ctx, '/v1/provider_events/twilio', {
    payload: report.payload,
    headers: { ...report.headers, 'x-twilio-signature': 'bm90IHRoZSBzaWduYXR1cmU=' },
  });
  t.equal(forged.statusCode, 401);
  t.equal(forged.json().code, 'webhook/invalid_signature');
  t.equal((await messages())[0].status, 'sent', 'unchanged by a forged report');
  const delivered = await post(ctx, '/v1/provider_events/twilio', report);
  t.equal(delivered.statusCode, 200, delivered.body);
  t.match((await messages())[0], { status: 'delivered', delivered_at: /^2026-03-09/ });
  const events = (await kit.call(acme, 'GET', '/v1/events?type=message.delivered')).json().data;
  t.equal(events.length, 1, 'message.delivered');

  // The customer answers STOP: the number is suppressed, the next text is skipped.
  const stopForm = {
    AccountSid: twilio.accountSid,
    MessageSid: 'SMinbound1',
    From: MOBILE,
    To: SENDER,
    Body: ' Stop ',
  };
  const inbound = `${PUBLIC_URL}/v1/provider_events/twilio/inbound`;
  const stop = await post(ctx, '/v1/provider_events/twilio/inbound', twilio.signed(inbound, stopForm));
  t.equal(stop.statusCode, 200, stop.body);
  t.match(stop.headers['content-type'], /xml/, 'an empty TwiML answer: no automatic reply');
  const suppressions = (await kit.call(acme, 'GET', '/v1/phone_suppressions')).json();
  t.match(suppressions.data, [{ phone: MOBILE, reason: 'stop' }]);
  await at('2026-03-16T08:00:00Z');
  t.match(await step(7), { status: 'skipped', skip_reason: 'suppressed' });
  t.equal(twilio.accepted.length, 1, 'nothing more was sent');

  // Another account never texted this number: its suppressions are its own.
  const other = await ctx.createAccount({ name: 'Other' });
  t.same((await kit.call(other, 'GET', '/v1/phone_suppressions')).json().data, []);

  // START lets it be texted again.
  const start = await post(
    ctx,
    '/v1/provider_events/twilio/inbound',
    twilio.signed(inbound, { ...stopForm, MessageSid: 'SMinbound2', Body: 'START' }),
  );
  t.equal(start.statusCode, 200);
  t.same((await kit.call(acme, 'GET', '/v1/phone_suppressions')).json().data, []);
});

t.test('no answer from the provider: the text is unknown, never sent again by itself', async (t) => {
  const twilio = await startTwilioStandIn();
  t.teardown(twilio.close);
  const { at, messages, step } = await setup(t, twilio);
  twilio.cutAfterTakingNext(1);
  await at('2026-03-09T08:00:00Z');
  t.equal(twilio.accepted.length, 1, 'the provider took it, and the connection was cut before its answer');
  const [message] = await messages();
  t.match(message, { channel: 'sms', status: 'unknown', error: /outcome unknown/, attempts: 1 });
  t.match(await step(0), { status: 'failed', failure: /outcome unknown/ });
  for (const day of ['2026-03-09T12:00:00Z', '2026-03-10T08:00:00Z', '2026-03-12T08:00:00Z']) await at(day);
  t.equal(twilio.requests.length, 1, 'no second call, hours and days later');
});

t.test('a rate limit is "not now": the text goes later, once', async (t) => {
  const twilio = await startTwilioStandIn();
  t.teardown(twilio.close);
  const { at, messages, step } = await setup(t, twilio);
  twilio.failNext(1, 429, 20429, 'Too Many Requests');
  await at('2026-03-09T08:00:00Z');
  t.equal(twilio.accepted.length, 0);
  const waiting = await step(0);
  t.match(waiting, { status: 'sending', failure: /Twilio 20429/ });
  t.ok(waiting?.retry_at, 'tried again later');
  await at(new Date((waiting?.retry_at?.getTime() ?? 0) + 1000).toISOString());
  t.equal(twilio.accepted.length, 1);
  t.match((await messages())[0], { status: 'sent', attempts: 2 });
  t.match(await step(0), { status: 'sent' });
});

t.test('a number that opted out at the provider: refused, then suppressed', async (t) => {
  const twilio = await startTwilioStandIn();
  t.teardown(twilio.close);
  const { kit, acme, at, messages, step } = await setup(t, twilio);
  twilio.optedOut.add(MOBILE);
  await at('2026-03-09T08:00:00Z');
  t.match((await messages())[0], { status: 'failed', error: /Twilio 21610/ });
  t.match(await step(0), { status: 'failed' });
  t.match((await kit.call(acme, 'GET', '/v1/phone_suppressions')).json().data, [
    { phone: MOBILE, reason: 'opted_out' },
  ]);
  await at('2026-03-16T08:00:00Z');
  t.match(await step(7), { status: 'skipped', skip_reason: 'suppressed' });
  t.equal(twilio.requests.length, 1, 'the next text was not attempted');
});

t.test('two workers on the same due text: one call', async (t) => {
  const twilio = await startTwilioStandIn({ latencyMs: 150 });
  t.teardown(twilio.close);
  const { ctx, kit } = await setup(t, twilio);
  kit.clock.set('2026-03-09T08:00:00Z');
  const { createServices } = await import('../../src/services.ts');
  const { createTwilioTransport } = await import('../../src/sms/transport.ts');
  const second = createServices({
    database: ctx.database,
    clock: ctx.clock,
    sms: {
      transport: createTwilioTransport({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        baseUrl: twilio.url,
        statusCallbackUrl: null,
      }),
      sender: null,
    },
  });
  await Promise.all([
    kit.run(),
    second.reminders.scheduler.runUntilIdle({ kind: 'live', now: kit.clock.now() }),
    kit.run(),
  ]);
  t.equal(twilio.accepted.length, 1, 'exactly one text');
});

t.test('an incoming STOP finds who texted the number through an index, not a scan of every text', async (t) => {
  const ctx = await setupApp(t);
  const plan = await ctx.database.withSystem(async (trx) => {
    // The planner may prefer a scan of a tiny table: forbid it, and the index must serve the lookup.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      EXPLAIN SELECT DISTINCT account_id FROM messages
       WHERE channel = 'sms' AND from_address = ${SENDER} AND to_addresses[1] = ${MOBILE}`.execute(trx);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  t.match(plan, /messages_sms_recipient/, plan);
});
