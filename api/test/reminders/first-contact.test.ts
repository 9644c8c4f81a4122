import t, { type Test } from 'tap';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';

// First contact and catch-up, played through the test clock day by day: a backlog invoice gets
// one first overdue notice at the next send time (never a "despite our reminders", never at
// night), then the schedule resumes after the policy's minimum gap; after downtime, one message
// and not a burst; a due-today email moved past a weekend speaks of the day it fell due.

interface Entry {
  id: string;
  offset_days: number;
  channel: string;
  template_key: string | null;
  status: string;
  scheduled_at: string | null;
  reason: string | null;
  sent_as: string | null;
  folded_into: string | null;
  sent_at: string | null;
  task_id: string | null;
}

async function sandbox(t: Test, ctx: TestContext, name: string) {
  const account = await ctx.createAccount({ name, mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: account.auth, ...(payload && { payload }) });
  const advance = async (to: string) => {
    const res = await call('POST', '/v1/test_clock/advance', { to });
    t.equal(res.statusCode, 200, `advance to ${to}: ${res.body}`);
  };
  const timeline = async (invoiceId: string): Promise<Entry[]> =>
    (await call('GET', `/v1/invoices/${invoiceId}/timeline`)).json().reminders;
  return { account, call, advance, timeline };
}

/** The messages and tasks of an invoice, oldest first, as stored. */
async function sentOf(ctx: TestContext, account: TestAccount, invoiceId: string) {
  return ctx.database.withAccount(account.accountId, async (trx) => ({
    messages: await trx
      .selectFrom('messages')
      .select(['template_key', 'subject', 'text', 'created_at'])
      .where('invoice_id', '=', invoiceId)
      .orderBy('created_at')
      .execute(),
    tasks: await trx
      .selectFrom('tasks')
      .select(['kind', 'created_at'])
      .where('invoice_id', '=', invoiceId)
      .orderBy('created_at')
      .execute(),
  }));
}

/** Day by day at 12:00 UTC from `from` to `to` included (the clock stops at each reminder on the way). */
async function dayByDay(advance: (to: string) => Promise<void>, from: string, to: string) {
  for (
    let day = new Date(`${from}T12:00:00Z`);
    day <= new Date(`${to}T12:00:00Z`);
    day = new Date(day.getTime() + 86_400_000)
  )
    await advance(day.toISOString());
}

t.test('a backlog invoice: one first overdue notice at the send time, the letter after the gap', async (t) => {
  const ctx = await setupApp(t);
  const { account, call, advance, timeline } = await sandbox(t, ctx, 'Backlog');
  // Monday 2 March 2026, 07:00 in Paris: before the policy's 09:00.
  await advance('2026-03-02T06:00:00Z');
  const customer = (
    await call('POST', '/v1/customers', { name: 'Client ancien', email: 'ancien@example.fr', locale: 'fr' })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'OLD-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 50_000,
      issue_date: '2025-04-14',
      due_date: '2025-05-13',
    })
  ).json();
  await advance('2026-03-02T07:59:00Z');
  t.same(
    (await sentOf(ctx, account, invoice.id)).messages,
    [],
    'nothing before the send time, though every step is past',
  );

  await dayByDay(advance, '2026-03-02', '2026-03-10');
  const { messages, tasks } = await sentOf(ctx, account, invoice.id);
  t.equal(messages.length, 1, 'one message, not a burst');
  const [notice] = messages;
  t.equal(notice?.template_key, 'first_overdue');
  t.equal(notice?.created_at.toISOString(), '2026-03-02T08:00:00.000Z', '09:00 in Paris');
  t.match(notice?.subject, /OLD-1 en retard de 293 jours/);
  t.match(notice?.text, /en\s+retard\s+de\s+293\s+jours/, 'states the days late');
  t.match(notice?.text, /dû à ce jour s'élève à 500,00\s€/, 'and the amount due');
  t.notMatch(notice?.text, /relance|rappel|malgré/i, 'never claims earlier reminders');

  t.same(
    tasks.map((task) => [task.kind, task.created_at.toISOString()]),
    [['letter', '2026-03-05T08:00:00.000Z']],
    'the formal letter waits the 3-day gap; the call of day 14 is folded',
  );

  const entries = await timeline(invoice.id);
  const final = entries.find((e) => e.template_key === 'final_notice');
  t.match(final, { status: 'sent', sent_as: 'first_overdue', sent_at: '2026-03-02T08:00:00.000Z' });
  const folded = entries.filter((e) => e.offset_days < 30);
  t.equal(folded.length, 5);
  t.ok(
    folded.every((e) => e.status === 'skipped' && e.reason === 'stale' && e.folded_into === final?.id),
    'the five earlier steps are folded into it',
  );
  t.match(
    entries.find((e) => e.channel === 'letter'),
    { status: 'sent', reason: 'min_gap' },
  );

  const events = (await call('GET', '/v1/events?type=reminder.sent')).json().data;
  t.match(
    events.find((e: { data: { id: string } }) => e.data.id === final?.id)?.data,
    { template_key: 'final_notice', sent_as: 'first_overdue' },
    'reminder.sent says what went out',
  );
});

