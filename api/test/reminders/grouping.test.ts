import t, { type Test } from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { graphqlClient } from '../graphql/client.ts';

interface Message {
  id: string;
  subject: string;
  text: string;
  invoice_id: string | null;
  group_key: string | null;
  template_key: string;
  to: string[];
  created_at: string;
}

/** An account on the test clock (1 March 2026) with a policy grouping one due-date step of `channel` by customer. */
async function groupedDay(t: Test, channel: 'email' | 'sms') {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const created = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Grouped',
    grouping: 'customer',
    send_hour: 9,
    skip_weekends: false,
    steps: [{ offset_days: 0, channel, template_key: 'due_today' }],
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  return { ctx, kit, call, clock, acme, policy: created.json() };
}

// One message per customer and day (docs/reminders.md#one-message-per-customer), played day by
// day through the test clock: the reminders of a customer falling due the same day go out as one
// email listing each invoice, in the tone of the most advanced step; a paid invoice is left out;
// a day with one reminder sends that reminder's own message; other customers are apart.
t.test('a policy that groups by customer', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const defaults = (await call(acme, 'GET', '/v1/reminder_policies')).json().data;
  t.same(
    defaults.map((p: { grouping: string }) => p.grouping),
    ['invoice'],
    'the default policy stays per invoice',
  );
  const bad = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Bad',
    grouping: 'account',
    steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today' }],
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { code: 'request/validation_failed', errors: [{ field: '/grouping' }] }, bad.body);

  const created = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Grouped',
    grouping: 'customer',
    send_hour: 9,
    skip_weekends: false,
    steps: [
      { offset_days: 0, channel: 'email', template_key: 'due_today' },
      { offset_days: 7, channel: 'email', template_key: 'overdue_friendly' },
      { offset_days: 14, channel: 'email', template_key: 'overdue_firm' },
    ],
  });
  t.equal(created.statusCode, 201, created.body);
  const policy = created.json();
  t.equal(policy.grouping, 'customer');

  const dupont = await kit.customer(acme, { reminder_policy_id: policy.id, locale: 'en' });
  const other = await kit.customer(acme, {
    name: 'Martin',
    email: 'martin@example.com',
    reminder_policy_id: policy.id,
  });
  const invoice = (customer: string, number: string, due: string, currency = 'EUR') =>
    kit.invoice(acme, { customer_id: customer, number, due_date: due, issue_date: '2026-02-01', currency });
  const c = await invoice(dupont.id, 'C-1', '2026-03-02');
  const a = await invoice(dupont.id, 'A-1', '2026-03-09');
  const b = await invoice(dupont.id, 'B-1', '2026-03-09', 'GBP');
  const m = await invoice(other.id, 'M-1', '2026-03-09');

  const messagesOf = async (customerId: string): Promise<Message[]> => {
    const list = (await call(acme, 'GET', `/v1/messages?customer_id=${customerId}&limit=100`)).json().data;
    return Promise.all(
      list.map(async (x: { id: string }) => (await call(acme, 'GET', `/v1/messages/${x.id}`)).json()),
    ).then((all) => all.sort((x, y) => x.created_at.localeCompare(y.created_at)));
  };
  const at = async (day: string) => {
    clock.set(`${day}T09:00:00Z`);
    await kit.run();
  };

  await at('2026-03-02');
  let sent = await messagesOf(dupont.id);
  t.equal(sent.length, 1, 'one reminder due: its own message');
  t.match(sent[0], { invoice_id: c.id, group_key: null, template_key: 'due_today' });

  for (const day of ['03', '04', '05', '06', '07', '08', '09']) await at(`2026-03-${day}`);
  sent = await messagesOf(dupont.id);
  t.equal(sent.length, 2, 'the 9th: three reminders due, one message');
  const grouped = sent[1] as Message;
  t.match(grouped, {
    invoice_id: null,
    group_key: `${dupont.id}:2026-03-09:email`,
    template_key: 'grouped',
    to: ['compta@dupont.example'],
  });
  t.match(grouped.subject, /^Acme, 3 invoices, 1 overdue: /, grouped.subject);
  t.ok(grouped.subject.includes('£'), 'a total per currency, never summed across them');
  for (const number of ['A-1', 'B-1', 'C-1']) t.ok(grouped.text.includes(number), `${number} is listed`);
  t.match(grouped.text, /C-1, due date March 2, 2026, 7 days overdue \(reminded before\): €100\.00/);
  t.match(grouped.text, /A-1, due date March 9, 2026, due today: €100\.00/);
  t.match(grouped.text, /Total due: €200\.00/);
  t.match(grouped.text, /Total due: £100\.00/);
  t.match(grouped.text, /We have not yet received payment/, 'the tone of the most advanced step (friendly)');
  t.notMatch(grouped.text, /already written|despite/i, 'no earlier reminder claimed');
  for (const invoiceId of [a.id, b.id, c.id]) {
    const occurrence = (await kit.occurrences(acme, invoiceId)).find(
      (o) => o.status === 'sent' && o.message_id === grouped.id,
    );
    t.ok(occurrence, `the reminder of ${invoiceId} records the shared message`);
  }
  const aboutA = (await call(acme, 'GET', `/v1/messages?invoice_id=${a.id}`)).json().data;
  t.same(
    aboutA.map((x: { id: string }) => x.id),
    [grouped.id],
    'the grouped message is listed under each of its invoices',
  );
  const martin = await messagesOf(other.id);
  t.equal(martin.length, 1, 'another customer gets its own message');
  t.match(martin[0], { invoice_id: m.id, group_key: null });
  t.notOk(martin[0]?.text.includes('A-1'), 'and never sees the other customer’s invoices');

  // B is paid before the 16th: left out of the next message.
  const paid = await call(acme, 'POST', '/v1/payments', {
    customer_id: dupont.id,
    amount: 10000,
    currency: 'GBP',
    received_on: '2026-03-12',
    method: 'transfer',
    allocations: [{ invoice_id: b.id, amount: 10000 }],
  });
  t.equal(paid.statusCode, 201, paid.body);
  for (let day = 10; day <= 16; day++) await at(`2026-03-${day}`);
  sent = await messagesOf(dupont.id);
  t.equal(sent.length, 3);
  const firm = sent[2] as Message;
  t.match(firm, { group_key: `${dupont.id}:2026-03-16:email`, template_key: 'grouped' });
  t.match(firm.subject, /^Reminder: Acme, 2 invoices, 2 overdue: €200\.00$/, firm.subject);
  t.notOk(firm.text.includes('B-1'), 'the paid invoice is left out');
  t.match(firm.text, /We have already written to you about some of the invoices below/, 'firm, and true');
  const bOccurrences = await kit.occurrences(acme, b.id);
  t.match(
    bOccurrences.find((o) => o.offset_days === 7),
    { status: 'skipped' },
  );

  // The 23rd: only A's firm step is due: its own message.
  for (let day = 17; day <= 23; day++) await at(`2026-03-${day}`);
  sent = await messagesOf(dupont.id);
  t.equal(sent.length, 4);
  t.match(sent[3], { invoice_id: a.id, group_key: null, template_key: 'overdue_firm' });
  const events = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('events').select(['object_id', 'data']).where('type', '=', 'reminder.sent').execute(),
  );
  t.equal(
    events.filter((e) => (e.data as { message_id?: string }).message_id === grouped.id).length,
    3,
    'one reminder.sent per reminder the grouped message carried',
  );

  // GraphQL says the same.
  const gql = graphqlClient(ctx, acme.auth);
  const read = await gql(`{ reminderPolicy(id: "${policy.id}") { grouping } }`);
  t.same(read.data?.reminderPolicy, { grouping: 'customer' }, JSON.stringify(read.errors));
});

