import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('reminder policies: CRUD, resolution, and changes that never resend', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const run = () => ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });

  const list = (await call('GET', '/v1/reminder_policies')).json();
  t.equal(list.data.length, 1);
  const def = list.data[0];
  t.match(def, { is_default: true, name: 'Default follow-up', send_hour: 9, skip_weekends: true });
  t.same(
    def.steps.map((s: { offset_days: number; channel: string }) => `${s.offset_days}:${s.channel}`),
    ['-7:email', '0:email', '7:email', '14:email', '14:call', '30:email', '30:letter'],
  );

  t.test('validation', async (t) => {
    for (const body of [
      { name: 'x', steps: [] },
      { name: 'x', steps: [{ offset_days: 0, channel: 'email' }] },
      { name: 'x', steps: [{ offset_days: 0, channel: 'fax', template_key: 'a' }] },
      { name: 'x', steps: [{ offset_days: 999, channel: 'call' }] },
      { name: 'x', steps: [{ offset_days: 0, channel: 'call' }], send_hour: 24 },
      { name: 'x', steps: [{ offset_days: 0, channel: 'call', id: 'step_01aaaaaaaaaaaaaaaaaaaaaaaa' }] },
      { name: 'x', steps: [{ offset_days: 0, channel: 'call' }], min_balance: { eur: 5 } },
    ]) {
      const res = await call('POST', '/v1/reminder_policies', body);
      t.equal(res.statusCode, 400, JSON.stringify(body));
      t.equal(res.json().code, 'request/validation_failed');
    }
  });

  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'P-1',
      customer_id: customer.id,
      subtotal: 1000,
      issue_date: '2026-03-01',
      due_date: '2026-03-10',
    })
  ).json();

  t.test('a policy change applies to what is still to come; nothing sent is sent again', async (t) => {
    for (const at of ['2026-03-03T12:00:00Z', '2026-03-10T12:00:00Z']) {
      clock.set(at); // the -7 and due-date emails go out
      await run();
    }
    let timeline = (await call('GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    const sentBefore = timeline.reminders
      .filter((r: { status: string }) => r.status === 'sent')
      .map((r: { step_id: string }) => r.step_id);
    t.equal(sentBefore.length, 2);

    // Keep the first two steps (same ids), drop the rest, add a +3 email.
    const steps = def.steps.slice(0, 2).map((s: object) => ({ ...s }));
    const updated = await call('PATCH', `/v1/reminder_policies/${def.id}`, {
      steps: [...steps, { offset_days: 3, channel: 'email', template_key: 'overdue_friendly' }],
    });
    t.equal(updated.statusCode, 200, updated.body);
    for (const at of ['2026-03-13T12:00:00Z', '2026-03-20T12:00:00Z']) {
      clock.set(at);
      await run();
    }
    timeline = (await call('GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    const byStatus = (status: string) => timeline.reminders.filter((r: { status: string }) => r.status === status);
    t.equal(byStatus('sent').length, 3, 'the two sent before, and the new +3 step');
    t.equal(byStatus('canceled').length, 5, 'the removed steps are canceled');
    const messages = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('messages').select('occurrence_id').execute(),
    );
    t.equal(messages.length, 3, 'no message was sent twice');
    t.equal(new Set(messages.map((m) => m.occurrence_id)).size, 3);
  });

  t.test('resolution: invoice override, then customer policy, then account default', async (t) => {
    const quiet = (
      await call('POST', '/v1/reminder_policies', { name: 'Quiet', steps: [{ offset_days: 60, channel: 'letter' }] })
    ).json();
    const loud = (
      await call('POST', '/v1/reminder_policies', {
        name: 'Loud',
        steps: [
          { offset_days: 1, channel: 'call' },
          { offset_days: 2, channel: 'call' },
        ],
      })
    ).json();
    t.equal(quiet.is_default, false);
    const vip = (
      await call('POST', '/v1/customers', { name: 'VIP', email: 'vip@example.com', reminder_policy_id: quiet.id })
    ).json();
    t.equal(vip.reminder_policy_id, quiet.id);
    const a = (
      await call('POST', '/v1/invoices', { number: 'P-2', customer_id: vip.id, subtotal: 1, due_date: '2026-04-30' })
    ).json();
    const b = (
      await call('POST', '/v1/invoices', {
        number: 'P-3',
        customer_id: vip.id,
        subtotal: 1,
        due_date: '2026-04-30',
        reminder_policy_id: loud.id,
      })
    ).json();
    const c = (
      await call('POST', '/v1/invoices', {
        number: 'P-4',
        customer_id: customer.id,
        subtotal: 1,
        due_date: '2026-04-30',
      })
    ).json();
    const steps = async (id: string) => (await call('GET', `/v1/invoices/${id}/timeline`)).json().reminders.length;
    t.equal(await steps(a.id), 1, 'the customer policy');
    t.equal(await steps(b.id), 2, 'the invoice override');
    t.equal(await steps(c.id), 3, 'the account default (as changed above)');
    const inUse = await call('DELETE', `/v1/reminder_policies/${quiet.id}`);
    t.equal(inUse.statusCode, 409);
    t.equal(inUse.json().code, 'reminder_policy/in_use');
    const unknown = await call('POST', '/v1/invoices', {
      number: 'P-5',
      customer_id: customer.id,
      subtotal: 1,
      due_date: '2026-04-30',
      reminder_policy_id: 'rp_01aaaaaaaaaaaaaaaaaaaaaaaa',
    });
    t.equal(unknown.json().code, 'reminder_policy/not_found');
    const other = await ctx.createAccount({ name: 'Other' });
    t.equal(
      (await ctx.app.inject({ method: 'GET', url: `/v1/reminder_policies/${loud.id}`, headers: other.auth }))
        .statusCode,
      404,
    );
    t.equal(
      (await ctx.app.inject({ method: 'GET', url: `/v1/invoices/${a.id}/timeline`, headers: other.auth })).statusCode,
      404,
    );
    const gql = await ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: other.auth,
      payload: {
        query: `{ reminderPolicy(id: "${loud.id}") { id } invoiceTimeline(invoiceId: "${a.id}") { invoiceId } }`,
      },
    });
    t.same(gql.json().data, { reminderPolicy: null, invoiceTimeline: null });
  });
});