t.test('registered just before the next step: it keeps the minimum gap after the catch-up', async (t) => {
  const ctx = await setupApp(t);
  const { account, call, advance, timeline } = await sandbox(t, ctx, 'Gap');
  // Due Monday 2 March; registered Thursday 12 March at 10:00 in Paris, day 10.
  await advance('2026-03-12T09:00:00Z');
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'GAP-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 20_000,
      issue_date: '2026-02-02',
      due_date: '2026-03-02',
    })
  ).json();
  await dayByDay(advance, '2026-03-12', '2026-03-20');
  const { messages, tasks } = await sentOf(ctx, account, invoice.id);
  t.same(
    messages.map((m) => [m.template_key, m.created_at.toISOString()]),
    [
      ['overdue_friendly', '2026-03-12T12:00:00.000Z'],
      ['overdue_firm', '2026-03-16T08:00:00.000Z'],
    ],
    'the friendly step may open (its own text), now; the firm one waits until Monday 16, day 14 (3 days after, weekend skipped)',
  );
  t.same(
    tasks.map((task) => [task.kind, task.created_at.toISOString()]),
    [['call', '2026-03-16T08:00:00.000Z']],
  );
  const entries = await timeline(invoice.id);
  const friendly = entries.find((e) => e.template_key === 'overdue_friendly');
  t.equal(friendly?.sent_as, null, 'a step that may open goes as itself');
  t.same(
    entries.filter((e) => e.offset_days < 7).map((e) => [e.status, e.folded_into]),
    [
      ['skipped', friendly?.id],
      ['skipped', friendly?.id],
    ],
  );
});

t.test('after downtime: one catch-up message, then the gap; nothing at night', async (t) => {
  const ctx = await setupApp(t);
  const { account, call, advance, timeline } = await sandbox(t, ctx, 'Downtime');
  await advance('2026-02-16T09:00:00Z');
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'DOWN-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 30_000,
      issue_date: '2026-02-02',
      due_date: '2026-03-02',
    })
  ).json();
  await dayByDay(advance, '2026-02-16', '2026-03-03');
  t.same(
    (await sentOf(ctx, account, invoice.id)).messages.map((m) => m.template_key),
    ['before_due', 'due_today'],
  );
  // The service is down from 3 March to Friday 20 March, 03:00 in Paris: nothing ran meanwhile.
  await ctx.database.withAccount(account.accountId, (trx) =>
    trx
      .updateTable('account_clocks')
      .set({ now: new Date('2026-03-20T02:00:00Z') })
      .where('account_id', '=', account.accountId)
      .execute(),
  );
  await advance('2026-03-20T02:01:00Z');
  t.equal((await sentOf(ctx, account, invoice.id)).messages.length, 2, 'nothing at 03:00');
  await dayByDay(advance, '2026-03-20', '2026-03-24');
  const { messages, tasks } = await sentOf(ctx, account, invoice.id);
  t.same(
    messages.map((m) => [m.template_key, m.created_at.toISOString()]),
    [
      ['before_due', '2026-02-23T08:00:00.000Z'],
      ['due_today', '2026-03-02T08:00:00.000Z'],
      ['overdue_firm', '2026-03-20T08:00:00.000Z'],
    ],
    'the friendly step is folded into the firm one, sent at 09:00 as itself (the customer had reminders)',
  );
  t.same(
    tasks.map((task) => [task.kind, task.created_at.toISOString()]),
    [['call', '2026-03-23T08:00:00.000Z']],
    'the day-14 call waits the gap (Monday 23, after the weekend)',
  );
  const entries = await timeline(invoice.id);
  const firm = entries.find((e) => e.template_key === 'overdue_firm');
  t.match(
    entries.find((e) => e.template_key === 'overdue_friendly'),
    { status: 'skipped', folded_into: firm?.id },
  );
  t.match(
    entries.find((e) => e.channel === 'call'),
    { reason: 'min_gap' },
  );
});

