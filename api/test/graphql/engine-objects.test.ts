import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, CUSTOMER_FIELDS, graphqlClient, INVOICE_FIELDS } from './client.ts';

const TASK_FIELDS =
  'id kind status invoiceId customerId occurrenceId documentId dueOn assignee outcome note promiseToPayOn requestedPlan { count firstDueDate } completedAt createdAt updatedAt';
const DISPUTE_FIELDS = 'id invoiceId status reason note resolution resolutionNote openedAt resolvedAt';

/** camelCase GraphQL output → the REST (snake_case) spelling, enum values lower case. */
const snake = (value: unknown, key = ''): unknown => {
  if (Array.isArray(value)) return value.map((v) => snake(v));
  if (typeof value === 'string' && ['kind', 'status', 'resolution'].includes(key)) return value.toLowerCase();
  if (typeof value !== 'object' || value === null || key === 'metadata') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v, k)]),
  );
};
const withoutObject = ({ object: _object, ...rest }: Record<string, unknown>) => rest;

t.test('tasks, disputes, pauses and promises over GraphQL', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const gql = graphqlClient(ctx, acme.auth);
  const stranger = graphqlClient(ctx, other.auth);
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const newInvoice = () => kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09' });

  t.test('tasks: list, read, update, complete with a promise, cancel', async (t) => {
    const invoice = await newInvoice();
    const callTask = await kit.task(acme, { kind: 'call', invoice });
    const letterTask = await kit.task(acme, { kind: 'letter', invoice, dueOn: '2026-03-20' });

    const listed = await gql(`{ tasks(kind: CALL, status: OPEN) { data { ${TASK_FIELDS} } hasMore } }`);
    t.equal(listed.errors, undefined);
    t.same(
      listed.data.tasks.data.map((x: { id: string }) => x.id),
      [callTask],
    );
    const rest = (await call(acme, 'GET', `/v1/tasks/${callTask}`)).json();
    t.same(snake(listed.data.tasks.data[0]), withoutObject(rest), 'the same task as REST');
    const byDue = await gql(`{ tasks(dueOnFrom: "2026-03-10", invoiceId: "${invoice.id}") { data { id } } }`);
    t.same(byDue.data.tasks.data, [{ id: letterTask }]);

    const updated = await gql(
      `mutation ($id: ID!) { updateTask(id: $id, input: { assignee: "Marie" }) { assignee status } }`,
      { id: callTask },
    );
    t.same(updated.data.updateTask, { assignee: 'Marie', status: 'OPEN' });
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { updateTask(id: $id, input: {}) { id } }`, { id: callTask })),
      'request/validation_failed',
    );

    const needsCall = await gql(
      `mutation ($id: ID!) { completeTask(id: $id, input: { outcome: "Sent", promiseToPayOn: "2026-03-20" }) { id } }`,
      { id: letterTask },
    );
    t.equal(codeOf(needsCall), 'task/promise_needs_call');
    t.same(needsCall.errors?.[0]?.extensions.errors, [
      { field: '/promise_to_pay_on', message: 'is only accepted on a call task' },
    ]);
    const past = await gql(
      `mutation ($id: ID!) { completeTask(id: $id, input: { outcome: "Reached", promiseToPayOn: "2026-03-01" }) { id } }`,
      { id: callTask },
    );
    t.equal(codeOf(past), 'task/invalid_promise');
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { completeTask(id: $id, input: {}) { id } }`, { id: callTask })),
      'request/validation_failed',
    );

    const done = await gql(
      `mutation ($id: ID!) { completeTask(id: $id, input: { outcome: "Reached", note: "Pays on the 20th", promiseToPayOn: "2026-03-20" }) { ${TASK_FIELDS} } }`,
      { id: callTask },
    );
    t.equal(done.errors, undefined);
    t.match(done.data.completeTask, {
      status: 'COMPLETED',
      outcome: 'Reached',
      note: 'Pays on the 20th',
      promiseToPayOn: '2026-03-20',
      assignee: 'Marie',
    });
    const shown = await gql(`query ($id: ID!) { invoice(id: $id) { promiseToPayOn } }`, { id: invoice.id });
    t.equal(shown.data.invoice.promiseToPayOn, '2026-03-20', 'the promise shows on the invoice');
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { completeTask(id: $id, input: { outcome: "Again" }) { id } }`, {
          id: callTask,
        }),
      ),
      'task/not_open',
    );

    const canceled = await gql(`mutation ($id: ID!) { cancelTask(id: $id) { status } }`, { id: letterTask });
    t.same(canceled.data.cancelTask, { status: 'CANCELED' });
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { cancelTask(id: $id) { status } }`, { id: letterTask })),
      'task/not_open',
    );
    t.equal(
      (await gql(`query ($id: ID!) { task(id: $id) { status } }`, { id: letterTask })).data.task.status,
      'CANCELED',
    );
  });

  t.test('promises without a task', async (t) => {
    const invoice = await newInvoice();
    const set = await gql(
      `mutation ($id: ID!) { setInvoicePromise(id: $id, input: { date: "2026-04-01", note: "By phone" }) { ${INVOICE_FIELDS} } }`,
      { id: invoice.id },
    );
    t.equal(set.errors, undefined);
    t.equal(set.data.setInvoicePromise.promiseToPayOn, '2026-04-01');
    const cleared = await gql(
      `mutation ($id: ID!) { setInvoicePromise(id: $id, input: { date: null }) { promiseToPayOn } }`,
      { id: invoice.id },
    );
    t.equal(cleared.data.setInvoicePromise.promiseToPayOn, null);
    const missing = await gql(`mutation ($id: ID!) { setInvoicePromise(id: $id, input: {}) { id } }`, {
      id: invoice.id,
    });
    t.equal(codeOf(missing), 'request/validation_failed');
    t.same(missing.errors?.[0]?.extensions.errors, [{ field: '/date', message: 'is required' }]);
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { setInvoicePromise(id: $id, input: { date: "2026-01-01" }) { id } }`, {
          id: invoice.id,
        }),
      ),
      'invoice/invalid_promise',
    );
    const types = (await kit.eventsOf(acme, invoice.id))
      .map((e) => e.type)
      .filter((type) => type.startsWith('promise.'));
    t.same(types, ['promise.made', 'promise.cleared']);
  });

  t.test('disputes: open, resolve, the same codes as REST', async (t) => {
    const invoice = await newInvoice();
    const opened = await gql(
      `mutation ($id: ID!) { openDispute(invoiceId: $id, input: { reason: "Goods damaged" }) { ${DISPUTE_FIELDS} } }`,
      { id: invoice.id },
    );
    t.equal(opened.errors, undefined);
    const dispute = opened.data.openDispute;
    t.match(dispute, { invoiceId: invoice.id, status: 'OPEN', reason: 'Goods damaged', resolution: null });
    t.same(
      snake(dispute),
      withoutObject((await call(acme, 'GET', `/v1/disputes/${dispute.id}`)).json()),
      'the same dispute as REST',
    );
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { openDispute(invoiceId: $id, input: { reason: "Again" }) { id } }`, {
          id: invoice.id,
        }),
      ),
      'dispute/already_open',
    );
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { openDispute(invoiceId: $id, input: {}) { id } }`, { id: invoice.id })),
      'request/validation_failed',
    );
    t.equal(
      (await gql(`query ($id: ID!) { invoice(id: $id) { disputed } }`, { id: invoice.id })).data.invoice.disputed,
      true,
    );

    const list = await gql(`query ($id: ID!) { disputes(invoiceId: $id, status: OPEN) { data { id } } }`, {
      id: invoice.id,
    });
    t.same(list.data.disputes.data, [{ id: dispute.id }]);
    t.same(
      (await gql(`query ($id: ID!) { dispute(id: $id) { ${DISPUTE_FIELDS} } }`, { id: dispute.id })).data.dispute,
      dispute,
    );
    t.equal(
      codeOf(await gql(`mutation ($id: ID!) { resolveDispute(id: $id, input: {}) { id } }`, { id: dispute.id })),
      'request/validation_failed',
    );

    const resolved = await gql(
      `mutation ($id: ID!) { resolveDispute(id: $id, input: { resolution: FOR_CUSTOMER, note: "Credit note issued" }) { status resolution resolutionNote } }`,
      { id: dispute.id },
    );
    t.same(resolved.data.resolveDispute, {
      status: 'RESOLVED',
      resolution: 'FOR_CUSTOMER',
      resolutionNote: 'Credit note issued',
    });
    t.match((await gql(`query ($id: ID!) { invoice(id: $id) { status disputed } }`, { id: invoice.id })).data.invoice, {
      status: 'VOID',
      disputed: false,
    });
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { resolveDispute(id: $id, input: { resolution: FOR_CREDITOR }) { id } }`, {
          id: dispute.id,
        }),
      ),
      'dispute/not_open',
    );
  });

  t.test('pauses of invoices and customers', async (t) => {
    const invoice = await newInvoice();
    const paused = await gql(
      `mutation ($id: ID!) { pauseInvoice(id: $id, input: { until: "2026-03-31", reason: "Waiting for the PO" }) { ${INVOICE_FIELDS} } }`,
      { id: invoice.id },
    );
    t.equal(paused.errors, undefined);
    t.same(paused.data.pauseInvoice.pause, { until: '2026-03-31', reason: 'Waiting for the PO' });
    const bare = await gql(`mutation ($id: ID!) { pauseInvoice(id: $id) { pause { until reason } } }`, {
      id: invoice.id,
    });
    t.same(bare.data.pauseInvoice.pause, { until: null, reason: null }, 'without input: until resumed');
    const past = await gql(`mutation ($id: ID!) { pauseInvoice(id: $id, input: { until: "2026-03-01" }) { id } }`, {
      id: invoice.id,
    });
    t.equal(codeOf(past), 'pause/invalid_until');
    t.same(past.errors?.[0]?.extensions.errors, [{ field: '/until', message: 'must be on or after 2026-03-02' }]);
    t.equal(
      (await gql(`mutation ($id: ID!) { resumeInvoice(id: $id) { pause { until } } }`, { id: invoice.id })).data
        .resumeInvoice.pause,
      null,
    );

    const pausedCustomer = await gql(
      `mutation ($id: ID!) { pauseCustomer(id: $id, input: { reason: "Insolvency" }) { ${CUSTOMER_FIELDS} } }`,
      { id: customer.id },
    );
    t.equal(pausedCustomer.errors, undefined);
    t.same(pausedCustomer.data.pauseCustomer.pause, { until: null, reason: 'Insolvency' });
    t.equal(pausedCustomer.data.pauseCustomer.reminderPolicyId, policy.id);
    t.same(
      (await gql(`query ($id: ID!) { customer(id: $id) { pause { reason } } }`, { id: customer.id })).data.customer
        .pause,
      { reason: 'Insolvency' },
    );
    t.equal(
      (await gql(`mutation ($id: ID!) { resumeCustomer(id: $id) { pause { reason } } }`, { id: customer.id })).data
        .resumeCustomer.pause,
      null,
    );

    const created = await gql(
      `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { reminderPolicyId pause { until } } }`,
      { input: { name: 'New', reminderPolicyId: policy.id } },
    );
    t.same(created.data.createCustomer, { reminderPolicyId: policy.id, pause: null });
  });

  t.test('a read-only key changes nothing', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { read_only: true })).json();
    const ro = graphqlClient(ctx, { authorization: `Bearer ${key.secret}` });
    const invoice = await newInvoice();
    for (const mutation of [
      `pauseInvoice(id: "${invoice.id}") { id }`,
      `setInvoicePromise(id: "${invoice.id}", input: { date: "2026-04-01" }) { id }`,
      `openDispute(invoiceId: "${invoice.id}", input: { reason: "x" }) { id }`,
      `pauseCustomer(id: "${customer.id}") { id }`,
    ]) {
      t.equal(codeOf(await ro(`mutation { ${mutation} }`)), 'auth/read_only_key', mutation);
    }
  });

  t.test("another account's objects are null or not found", async (t) => {
    const invoice = await newInvoice();
    const task = await kit.task(acme, { kind: 'call', invoice });
    const dispute = (await call(acme, 'POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'x' })).json();
    const event = (await call(acme, 'GET', '/v1/events?limit=1')).json().data[0];
    const read = await stranger(`{
      task(id: "${task}") { id }
      dispute(id: "${dispute.id}") { id }
      event(id: "${event.id}") { id }
      tasks { data { id } }
      disputes { data { id } }
      invoice(id: "${invoice.id}") { id }
    }`);
    t.equal(read.errors, undefined);
    t.same(read.data, {
      task: null,
      dispute: null,
      event: null,
      tasks: { data: [] },
      disputes: { data: [] },
      invoice: null,
    });
    for (const [mutation, code] of [
      [`updateTask(id: "${task}", input: { assignee: "x" }) { id }`, 'task/not_found'],
      [`completeTask(id: "${task}", input: { outcome: "x" }) { id }`, 'task/not_found'],
      [`cancelTask(id: "${task}") { id }`, 'task/not_found'],
      [`openDispute(invoiceId: "${invoice.id}", input: { reason: "x" }) { id }`, 'invoice/not_found'],
      [`resolveDispute(id: "${dispute.id}", input: { resolution: FOR_CUSTOMER }) { id }`, 'dispute/not_found'],
      [`pauseInvoice(id: "${invoice.id}") { id }`, 'invoice/not_found'],
      [`resumeInvoice(id: "${invoice.id}") { id }`, 'invoice/not_found'],
      [`setInvoicePromise(id: "${invoice.id}", input: { date: "2026-04-01" }) { id }`, 'invoice/not_found'],
      [`pauseCustomer(id: "${customer.id}") { id }`, 'customer/not_found'],
      [`resumeCustomer(id: "${customer.id}") { id }`, 'customer/not_found'],
    ] as const) {
      t.equal(codeOf(await stranger(`mutation { ${mutation} }`)), code, mutation);
    }
    t.match((await call(acme, 'GET', `/v1/tasks/${task}`)).json(), { status: 'open', assignee: null }, 'untouched');
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
      status: 'open',
      disputed: true,
      pause: null,
      promise_to_pay_on: null,
    });
  });
});
