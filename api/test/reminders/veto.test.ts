import t from 'tap';
import { setupApp } from '../helpers/app.ts';

// A veto before sending, played through the test clock: `reminder.upcoming` goes out 24 hours
// before a reminder; the integrator holds one until a day (a replan does not bring it back
// earlier) or cancels one for good; neither can stop a reminder already sent.

interface Entry {
  id: string;
  template_key: string | null;
  status: string;
  scheduled_at: string | null;
  reason: string | null;
  sent_at: string | null;
}

t.test('reminder.upcoming, then hold and cancel', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme', mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, auth = acme.auth) =>
    ctx.app.inject({ method: method as 'GET', url, headers: auth, ...(payload && { payload }) });
  const advance = async (to: string) => {
    const res = await call('POST', '/v1/test_clock/advance', { to });
    t.equal(res.statusCode, 200, `advance to ${to}: ${res.body}`);
  };
  const events = async (type: string) =>
    (await call('GET', `/v1/events?type=${type}&limit=100`)).json().data as Array<{
      created_at: string;
      data: Record<string, unknown>;
    }>;
  const timeline = async (id: string): Promise<Entry[]> =>
    (await call('GET', `/v1/invoices/${id}/timeline`)).json().reminders;

  await advance('2026-03-02T08:00:00Z');
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  // Due Monday 16 March: before-due on Monday 9, due-today on the 16th, both 09:00 in Paris.
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'V-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10_000,
      issue_date: '2026-02-16',
      due_date: '2026-03-16',
    })
  ).json();
  await advance('2026-03-08T07:59:00Z');
  t.same(await events('reminder.upcoming'), [], 'nothing announced more than 24 hours ahead');
  await advance('2026-03-08T09:00:00Z');
  const [upcoming] = await events('reminder.upcoming');
  const beforeDue = (await timeline(invoice.id)).find((e) => e.template_key === 'before_due');
  t.match(upcoming, {
    created_at: '2026-03-08T08:00:00.000Z',
    data: { id: beforeDue?.id, template_key: 'before_due', scheduled_at: '2026-03-09T08:00:00.000Z' },
  });

  // Held until Thursday 12.
  const held = await call('POST', `/v1/reminders/${beforeDue?.id}/hold`, { until: '2026-03-12' });
  t.equal(held.statusCode, 200, held.body);
  t.match(held.json(), {
    object: 'reminder_delivery',
    status: 'scheduled',
    held_until: '2026-03-12',
    scheduled_at: '2026-03-12T08:00:00.000Z',
    reason: 'vetoed',
  });
  t.match((await events('reminder.held'))[0]?.data, { id: beforeDue?.id, held_until: '2026-03-12' });
  await advance('2026-03-10T12:00:00Z');
  // A policy change replans the invoice: the hold stays.
  const [policy] = (await call('GET', '/v1/reminder_policies')).json().data;
  t.equal((await call('PATCH', `/v1/reminder_policies/${policy.id}`, { send_minute: 30 })).statusCode, 200);
  await advance('2026-03-12T07:00:00Z');
  t.match(
    (await timeline(invoice.id)).find((e) => e.id === beforeDue?.id),
    { status: 'scheduled', sent_at: null },
  );
  await advance('2026-03-12T12:00:00Z');
  t.match(
    (await timeline(invoice.id)).find((e) => e.id === beforeDue?.id),
    { status: 'sent', sent_at: '2026-03-12T08:30:00.000Z' },
    "sent on the day it was held until, at the policy's (new) send time",
  );

  // Cancel the due-today reminder: for good, even through a replan.
  const dueToday = (await timeline(invoice.id)).find((e) => e.template_key === 'due_today');
  const canceled = await call('POST', `/v1/reminders/${dueToday?.id}/cancel`);
  t.equal(canceled.statusCode, 200, canceled.body);
  t.match(canceled.json(), { status: 'skipped', reason: 'canceled' });
  const again = await call('POST', `/v1/reminders/${dueToday?.id}/cancel`);
  t.same(again.json(), canceled.json(), 'cancelling again changes nothing');
  t.equal((await call('PATCH', `/v1/reminder_policies/${policy.id}`, { send_minute: 0 })).statusCode, 200);
  await advance('2026-03-17T12:00:00Z');
  t.match(
    (await timeline(invoice.id)).find((e) => e.id === dueToday?.id),
    { status: 'skipped', reason: 'canceled' },
  );
  t.ok(
    (await events('reminder.skipped')).some((e) => e.data.id === dueToday?.id && e.data.reason === 'canceled'),
    'reminder.skipped says canceled',
  );

  // What cannot be stopped, and bad input.
  const sent = await call('POST', `/v1/reminders/${beforeDue?.id}/hold`, { until: '2026-03-30' });
  t.equal(sent.statusCode, 409);
  t.equal(sent.json().code, 'reminder/not_pending');
  t.equal((await call('POST', `/v1/reminders/${beforeDue?.id}/cancel`)).json().code, 'reminder/not_pending');
  const friendly = (await timeline(invoice.id)).find((e) => e.template_key === 'overdue_friendly');
  const past = await call('POST', `/v1/reminders/${friendly?.id}/hold`, { until: '2026-03-17' });
  t.equal(past.statusCode, 422);
  t.match(past.json(), { code: 'reminder/invalid_hold', errors: [{ field: '/until' }] });
  const malformed = await call('POST', `/v1/reminders/${friendly?.id}/hold`, { until: 'soon' });
  t.equal(malformed.statusCode, 400);
  t.equal((await call('POST', '/v1/reminders/occ_01jzzzzzzzzzzzzzzzzzzzzzzz/cancel')).statusCode, 404);
  const other = await ctx.createAccount({ name: 'Other' });
  const theirs = await call('POST', `/v1/reminders/${friendly?.id}/cancel`, undefined, other.auth);
  t.equal(theirs.statusCode, 404, "another account cannot touch this account's reminders");
  t.match(
    (await timeline(invoice.id)).find((e) => e.id === friendly?.id),
    { status: 'scheduled' },
  );

  // GraphQL: the same two doors.
  const gql = (query: string) =>
    ctx.app.inject({ method: 'POST', url: '/graphql', headers: acme.auth, payload: { query } });
  const holdGql = await gql(
    `mutation { holdReminder(id: "${friendly?.id}", until: "2026-03-27") { status heldUntil } }`,
  );
  t.same(holdGql.json().data.holdReminder, { status: 'scheduled', heldUntil: '2026-03-27' });
  const cancelGql = await gql(`mutation { cancelReminder(id: "${friendly?.id}") { status reason } }`);
  t.same(cancelGql.json().data.cancelReminder, { status: 'skipped', reason: 'canceled' });
});