t.test('the gap holds through a replan, and a step may be allowed to open', async (t) => {
  const ctx = await setupApp(t);
  const { account, call, advance } = await sandbox(t, ctx, 'Replan');
  const policies = (await call('GET', '/v1/reminder_policies')).json().data;
  const policy = policies[0];
  t.same(
    policy.steps.map((s: { offset_days: number; channel: string; first_contact_allowed: boolean }) => [
      s.offset_days,
      s.channel,
      s.first_contact_allowed,
    ]),
    [
      [-7, 'email', true],
      [0, 'email', true],
      [7, 'email', true],
      [14, 'email', false],
      [14, 'call', false],
      [30, 'email', false],
      [30, 'letter', false],
    ],
    'defaults: before and on the due date and the friendly step may open',
  );
  t.equal(policy.min_gap_days, 3);
  const bad = await call('PATCH', `/v1/reminder_policies/${policy.id}`, { min_gap_days: 31 });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'request/validation_failed');

  await advance('2026-03-02T09:00:00Z');
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'RP-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10_000,
      issue_date: '2025-12-01',
      due_date: '2026-01-01',
    })
  ).json();
  await advance('2026-03-02T10:00:00Z');
  // A policy change replans the invoice: the letter's planned time is long past, but the gap holds.
  const patched = await call('PATCH', `/v1/reminder_policies/${policy.id}`, { send_minute: 15 });
  t.equal(patched.statusCode, 200, patched.body);
  await dayByDay(advance, '2026-03-02', '2026-03-06');
  const { tasks } = await sentOf(ctx, account, invoice.id);
  t.same(
    tasks.map((task) => [task.kind, task.created_at.toISOString()]),
    [['letter', '2026-03-05T08:00:00.000Z']],
  );

  // A policy whose firm step may open: it goes out as itself.
  const own = await call('POST', '/v1/reminder_policies', {
    name: 'Firm may open',
    steps: [{ offset_days: 14, channel: 'email', template_key: 'overdue_firm', first_contact_allowed: true }],
  });
  t.equal(own.statusCode, 201, own.body);
  t.equal(own.json().steps[0].first_contact_allowed, true);
  const late = (
    await call('POST', '/v1/invoices', {
      number: 'RP-2',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10_000,
      issue_date: '2026-01-01',
      due_date: '2026-02-01',
      reminder_policy_id: own.json().id,
    })
  ).json();
  // The customer had the letter on the 5th: its contact budget (two days apart) holds this one
  // to the 7th, a Saturday, and the policy skips weekends: Monday the 9th.
  await advance('2026-03-06T12:00:00Z');
  t.same((await sentOf(ctx, account, late.id)).messages, []);
  await advance('2026-03-09T12:00:00Z');
  t.same(
    (await sentOf(ctx, account, late.id)).messages.map((m) => m.template_key),
    ['overdue_firm'],
  );

  const gql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: account.auth,
    payload: { query: '{ reminderPolicies { data { minGapDays steps { offsetDays firstContactAllowed } } } }' },
  });
  t.match(gql.json().data.reminderPolicies.data[0], {
    minGapDays: 3,
    steps: [{ offsetDays: -7, firstContactAllowed: true }],
  });
});

t.test('a due-today email moved past the weekend speaks of the day it fell due', async (t) => {
  const ctx = await setupApp(t);
  const { account, call, advance } = await sandbox(t, ctx, 'Weekend');
  await advance('2026-12-01T09:00:00Z');
  const fr = (await call('POST', '/v1/customers', { name: 'Client', email: 'fr@example.fr', locale: 'fr' })).json();
  const en = (await call('POST', '/v1/customers', { name: 'Client', email: 'en@example.com', locale: 'en' })).json();
  const invoices = [];
  for (const [i, customer] of [fr, en].entries()) {
    invoices.push(
      (
        await call('POST', '/v1/invoices', {
          number: `WE-${i}`,
          customer_id: customer.id,
          currency: 'EUR',
          subtotal: 10_000,
          issue_date: '2026-11-12',
          // Saturday 12 December: the due-today email goes on Monday 14.
          due_date: '2026-12-12',
        })
      ).json(),
    );
  }
  await dayByDay(advance, '2026-12-01', '2026-12-14');
  const [frSent, enSent] = await Promise.all(
    invoices.map(async (i) => (await sentOf(ctx, account, i.id)).messages.find((m) => m.template_key === 'due_today')),
  );
  t.equal(frSent?.created_at.toISOString(), '2026-12-14T08:00:00.000Z');
  t.match(frSent?.subject, /échue le samedi 12 décembre 2026/);
  t.match(frSent?.text, /est arrivée à échéance le samedi 12 décembre 2026/);
  t.notMatch(frSent?.subject + (frSent?.text ?? ''), /aujourd'hui/);
  t.match(enSent?.subject, /was due on Saturday, December 12, 2026/);
  t.match(enSent?.text, /fell due on Saturday, December 12, 2026/);
  t.notMatch(enSent?.subject + (enSent?.text ?? ''), /due today/);
});