t.test('nothing is left to say: nothing is sent', async (t) => {
  const { kit, call, clock, acme, policy } = await groupedDay(t, 'email');
  const dupont = await kit.customer(acme, { reminder_policy_id: policy.id });
  const a = await kit.invoice(acme, { customer_id: dupont.id, due_date: '2026-03-09', issue_date: '2026-02-01' });
  const b = await kit.invoice(acme, { customer_id: dupont.id, due_date: '2026-03-09', issue_date: '2026-02-01' });
  for (const invoice of [a, b]) {
    const paid = await call(acme, 'POST', '/v1/payments', {
      customer_id: dupont.id,
      amount: 10000,
      currency: 'EUR',
      received_on: '2026-03-08',
      method: 'transfer',
      allocations: [{ invoice_id: invoice.id, amount: 10000 }],
    });
    t.equal(paid.statusCode, 201, paid.body);
  }
  clock.set('2026-03-09T09:00:00Z');
  await kit.run();
  t.same((await call(acme, 'GET', `/v1/messages?customer_id=${dupont.id}`)).json().data, []);
});

t.test('the preview renders a grouped message on the customer’s open invoices', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-20T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const dupont = await kit.customer(acme, { locale: 'fr' });
  const a = await kit.invoice(acme, {
    customer_id: dupont.id,
    number: 'A-1',
    due_date: '2026-03-02',
    issue_date: '2026-02-01',
  });
  await kit.invoice(acme, { customer_id: dupont.id, number: 'B-1', due_date: '2026-03-25', issue_date: '2026-02-01' });
  const preview = await call(acme, 'POST', '/v1/templates/preview', { key: 'grouped', invoice_id: a.id });
  t.equal(preview.statusCode, 200, preview.body);
  const body = preview.json();
  t.match(body, { key: 'grouped', locale: 'fr' });
  t.match(body.subject, /^Rappel – Acme\s:\s2 factures, dont 1 en retard\s:\s200,00/, body.subject);
  t.match(body.text, /A-1, échéance 2 mars 2026, en retard de 18 jours\s:\s100,00/);
  t.match(body.text, /B-1, échéance 25 mars 2026, échéance dans 5 jours/);
  t.match(body.sms.text, /Acme : 2 factures à régler, dont 1 en retard\. Total : 200,00/);
  t.match(
    body.text,
    /Les factures ci-dessous restent impayées/,
    'firm, and no earlier reminder claimed: none was sent',
  );
  const listed = (await call(acme, 'GET', '/v1/templates')).json().data.map((x: { key: string }) => x.key);
  t.ok(listed.includes('grouped'), 'the grouped template is listed with the others');
  // An account's own version is tried on a sample group before it is stored.
  const broken = await call(acme, 'PUT', '/v1/templates/grouped/en', {
    subject: '{{#each invoices}}{{this.nummber}}{{/each}}',
    html: '<p>x</p>',
    text: 'x',
  });
  t.equal(broken.statusCode, 422, broken.body);
  const own = await call(acme, 'PUT', '/v1/templates/grouped/en', {
    subject: '{{group.count}} open invoices',
    html: '<p>{{#each invoices}}{{this.number}} {{/each}}</p>',
    text: '{{#each invoices}}{{this.number}} {{/each}}',
  });
  t.equal(own.statusCode, 200, own.body);
});

