import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

t.test('tasks', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });

  // A call a week before the due date, a letter on it: the engine creates the call task now (Monday 2 March, 09:00 UTC).
  const policy = await kit.policy(acme, [
    { offset_days: -7, channel: 'call' },
    { offset_days: 0, channel: 'letter' },
  ]);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const invoice = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09' });
  await kit.run();
  const engineTasks = (await call(acme, 'GET', '/v1/tasks')).json().data;
  t.equal(engineTasks.length, 1, 'the call step created a task');
  const callTask = engineTasks[0];

  t.test('the engine creates the task, listed and read back', async (t) => {
    t.match(callTask, {
      object: 'task',
      kind: 'call',
      status: 'open',
      invoice_id: invoice.id,
      customer_id: customer.id,
      due_on: '2026-03-02',
      assignee: null,
      outcome: null,
      note: null,
      promise_to_pay_on: null,
      completed_at: null,
      created_at: '2026-03-02T09:00:00.000Z',
    });
    t.ok(callTask.occurrence_id);
    const one = await call(acme, 'GET', `/v1/tasks/${callTask.id}`);
    t.equal(one.statusCode, 200);
    t.same(one.json(), callTask);
    t.same(
      (await kit.eventsOf(acme, callTask.id)).map((e) => e.type),
      ['task.created'],
    );
  });

  t.test('filters and pagination', async (t) => {
    const letter = await kit.task(acme, { kind: 'letter', invoice, dueOn: '2026-03-20' });
    const collection = await kit.task(acme, { kind: 'collection', invoice, dueOn: '2026-04-10' });
    const ids = async (query: string) =>
      (await call(acme, 'GET', `/v1/tasks?${query}`)).json().data.map((x: { id: string }) => x.id);
    t.same(await ids(''), [collection, letter, callTask.id], 'newest first');
    t.same(await ids('kind=letter'), [letter]);
    t.same(await ids('status=open&kind=call'), [callTask.id]);
    t.same(await ids(`invoice_id=${invoice.id}&due_on_from=2026-03-03`), [collection, letter]);
    t.same(await ids('due_on_to=2026-03-20'), [letter, callTask.id]);
    t.same(await ids(`customer_id=${newId('customer')}`), []);
    const first = (await call(acme, 'GET', '/v1/tasks?limit=2')).json();
    t.equal(first.has_more, true);
    const second = (await call(acme, 'GET', `/v1/tasks?limit=2&starting_after=${first.next_cursor}`)).json();
    t.same(
      [...first.data, ...second.data].map((x: { id: string }) => x.id),
      [collection, letter, callTask.id],
    );
    t.equal(second.has_more, false);
    const bad = await call(acme, 'GET', '/v1/tasks?kind=email');
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().code, 'request/validation_failed');
    await call(acme, 'POST', `/v1/tasks/${collection}/cancel`);
    t.same(await ids('status=canceled'), [collection]);
  });

  t.test('assign and annotate', async (t) => {
    const res = await call(acme, 'PATCH', `/v1/tasks/${callTask.id}`, {
      assignee: 'Marie',
      note: 'Ask for the accounts department',
    });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { assignee: 'Marie', note: 'Ask for the accounts department', status: 'open' });
    const cleared = (await call(acme, 'PATCH', `/v1/tasks/${callTask.id}`, { note: null })).json();
    t.match(cleared, { assignee: 'Marie', note: null });
    const events = await kit.eventsOf(acme, callTask.id);
    t.same(
      events.map((e) => e.type),
      ['task.created', 'task.updated', 'task.updated'],
    );
    t.match(events[1]?.data, { id: callTask.id, assignee: 'Marie' });

    for (const body of [{}, { outcome: 'done' }, { assignee: '' }]) {
      const bad = await call(acme, 'PATCH', `/v1/tasks/${callTask.id}`, body);
      t.equal(bad.statusCode, 400, JSON.stringify(body));
      t.equal(bad.json().code, 'request/validation_failed');
    }
  });

  t.test(
    'a call ending with a promise: it shows on the invoice, holds the reminders until promise + 2 days, then breaks',
    async (t) => {
      const past = await call(acme, 'POST', `/v1/tasks/${callTask.id}/complete`, {
        outcome: 'Reached',
        promise_to_pay_on: '2026-03-01',
      });
      t.equal(past.statusCode, 422);
      t.match(past.json(), { code: 'task/invalid_promise', errors: [{ field: '/promise_to_pay_on' }] });
      const missing = await call(acme, 'POST', `/v1/tasks/${callTask.id}/complete`, {
        promise_to_pay_on: '2026-03-20',
      });
      t.equal(missing.statusCode, 400);
      t.match(missing.json(), { code: 'request/validation_failed', errors: [{ field: '/outcome' }] });
      t.equal(
        (await call(acme, 'GET', `/v1/tasks/${callTask.id}`)).json().status,
        'open',
        'refused completions changed nothing',
      );

      const res = await call(acme, 'POST', `/v1/tasks/${callTask.id}/complete`, {
        outcome: 'Reached the accountant',
        note: 'Will pay on the 20th',
        promise_to_pay_on: '2026-03-20',
      });
      t.equal(res.statusCode, 200);
      t.match(res.json(), {
        status: 'completed',
        outcome: 'Reached the accountant',
        note: 'Will pay on the 20th',
        promise_to_pay_on: '2026-03-20',
        completed_at: '2026-03-02T09:00:00.000Z',
        assignee: 'Marie',
      });
      t.equal((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().promise_to_pay_on, '2026-03-20');

      t.same((await kit.eventsOf(acme, callTask.id)).map((e) => e.type).slice(-1), ['task.completed']);
      const invoiceEvents = await kit.eventsOf(acme, invoice.id);
      const made = invoiceEvents.find((e) => e.type === 'promise.made');
      t.match(made?.data, {
        invoice_id: invoice.id,
        promise_to_pay_on: '2026-03-20',
        task_id: callTask.id,
        note: 'Will pay on the 20th',
      });

      const again = await call(acme, 'POST', `/v1/tasks/${callTask.id}/complete`, { outcome: 'Again' });
      t.equal(again.statusCode, 409);
      t.equal(again.json().code, 'task/not_open');
      const update = await call(acme, 'PATCH', `/v1/tasks/${callTask.id}`, { note: 'late' });
      t.equal(update.statusCode, 409);
      t.equal(update.json().code, 'task/not_open');

      // The letter step (due date, 9 March) waits for the promise: 20 March + 2 days of grace → 23 March.
      clock.set('2026-03-09T09:00:00Z');
      await kit.run();
      const letterStep = (await kit.occurrences(acme, invoice.id)).find((o) => o.channel === 'letter');
      t.match(letterStep, { status: 'scheduled', hold_reason: 'promise' });
      t.equal(letterStep?.scheduled_at?.toISOString(), '2026-03-23T09:00:00.000Z');
      t.same(
        (await call(acme, 'GET', '/v1/tasks?kind=letter&status=open'))
          .json()
          .data.filter((x: { occurrence_id: string | null }) => x.occurrence_id).length,
        0,
        'no letter yet',
      );

      clock.set('2026-03-23T09:00:00Z');
      await kit.run();
      t.equal(
        (await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().promise_to_pay_on,
        null,
        'the broken promise is cleared',
      );
      t.ok(
        (await kit.eventsOf(acme, invoice.id)).some((e) => e.type === 'promise.broken'),
        'promise.broken',
      );
      const letters = (await call(acme, 'GET', `/v1/tasks?kind=letter&invoice_id=${invoice.id}`))
        .json()
        .data.filter((x: { occurrence_id: string | null }) => x.occurrence_id);
      t.equal(letters.length, 1, 'the letter step resumed');
      t.equal(letters[0].due_on, '2026-03-23');
      clock.set('2026-03-02T09:00:00Z');
    },
  );

  t.test('only a call can carry a promise, and only on an invoice still owed', async (t) => {
    const letter = await kit.task(acme, { kind: 'letter', invoice });
    const res = await call(acme, 'POST', `/v1/tasks/${letter}/complete`, {
      outcome: 'Sent',
      promise_to_pay_on: '2026-03-20',
    });
    t.equal(res.statusCode, 422);
    t.match(res.json(), { code: 'task/promise_needs_call', errors: [{ field: '/promise_to_pay_on' }] });
    const done = await call(acme, 'POST', `/v1/tasks/${letter}/complete`, { outcome: 'Registered letter sent' });
    t.equal(done.statusCode, 200);
    t.match(done.json(), { status: 'completed', promise_to_pay_on: null, note: null });

    const voided = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-30' });
    const task = await kit.task(acme, { kind: 'call', invoice: voided });
    await call(acme, 'POST', `/v1/invoices/${voided.id}/void`);
    const closed = await call(acme, 'POST', `/v1/tasks/${task}/complete`, {
      outcome: 'Reached',
      promise_to_pay_on: '2026-03-20',
    });
    t.equal(closed.statusCode, 409);
    t.equal(closed.json().code, 'invoice/invalid_transition');
    t.equal(
      (await call(acme, 'POST', `/v1/tasks/${task}/complete`, { outcome: 'Nothing owed any more' })).statusCode,
      200,
      'without a promise it completes',
    );
    t.equal((await call(acme, 'GET', `/v1/invoices/${voided.id}`)).json().promise_to_pay_on, null);
  });

  t.test('cancel', async (t) => {
    const task = await kit.task(acme, { kind: 'collection', invoice });
    const res = await call(acme, 'POST', `/v1/tasks/${task}/cancel`);
    t.equal(res.statusCode, 200);
    t.match(res.json(), { status: 'canceled', completed_at: null });
    t.same(
      (await kit.eventsOf(acme, task)).map((e) => e.type),
      ['task.canceled'],
    );
    for (const [url, body] of [
      [`/v1/tasks/${task}/cancel`, undefined],
      [`/v1/tasks/${task}/complete`, { outcome: 'x' }],
    ] as const) {
      const again = await call(acme, 'POST', url, body);
      t.equal(again.statusCode, 409);
      t.equal(again.json().code, 'task/not_open');
    }
    const unknown = await call(acme, 'POST', `/v1/tasks/${newId('task')}/cancel`);
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'task/not_found');
  });

  t.test('a promise recorded without a task', async (t) => {
    const other = await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-30' });
    const res = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, {
      date: '2026-04-15',
      note: 'Said so by email',
    });
    t.equal(res.statusCode, 200);
    t.equal(res.json().promise_to_pay_on, '2026-04-15');
    const cleared = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, { date: null });
    t.equal(cleared.statusCode, 200);
    t.equal(cleared.json().promise_to_pay_on, null);
    const types = (await kit.eventsOf(acme, other.id)).map((e) => e.type).filter((type) => type.startsWith('promise.'));
    t.same(types, ['promise.made', 'promise.cleared']);
    t.equal(
      (await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, { date: null })).statusCode,
      200,
      'clearing twice is harmless',
    );
    t.equal(
      (await kit.eventsOf(acme, other.id)).filter((e) => e.type === 'promise.cleared').length,
      1,
      'and writes nothing',
    );

    const today = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, { date: '2026-03-02' });
    t.equal(today.statusCode, 200, 'today is allowed');
    const past = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, { date: '2026-03-01' });
    t.equal(past.statusCode, 422);
    t.match(past.json(), { code: 'invoice/invalid_promise', errors: [{ field: '/date' }] });
    for (const body of [{}, { date: '2026-13-01' }, { date: '2026-04-01', amount: 5 }]) {
      const bad = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, body);
      t.equal(bad.statusCode, 400, JSON.stringify(body));
    }
    await call(acme, 'POST', `/v1/invoices/${other.id}/void`);
    const closed = await call(acme, 'POST', `/v1/invoices/${other.id}/promise`, { date: '2026-04-15' });
    t.equal(closed.statusCode, 409);
    t.equal(closed.json().code, 'invoice/invalid_transition');
    const unknown = await call(acme, 'POST', `/v1/invoices/${newId('invoice')}/promise`, { date: '2026-04-15' });
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'invoice/not_found');
  });

  t.test('a read-only key reads tasks and changes none', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { name: 'dashboard', read_only: true })).json();
    const ro = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const task = await kit.task(acme, { kind: 'call', invoice });
    t.equal((await call(ro, 'GET', `/v1/tasks/${task}`)).statusCode, 200);
    for (const [method, url, body] of [
      ['PATCH', `/v1/tasks/${task}`, { assignee: 'x' }],
      ['POST', `/v1/tasks/${task}/complete`, { outcome: 'x' }],
      ['POST', `/v1/tasks/${task}/cancel`, undefined],
      ['POST', `/v1/invoices/${invoice.id}/promise`, { date: '2026-04-01' }],
    ] as const) {
      const res = await call(ro, method, url, body);
      t.equal(res.statusCode, 403, `${method} ${url}`);
      t.equal(res.json().code, 'auth/read_only_key');
    }
  });

  t.test("another account's tasks are invisible (REST and GraphQL)", async (t) => {
    const task = await kit.task(acme, { kind: 'call', invoice });
    t.same((await call(other, 'GET', '/v1/tasks')).json().data, []);
    t.same((await call(other, 'GET', `/v1/tasks?invoice_id=${invoice.id}`)).json().data, []);
    for (const [method, url, body] of [
      ['GET', `/v1/tasks/${task}`, undefined],
      ['PATCH', `/v1/tasks/${task}`, { assignee: 'Mallory' }],
      ['POST', `/v1/tasks/${task}/complete`, { outcome: 'x' }],
      ['POST', `/v1/tasks/${task}/cancel`, undefined],
    ] as const) {
      const res = await call(other, method, url, body);
      t.equal(res.statusCode, 404, `${method} ${url}`);
      t.equal(res.json().code, 'task/not_found');
    }
    const promise = await call(other, 'POST', `/v1/invoices/${invoice.id}/promise`, { date: '2026-04-01' });
    t.equal(promise.statusCode, 404);
    t.equal(promise.json().code, 'invoice/not_found');

    const gql = graphqlClient(ctx, other.auth);
    const read = await gql(`query ($id: ID!) { task(id: $id) { id } tasks { data { id } } }`, { id: task });
    t.equal(read.errors, undefined);
    t.same(read.data, { task: null, tasks: { data: [] } });
    const write = await gql(`mutation ($id: ID!) { completeTask(id: $id, input: { outcome: "x" }) { id } }`, {
      id: task,
    });
    t.equal(codeOf(write), 'task/not_found');
    t.equal((await call(acme, 'GET', `/v1/tasks/${task}`)).json().status, 'open', 'untouched');
  });
});