t.test('upcoming_hours: configurable, 0 turns the event off', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme', mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const [policy] = (await call('GET', '/v1/reminder_policies')).json().data;
  t.equal(policy.upcoming_hours, 24);
  const tooLong = await call('PATCH', `/v1/reminder_policies/${policy.id}`, { upcoming_hours: 169 });
  t.equal(tooLong.statusCode, 400);
  t.equal(
    (await call('PATCH', `/v1/reminder_policies/${policy.id}`, { upcoming_hours: 72 })).json().upcoming_hours,
    72,
  );
  await call('POST', '/v1/test_clock/advance', { to: '2026-03-02T08:00:00Z' });
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.fr' })).json();
  await call('POST', '/v1/invoices', {
    number: 'U-1',
    customer_id: customer.id,
    currency: 'EUR',
    subtotal: 10_000,
    issue_date: '2026-02-16',
    due_date: '2026-03-16',
  });
  await call('POST', '/v1/test_clock/advance', { to: '2026-03-06T09:00:00Z' });
  const announced = (await call('GET', '/v1/events?type=reminder.upcoming')).json().data;
  t.same(
    announced.map((e: { created_at: string }) => e.created_at),
    ['2026-03-06T08:00:00.000Z'],
    '72 hours before Monday 9, 09:00',
  );
  t.equal((await call('PATCH', `/v1/reminder_policies/${policy.id}`, { upcoming_hours: 0 })).statusCode, 200);
  await call('POST', '/v1/test_clock/advance', { to: '2026-03-17T09:00:00Z' });
  t.equal((await call('GET', '/v1/events?type=reminder.upcoming')).json().data.length, 1, 'no more with 0');
});