// Through the real Resend SDK against the stand-in: the grouped email is one call under the
// group's key, and it settles every reminder it carries. Turned away once (429), it waits; an
// invoice paid meanwhile leaves the stored message unsent, and the rest is composed anew.
t.test('a grouped email through Resend: one call, a retry, a payment before the call', async (t) => {
  const ctx = await setupApp(t);
  const resend = await startResendStandIn();
  t.teardown(() => resend.close());
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-01T08:00:00Z');
  const services = createServices({
    database: ctx.database,
    clock,
    transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
  });
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  await call(acme, 'PATCH', '/v1/account', { sender_email: 'billing@acme.example', sender_name: 'Acme' });
  const policy = (
    await call(acme, 'POST', '/v1/reminder_policies', {
      name: 'Grouped',
      grouping: 'customer',
      send_hour: 9,
      skip_weekends: false,
      steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today' }],
    })
  ).json();
  const dupont = await kit.customer(acme, { reminder_policy_id: policy.id, locale: 'en' });
  const invoices: Array<{ id: string }> = [];
  for (const number of ['A-1', 'B-1', 'C-1'])
    invoices.push(
      await kit.invoice(acme, { customer_id: dupont.id, number, due_date: '2026-03-09', issue_date: '2026-02-01' }),
    );
  const [a, b, c] = invoices as [{ id: string }, { id: string }, { id: string }];
  const run = () => services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const statuses = async () => Promise.all(invoices.map(async (i) => (await kit.occurrences(acme, i.id))[0]?.status));

  resend.failNext(1, 429);
  clock.set('2026-03-09T09:00:00Z');
  await run();
  t.same(await statuses(), ['sending', 'sending', 'sending'], 'turned away: all three wait, none failed');
  const first = resend.requests.filter((r) => r.path === '/emails');
  t.equal(first.length, 1, 'one call for the three');
  t.equal(first[0]?.headers['idempotency-key'], `${dupont.id}:2026-03-09:email`, 'under the group key');

  // B is paid before the next try: the stored message (which lists B) is never sent.
  const paid = await call(acme, 'POST', '/v1/payments', {
    customer_id: dupont.id,
    amount: 10000,
    currency: 'EUR',
    received_on: '2026-03-09',
    method: 'transfer',
    allocations: [{ invoice_id: b.id, amount: 10000 }],
  });
  t.equal(paid.statusCode, 201, paid.body);
  clock.set('2026-03-09T09:05:00Z');
  await run();
  await run();
  t.same(await statuses(), ['sent', 'skipped', 'sent']);
  const emails = resend.requests.filter((r) => r.path === '/emails' || r.path === '/emails/batch');
  t.equal(emails.length, 2, 'the refused call, then the new message');
  const body = emails[1]?.body as { text: string; subject: string };
  t.match(body.subject, /2 invoices/);
  t.ok(body.text.includes('A-1') && body.text.includes('C-1'), 'A and C listed');
  t.notOk(body.text.includes('B-1'), 'B, paid, is not');
  const messages = (await call(acme, 'GET', `/v1/messages?customer_id=${dupont.id}`)).json().data;
  t.same(
    messages.map((m: { status: string }) => m.status).sort(),
    ['canceled', 'sent'],
    'the first message canceled, the second sent',
  );
  const sentMessage = messages.find((m: { status: string }) => m.status === 'sent');
  for (const invoice of [a, c]) {
    const [occurrence] = await kit.occurrences(acme, invoice.id);
    t.equal(occurrence?.message_id, sentMessage.id, 'each reminder names the message that carried it');
  }
  clock.set('2026-03-10T09:05:00Z');
  await run();
  t.equal(
    resend.requests.filter((r) => r.path === '/emails' || r.path === '/emails/batch').length,
    2,
    'nothing more goes out',
  );
});

