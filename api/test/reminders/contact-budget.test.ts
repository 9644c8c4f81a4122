import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { graphqlClient } from '../graphql/client.ts';

// One customer, several invoices: it hears from us at most 3 times in 7 days and never twice
// within 2 days (the defaults), whatever the invoice; the rest waits, never dropped. Day by day.
t.test('the contact budget', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-02T09:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const account = (await call(acme, 'GET', '/v1/account')).json();
  t.match(account, { max_contacts_per_week: 3, min_days_between_contacts: 2 }, 'the defaults');
  const created = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Two emails and a call',
    send_hour: 9,
    skip_weekends: false,
    steps: [
      { offset_days: 0, channel: 'email', template_key: 'due_today' },
      { offset_days: 0, channel: 'call' },
      { offset_days: 7, channel: 'email', template_key: 'overdue_friendly' },
    ],
  });
  t.equal(created.statusCode, 201, created.body);
  const policy = created.json();
  t.match(policy, { max_contacts_per_week: null, min_days_between_contacts: null }, "the account's, unless set");
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const invoice = (number: string, due: string) =>
    kit.invoice(acme, { customer_id: customer.id, number, due_date: due, issue_date: '2026-02-01' });
  const a = await invoice('A-1', '2026-03-09');
  const b = await invoice('B-1', '2026-03-09');
  const c = await invoice('C-1', '2026-03-10');
  const emailsOf = async (id: string) =>
    (await call(acme, 'GET', `/v1/messages?invoice_id=${id}`))
      .json()
      .data.map((m: { created_at: string }) => m.created_at.slice(0, 10))
      .sort();
  const at = async (day: string) => {
    clock.set(`${day}T09:00:00Z`); // the send hour (the account is on UTC)
    await kit.run();
  };
  const step = async (id: string, channel: string, offset: number) =>
    (await kit.occurrences(acme, id)).find((o) => o.channel === channel && o.offset_days === offset);

  await at('2026-03-09');
  t.same(await emailsOf(a.id), ['2026-03-09'], 'A: due today, sent');
  t.same(await emailsOf(b.id), [], 'B: the same day would be a second contact within 2 days');
  const waiting = await step(b.id, 'email', 0);
  t.match(waiting, { status: 'scheduled', hold_reason: 'contact_budget' });
  t.equal(
    waiting?.scheduled_at?.toISOString(),
    '2026-03-11T09:00:00.000Z',
    'to the first day it fits, at the send hour',
  );
  t.match(await step(b.id, 'call', 0), { status: 'sent' }, 'a call is a task for a person: it does not count');

  await at('2026-03-10');
  t.same(await emailsOf(c.id), [], 'C: the day after a contact');
  t.equal((await step(c.id, 'email', 0))?.scheduled_at?.toISOString(), '2026-03-11T09:00:00.000Z');

  await at('2026-03-11');
  const on11 = [...(await emailsOf(b.id)), ...(await emailsOf(c.id))];
  t.same(on11, ['2026-03-11'], 'B and C both due: one goes, the other waits two more days');
  await at('2026-03-13');
  t.same([...(await emailsOf(b.id)), ...(await emailsOf(c.id))].sort(), ['2026-03-11', '2026-03-13']);

  // A's friendly reminder (9 + 7 = 16 March): contacts on the 11th and 13th in that week, two days since: it goes.
  await at('2026-03-16');
  t.same(await emailsOf(a.id), ['2026-03-09', '2026-03-16']);
  // B's (16 March too) waits: the 16th has its contact. The week of 12–18 March holds 13 and 16:
  // the 18th is two days on, and a third in the week.
  t.equal((await step(b.id, 'email', 7))?.scheduled_at?.toISOString(), '2026-03-18T09:00:00.000Z');
  const timeline = (await call(acme, 'GET', `/v1/invoices/${b.id}/timeline`)).json();
  t.ok(JSON.stringify(timeline).includes('contact_budget'), 'the timeline says why the reminder waits');
  // Day by day to the end of the month: everything goes out, and the customer's contacts keep
  // the budget all along.
  for (let day = 17; day <= 31; day++) await at(`2026-03-${day}`);
  const days = (await call(acme, 'GET', `/v1/messages?customer_id=${customer.id}&limit=100`))
    .json()
    .data.map((m: { created_at: string }) => m.created_at.slice(0, 10))
    .sort() as string[];
  t.equal(days.length, 6, 'never dropped: 3 invoices × 2 emails');
  const epoch = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  for (let i = 1; i < days.length; i++)
    t.ok(epoch(days[i] as string) - epoch(days[i - 1] as string) >= 2, `${days[i - 1]} → ${days[i]}: two days apart`);
  for (const d of days)
    t.ok(
      days.filter((x) => epoch(x) <= epoch(d) && epoch(x) > epoch(d) - 7).length <= 3,
      `at most 3 in the 7 days to ${d}`,
    );

  t.test('a policy may set its own budget; the account sets the default', async (t) => {
    const relaxed = await call(acme, 'PATCH', `/v1/reminder_policies/${policy.id}`, {
      max_contacts_per_week: 10,
      min_days_between_contacts: 0,
    });
    t.equal(relaxed.statusCode, 200, relaxed.body);
    t.match(relaxed.json(), { max_contacts_per_week: 10, min_days_between_contacts: 0 });
    const d = await invoice('D-1', '2026-03-20');
    const e = await invoice('E-1', '2026-03-20');
    await at('2026-03-20');
    t.same([...(await emailsOf(d.id)), ...(await emailsOf(e.id))], ['2026-03-20', '2026-03-20'], 'both the same day');
    const bad = await call(acme, 'PATCH', '/v1/account', { max_contacts_per_week: 0 });
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().errors?.[0]?.field, '/max_contacts_per_week');
    const gql = graphqlClient(ctx, acme.auth);
    const res = await gql(
      'mutation { updateAccount(input: { maxContactsPerWeek: 2, minDaysBetweenContacts: 3 }) { maxContactsPerWeek minDaysBetweenContacts } }',
    );
    t.same(res.data, { updateAccount: { maxContactsPerWeek: 2, minDaysBetweenContacts: 3 } });
  });
});
