import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

// Texts and calls reach a person at once: only from 08:00 to 20:00 in the customer's time zone,
// never on a Sunday or a public holiday, whatever the policy skips. Played on the clock, with
// the local outbox (no provider).
t.test('texts and calls wait for daytime', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-02T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const patched = await call(acme, 'PATCH', '/v1/account', {
    time_zone: 'Europe/Paris',
    // The contact budget aside: this test is about the hours.
    min_days_between_contacts: 0,
    max_contacts_per_week: 10,
    billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { daytime_from_hour: 8, daytime_until_hour: 20, sms_sender: null });
  const policy = (
    await call(acme, 'POST', '/v1/reminder_policies', {
      name: 'Text, then a call',
      send_hour: 9,
      skip_weekends: false,
      skip_holidays: false,
      steps: [
        { offset_days: 0, channel: 'sms', template_key: 'due_today' },
        { offset_days: 0, channel: 'email', template_key: 'due_today' },
        { offset_days: 14, channel: 'call' },
      ],
    })
  ).json();
  const customer = await kit.customer(acme, { mobile: '+33612345678', reminder_policy_id: policy.id });
  const newYork = await kit.customer(acme, {
    mobile: '+12125550123',
    time_zone: 'America/New_York',
    reminder_policy_id: policy.id,
  });
  const invoice = (customerId: string, due: string) =>
    kit.invoice(acme, { customer_id: customerId, issue_date: '2026-02-01', due_date: due });
  const sunday = await invoice(customer.id, '2026-03-08');
  const bastille = await invoice(customer.id, '2026-07-14');
  const abroad = await invoice(newYork.id, '2026-03-10');
  const at = async (instant: string) => {
    clock.set(instant);
    await kit.run();
  };
  const step = async (id: string, channel: string) =>
    (await kit.occurrences(acme, id)).find((o) => o.channel === channel && o.offset_days >= 0);

  // Sunday 8 March, 09:00 in Paris: the policy skips no day, the email goes, the text waits.
  await at('2026-03-08T08:00:00Z');
  t.match(await step(sunday.id, 'email'), { status: 'sent' }, 'the email keeps the policy (no day skipped)');
  const text = await step(sunday.id, 'sms');
  t.match(text, { status: 'scheduled', hold_reason: 'daytime' });
  t.equal(text?.scheduled_at?.toISOString(), '2026-03-09T07:00:00.000Z', 'Monday 08:00 in Paris');
  await at('2026-03-09T07:00:00Z');
  t.match(await step(sunday.id, 'sms'), { status: 'sent' });
  const [sms] = (await call(acme, 'GET', `/v1/messages?invoice_id=${sunday.id}`))
    .json()
    .data.filter((m: { channel: string }) => m.channel === 'sms');
  t.match(sms, { transport: 'outbox', status: 'sent', to: ['+33612345678'], subject: '' });
  t.equal(sms.provider_message_id, `outbox_${sms.id}`, 'the outbox names the text after its message');
  // The text moved past its due date speaks of a due date passed, not of "today".
  const body = (await call(acme, 'GET', `/v1/messages/${sms.id}`)).json().text;
  t.match(body, /has been due since Sunday, March 8, 2026\./);

  // The customer in New York: 09:00 in Paris is 04:00 there; its text waits for 08:00 New York time.
  await at('2026-03-10T08:00:00Z');
  const far = await step(abroad.id, 'sms');
  t.match(far, { status: 'scheduled', hold_reason: 'daytime' });
  t.equal(far?.scheduled_at?.toISOString(), '2026-03-10T12:00:00.000Z', '08:00 in New York (EDT from 8 March)');
  // The service was down all day: back at 20:30 New York time, the text waits for the next morning.
  await at('2026-03-11T00:30:00Z');
  const late = await step(abroad.id, 'sms');
  t.match(late, { status: 'scheduled', hold_reason: 'daytime' });
  t.equal(late?.scheduled_at?.toISOString(), '2026-03-11T12:00:00.000Z', 'the next day, 08:00 in New York');
  await at('2026-03-11T12:00:00Z');
  t.match(await step(abroad.id, 'sms'), { status: 'sent' });

  // The call of the Sunday invoice (day 14: Sunday 22 March) waits for Monday too.
  await at('2026-03-22T08:00:00Z');
  const phone = await step(sunday.id, 'call');
  t.match(phone, { status: 'scheduled', hold_reason: 'daytime' });
  t.equal(phone?.scheduled_at?.toISOString(), '2026-03-23T07:00:00.000Z');

  // 14 July, a French public holiday the policy does not skip: the email goes, the text waits a day.
  await at('2026-07-14T07:00:00Z');
  t.match(await step(bastille.id, 'email'), { status: 'sent' });
  const holiday = await step(bastille.id, 'sms');
  t.match(holiday, { status: 'scheduled', hold_reason: 'daytime' });
  t.equal(holiday?.scheduled_at?.toISOString(), '2026-07-15T06:00:00.000Z', '08:00 in Paris (CEST) the next day');

  // The hours are the account's to set; an empty window is refused and nothing changes.
  const bad = await call(acme, 'PATCH', '/v1/account', { daytime_from_hour: 21 });
  t.equal(bad.statusCode, 422);
  t.match(bad.json(), { code: 'account/invalid_daytime', errors: [{ field: '/daytime_from_hour' }] });
  t.match((await call(acme, 'GET', '/v1/account')).json(), { daytime_from_hour: 8, daytime_until_hour: 20 });
  t.equal((await call(acme, 'PATCH', '/v1/account', { daytime_from_hour: 9, daytime_until_hour: 18 })).statusCode, 200);
});