// Two workers each take part of a customer's day at the same moment: each widens its batch to
// the customer's whole day, they take turns on the invoices' locks, and one message goes out.
t.test('two workers, one customer, one day: one message', async (t) => {
  const { ctx, kit, call, clock, acme, policy } = await groupedDay(t, 'email');
  const dupont = await kit.customer(acme, { reminder_policy_id: policy.id });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const invoice = await kit.invoice(acme, {
      customer_id: dupont.id,
      number: `G-${i}`,
      due_date: '2026-03-09',
      issue_date: '2026-02-01',
    });
    await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
    const [occurrence] = await kit.occurrences(acme, invoice.id);
    if (occurrence) ids.push(occurrence.id);
  }
  t.equal(ids.length, 6, 'six reminders planned');
  clock.set('2026-03-09T09:00:00Z');
  const other = createServices({ database: ctx.database, clock });
  const [first, second] = await Promise.all([
    ctx.services.reminders.engine.processMany(acme.accountId, ids.slice(0, 3)),
    other.reminders.engine.processMany(acme.accountId, ids.slice(3)),
  ]);
  const outcomes = [...first.values(), ...second.values()].filter((o) => o === 'sent');
  t.equal(outcomes.length, 6, 'every reminder sent once, by one worker or the other');
  const messages = (await call(acme, 'GET', `/v1/messages?customer_id=${dupont.id}`)).json().data;
  t.equal(messages.length, 1, 'one message');
  t.match(messages[0], { group_key: `${dupont.id}:2026-03-09:email`, subject: /6 invoices/ });
});

t.test('text messages group too: one text for the day', async (t) => {
  const { kit, call, clock, acme, policy } = await groupedDay(t, 'sms');
  const dupont = await kit.customer(acme, { reminder_policy_id: policy.id, mobile: '+33612345678', locale: 'en' });
  for (const number of ['T-1', 'T-2'])
    await kit.invoice(acme, { customer_id: dupont.id, number, due_date: '2026-03-09', issue_date: '2026-02-01' });
  clock.set('2026-03-09T10:00:00Z'); // a Monday, daytime
  await kit.run();
  const texts = (await call(acme, 'GET', `/v1/messages?customer_id=${dupont.id}`)).json().data;
  t.equal(texts.length, 1, 'one text');
  const text = (await call(acme, 'GET', `/v1/messages/${texts[0].id}`)).json();
  t.match(text, {
    channel: 'sms',
    to: ['+33612345678'],
    group_key: `${dupont.id}:2026-03-09:sms`,
    template_key: 'grouped',
  });
  t.match(text.text, /^Acme: 2 invoices to pay\. Total: €200\.00\./);
});