t.test('a policy change is replanned in the background; the sender replans its invoices meanwhile', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const { scheduler, engine } = ctx.services.reminders;
  const def = (await call('GET', '/v1/reminder_policies')).json().data[0];
  const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
  for (const number of ['B-1', 'B-2', 'B-3'])
    await call('POST', '/v1/invoices', {
      number,
      customer_id: customer.id,
      subtotal: 1000,
      issue_date: '2026-03-01',
      due_date: '2026-03-10',
    });
  await call('POST', '/v1/invoices', {
    number: 'B-4',
    customer_id: customer.id,
    subtotal: 1000,
    issue_date: '2026-03-01',
    due_date: '2026-03-10',
    status: 'draft',
  });
  await scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  const flagged = () =>
    ctx.database.withAccount(
      acme.accountId,
      async (trx) => (await trx.selectFrom('invoice_replans').select('invoice_id').execute()).length,
    );

  const renamed = await call('PATCH', `/v1/reminder_policies/${def.id}`, { name: 'Renamed' });
  t.equal(renamed.json().invoices_to_replan, 0, 'a new name replans nothing');
  // Drop the -7 step: its reminders (due on 2026-03-03 at 09:00) are to be canceled.
  const changed = await call('PATCH', `/v1/reminder_policies/${def.id}`, { steps: def.steps.slice(1) });
  t.equal(changed.statusCode, 200, changed.body);
  t.equal(changed.json().invoices_to_replan, 3, 'the answer says how many open invoices will be replanned');
  t.equal(await flagged(), 0, 'nothing flagged inside the request');
  const gql = await call('POST', '/graphql', { query: `{ reminderPolicy(id: "${def.id}") { invoicesToReplan } }` });
  t.same(gql.json().data, { reminderPolicy: { invoicesToReplan: 3 } });

  // Before any tick flags them, the -7 reminders fall due: the sender replans first, sends nothing.
  clock.set('2026-03-03T12:00:00Z');
  const due = await scheduler.dueOccurrences({ kind: 'live', now: clock.now() });
  t.equal(due.length, 3);
  const outcomes = await engine.processMany(
    acme.accountId,
    due.map((o) => o.id),
  );
  t.same(
    [...outcomes.values()].filter((o) => o !== 'noop'),
    [],
    'no reminder of the removed step was acted on',
  );
  const messages = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('messages').select('id').execute(),
  );
  t.equal(messages.length, 0, 'no message');
  const statuses = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx.selectFrom('reminder_occurrences').select('status').where('offset_days', '=', -7).execute(),
  );
  t.same(
    statuses.map((s) => s.status),
    ['canceled', 'canceled', 'canceled'],
  );

  t.equal(
    await scheduler.planPending({ kind: 'live', now: clock.now() }),
    3,
    "the tick flags and replans the policy's open invoices",
  );
  t.equal(
    (await call('GET', `/v1/reminder_policies/${def.id}`)).json().invoices_to_replan,
    0,
    'then none is left to replan',
  );
  t.equal(await flagged(), 0);
});
