import t from 'tap';
import type { TestAccount } from '../helpers/app.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

t.test('payment plans (REST)', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const newInvoice = (body: object = {}) =>
    kit.invoice(acme, {
      customer_id: customer.id,
      currency: 'EUR',
      issue_date: '2026-02-01',
      due_date: '2026-03-20',
      subtotal: 10_000,
      ...body,
    });
  const createPlan = (invoiceId: string, body: object, who: TestAccount = acme) =>
    call(who, 'POST', `/v1/invoices/${invoiceId}/payment_plans`, body);
  const invoiceOf = async (id: string) => (await call(acme, 'GET', `/v1/invoices/${id}`)).json();
  const planOf = async (id: string) => (await call(acme, 'GET', `/v1/payment_plans/${id}`)).json();
  const pay = (invoiceId: string, amount: number) =>
    call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      currency: 'EUR',
      method: 'transfer',
      amount,
      allocations: [{ invoice_id: invoiceId, amount }],
    });
  const scheduled = async (invoiceId: string) =>
    (await kit.occurrences(acme, invoiceId))
      .filter((o) => o.status === 'scheduled')
      .map((o) => `${o.installment_number}:${o.offset_days}@${o.scheduled_at?.toISOString().slice(0, 10)}`)
      .sort();

  t.test('N monthly installments: the plan, its installments, the invoice and its reminders', async (t) => {
    const invoice = await newInvoice();
    await kit.run();
    t.same(
      await scheduled(invoice.id),
      ['0:-7@2026-03-13', '0:0@2026-03-20', '0:7@2026-03-27'],
      'the policy, before the plan',
    );
    const res = await createPlan(invoice.id, { count: 3, first_due_date: '2026-04-15' });
    t.equal(res.statusCode, 201, res.body);
    const plan = res.json();
    t.match(plan.id, /^pplan_/);
    t.match(plan, {
      object: 'payment_plan',
      invoice_id: invoice.id,
      status: 'active',
      currency: 'EUR',
      amount: 10_000,
      amount_paid: 0,
      max_missed_installments: 1,
      missed_count: 0,
      late_fees: 'suspended',
      note: null,
      cancellation_reason: null,
      metadata: {},
      created_at: '2026-03-02T09:00:00.000Z',
      ended_at: null,
    });
    t.same(plan.installments, [
      {
        number: 1,
        due_date: '2026-04-15',
        amount: 3333,
        paid_amount: 0,
        status: 'pending',
        paid_at: null,
        missed_at: null,
      },
      {
        number: 2,
        due_date: '2026-05-15',
        amount: 3333,
        paid_amount: 0,
        status: 'pending',
        paid_at: null,
        missed_at: null,
      },
      {
        number: 3,
        due_date: '2026-06-15',
        amount: 3334,
        paid_amount: 0,
        status: 'pending',
        paid_at: null,
        missed_at: null,
      },
    ]);
    t.same(await planOf(plan.id), plan);
    t.equal((await invoiceOf(invoice.id)).active_payment_plan_id, plan.id, 'the invoice shows its active plan');
    const events = await kit.eventsOf(acme, plan.id);
    t.same(
      events.map((e) => e.type),
      ['payment_plan.created'],
    );
    t.same(events[0]?.data, plan);
    t.same(
      await scheduled(invoice.id),
      [
        '1:-7@2026-04-08',
        '1:0@2026-04-15',
        '1:7@2026-04-22',
        '2:-7@2026-05-08',
        '2:0@2026-05-15',
        '2:7@2026-05-22',
        '3:-7@2026-06-08',
        '3:0@2026-06-15',
        '3:7@2026-06-22',
      ],
      'reminders follow the installments; the policy’s own are canceled',
    );
    const ownSteps = (await kit.occurrences(acme, invoice.id)).filter((o) => o.installment_number === 0);
    t.ok(ownSteps.length > 0 && ownSteps.every((o) => o.status === 'canceled'), "the policy's own steps are canceled");
    const timeline = (await call(acme, 'GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    t.same(
      timeline.reminders
        .filter((r: { status: string }) => r.status === 'scheduled')
        .map((r: { installment_number: number; offset_days: number }) => [r.installment_number, r.offset_days]),
      [
        [1, -7],
        [1, 0],
        [1, 7],
        [2, -7],
        [2, 0],
        [2, 7],
        [3, -7],
        [3, 0],
        [3, 7],
      ],
      'the timeline says which installment each reminder is about',
    );
    const canceled = timeline.reminders.filter((r: { status: string }) => r.status === 'canceled');
    t.ok(
      canceled.length > 0 &&
        canceled.every((r: { installment_number: number | null }) => r.installment_number === null),
    );
  });

  t.test('explicit installments, with fees accruing and two misses allowed', async (t) => {
    const invoice = await newInvoice({ subtotal: 1000 });
    const res = await createPlan(invoice.id, {
      installments: [
        { due_date: '2026-03-02', amount: 100 },
        { due_date: '2026-03-31', amount: 900 },
      ],
      late_fees: 'accrue',
      max_missed_installments: 2,
      note: 'Agreed on the phone',
      metadata: { ticket: 'T-9' },
    });
    t.equal(res.statusCode, 201, res.body);
    t.match(res.json(), {
      late_fees: 'accrue',
      max_missed_installments: 2,
      note: 'Agreed on the phone',
      metadata: { ticket: 'T-9' },
      amount: 1000,
    });
    t.same(
      res.json().installments.map((i: { due_date: string; amount: number }) => [i.due_date, i.amount]),
      [
        ['2026-03-02', 100],
        ['2026-03-31', 900],
      ],
    );
  });

  t.test('the plan covers what is still owed, after earlier payments', async (t) => {
    const invoice = await newInvoice({ subtotal: 10_000 });
    t.equal((await pay(invoice.id, 4000)).statusCode, 201);
    const plan = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })).json();
    t.equal(plan.amount, 6000);
    t.same(
      plan.installments.map((i: { amount: number }) => i.amount),
      [3000, 3000],
    );
    t.equal(plan.amount_paid, 0, 'earlier payments do not count towards installments');
  });

  t.test('bad requests and invoices that cannot take a plan', async (t) => {
    const invoice = await newInvoice();
    const refused = async (body: object, status: number, code: string, id = invoice.id) => {
      const res = await createPlan(id, body);
      t.equal(res.statusCode, status, `${code}: ${res.body}`);
      t.equal(res.json().code, code);
      return res.json();
    };
    await refused({}, 400, 'request/validation_failed');
    await refused({ count: 3 }, 400, 'request/validation_failed');
    await refused({ first_due_date: '2026-04-01' }, 400, 'request/validation_failed');
    await refused(
      { count: 2, first_due_date: '2026-04-01', installments: [{ due_date: '2026-04-01', amount: 10_000 }] },
      400,
      'request/validation_failed',
    );
    await refused({ count: 0, first_due_date: '2026-04-01' }, 400, 'request/validation_failed');
    await refused({ count: 2, first_due_date: '2026-04-01', surprise: true }, 400, 'request/validation_failed');
    await refused({ installments: [{ due_date: '2026-04-01', amount: 0 }] }, 400, 'request/validation_failed');
    await refused({ count: 2, first_due_date: '2026-04-01', late_fees: 'waived' }, 400, 'request/validation_failed');
    const mismatch = await refused(
      {
        installments: [
          { due_date: '2026-04-01', amount: 5000 },
          { due_date: '2026-05-01', amount: 4999 },
        ],
      },
      422,
      'payment_plan/amount_mismatch',
    );
    t.same(mismatch.errors, [{ field: '/installments', message: 'must add up to 10000' }]);
    await refused(
      {
        installments: [
          { due_date: '2026-05-01', amount: 5000 },
          { due_date: '2026-04-01', amount: 5000 },
        ],
      },
      422,
      'payment_plan/invalid_dates',
    );
    await refused({ installments: [{ due_date: '2026-03-01', amount: 10_000 }] }, 422, 'payment_plan/invalid_dates');
    await refused({ count: 2, first_due_date: '2026-03-01' }, 422, 'payment_plan/invalid_dates');
    await refused(
      { count: 2, first_due_date: '2026-04-01' },
      404,
      'invoice/not_found',
      'inv_01jzzzzzzzzzzzzzzzzzzzzzzz',
    );
    const tiny = await kit.invoice(acme, {
      customer_id: customer.id,
      currency: 'JPY',
      due_date: '2026-03-20',
      subtotal: 2,
    });
    await refused({ count: 3, first_due_date: '2026-04-01' }, 422, 'payment_plan/installment_too_small', tiny.id);

    t.equal((await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })).statusCode, 201);
    await refused({ count: 2, first_due_date: '2026-04-01' }, 409, 'payment_plan/already_active');

    const paid = await newInvoice({ subtotal: 500 });
    await pay(paid.id, 500);
    await refused({ count: 2, first_due_date: '2026-04-01' }, 409, 'payment_plan/invoice_paid', paid.id);
    const voided = await newInvoice();
    await call(acme, 'POST', `/v1/invoices/${voided.id}/void`);
    await refused({ count: 2, first_due_date: '2026-04-01' }, 409, 'payment_plan/invoice_not_open', voided.id);
    const draft = await newInvoice({ status: 'draft' });
    await refused({ count: 2, first_due_date: '2026-04-01' }, 409, 'payment_plan/invoice_not_open', draft.id);
    const disputed = await newInvoice();
    t.equal(
      (await call(acme, 'POST', `/v1/invoices/${disputed.id}/disputes`, { reason: 'never received' })).statusCode,
      201,
    );
    await refused({ count: 2, first_due_date: '2026-04-01' }, 409, 'payment_plan/invoice_disputed', disputed.id);
    t.equal(
      (await call(acme, 'GET', `/v1/payment_plans?invoice_id=${disputed.id}`)).json().data.length,
      0,
      'nothing was written',
    );
  });

  t.test('two plans racing for one invoice: one wins, the other is told', async (t) => {
    const invoice = await newInvoice();
    const results = await Promise.all(
      [1, 2, 3].map(() => createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })),
    );
    t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409]);
    t.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'payment_plan/already_active'));
  });

  t.test('list: filters and cursor pagination', async (t) => {
    const invoice = await newInvoice();
    const first = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })).json();
    await call(acme, 'POST', `/v1/payment_plans/${first.id}/cancel`, {});
    const second = (await createPlan(invoice.id, { count: 3, first_due_date: '2026-04-01' })).json();
    const list = async (query: string) => (await call(acme, 'GET', `/v1/payment_plans?${query}`)).json();
    t.same(
      (await list(`invoice_id=${invoice.id}`)).data.map((p: { id: string }) => p.id),
      [second.id, first.id],
      'newest first',
    );
    t.same(
      (await list(`invoice_id=${invoice.id}&status=cancelled`)).data.map((p: { id: string }) => p.id),
      [first.id],
    );
    t.same(
      (await list(`invoice_id=${invoice.id}&status=active`)).data.map((p: { id: string }) => p.id),
      [second.id],
    );
    const page1 = await list(`invoice_id=${invoice.id}&limit=1`);
    t.match(page1, { object: 'list', has_more: true, next_cursor: second.id });
    t.same(page1.data[0].installments.length, 3, 'with their installments');
    const page2 = await list(`invoice_id=${invoice.id}&limit=1&starting_after=${page1.next_cursor}`);
    t.match(page2, { has_more: false, next_cursor: null });
    t.same(
      page2.data.map((p: { id: string }) => p.id),
      [first.id],
    );
    t.equal((await call(acme, 'GET', '/v1/payment_plans?status=late')).statusCode, 400);
  });

  t.test('cancel: the invoice goes back to its policy; only an active plan can be cancelled', async (t) => {
    const invoice = await newInvoice();
    const plan = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-10' })).json();
    const res = await call(acme, 'POST', `/v1/payment_plans/${plan.id}/cancel`, { reason: 'customer asked' });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), {
      status: 'cancelled',
      cancellation_reason: 'customer asked',
      ended_at: '2026-03-02T09:00:00.000Z',
    });
    t.equal((await invoiceOf(invoice.id)).active_payment_plan_id, null);
    t.same(
      await scheduled(invoice.id),
      ['0:-7@2026-03-13', '0:0@2026-03-20', '0:7@2026-03-27'],
      'the policy’s reminders again',
    );
    const installmentSteps = (await kit.occurrences(acme, invoice.id)).filter((o) => o.installment_number > 0);
    t.ok(installmentSteps.length > 0 && installmentSteps.every((o) => o.status === 'canceled'));
    const events = await kit.eventsOf(acme, plan.id);
    t.same(
      events.map((e) => e.type),
      ['payment_plan.created', 'payment_plan.cancelled'],
    );
    t.same(events[1]?.data, res.json());
    const again = await call(acme, 'POST', `/v1/payment_plans/${plan.id}/cancel`, {});
    t.equal(again.statusCode, 409);
    t.equal(again.json().code, 'payment_plan/not_active');
    t.equal(
      (await call(acme, 'POST', '/v1/payment_plans/pplan_01jzzzzzzzzzzzzzzzzzzzzzzz/cancel', {})).json().code,
      'payment_plan/not_found',
    );
    t.equal(
      (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-10' })).statusCode,
      201,
      'a new plan after a cancelled one',
    );
  });

  t.test('voiding or writing off the invoice cancels its plan', async (t) => {
    const invoice = await newInvoice();
    const plan = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-10' })).json();
    t.equal((await call(acme, 'POST', `/v1/invoices/${invoice.id}/void`)).statusCode, 200);
    t.match(await planOf(plan.id), { status: 'cancelled', cancellation_reason: 'invoice_void' });
    const written = await newInvoice();
    const plan2 = (await createPlan(written.id, { count: 2, first_due_date: '2026-04-10' })).json();
    t.equal((await call(acme, 'POST', `/v1/invoices/${written.id}/mark_uncollectible`)).statusCode, 200);
    t.match(await planOf(plan2.id), { status: 'cancelled', cancellation_reason: 'invoice_uncollectible' });
    const left = await kit.occurrences(acme, written.id);
    t.ok(left.length > 0 && left.every((o) => o.status !== 'scheduled'), 'nothing left to send');
  });

  t.test('payments go to installments oldest first; a reversal undoes them; all paid completes the plan', async (t) => {
    const invoice = await newInvoice({ subtotal: 9000 });
    const plan = (await createPlan(invoice.id, { count: 3, first_due_date: '2026-04-10' })).json();
    const first = await pay(invoice.id, 4000);
    t.equal(first.statusCode, 201, first.body);
    let now = await planOf(plan.id);
    t.equal(now.amount_paid, 4000);
    t.same(
      now.installments.map((i: { paid_amount: number; status: string }) => [i.paid_amount, i.status]),
      [
        [3000, 'paid'],
        [1000, 'pending'],
        [0, 'pending'],
      ],
    );
    t.equal(now.installments[0].paid_at, '2026-03-02T09:00:00.000Z');
    t.notOk(
      (await scheduled(invoice.id)).some((s) => s.startsWith('1:')),
      'a paid installment is not reminded',
    );
    t.ok((await scheduled(invoice.id)).some((s) => s.startsWith('2:')));

    t.equal(
      (await call(acme, 'POST', `/v1/payments/${first.json().id}/reverse`, { reason: 'bounced' })).statusCode,
      200,
    );
    now = await planOf(plan.id);
    t.same(
      now.installments.map((i: { paid_amount: number; status: string; paid_at: string | null }) => [
        i.paid_amount,
        i.status,
        i.paid_at,
      ]),
      [
        [0, 'pending', null],
        [0, 'pending', null],
        [0, 'pending', null],
      ],
    );
    t.ok(
      (await scheduled(invoice.id)).some((s) => s.startsWith('1:')),
      'reminded again',
    );

    await pay(invoice.id, 6000);
    t.equal((await planOf(plan.id)).status, 'active');
    const last = await pay(invoice.id, 3000);
    t.equal(last.statusCode, 201);
    now = await planOf(plan.id);
    t.match(now, { status: 'completed', amount_paid: 9000, ended_at: '2026-03-02T09:00:00.000Z' });
    t.ok(now.installments.length > 0 && now.installments.every((i: { status: string }) => i.status === 'paid'));
    t.match(await invoiceOf(invoice.id), { status: 'paid', active_payment_plan_id: null });
    t.same(
      (await kit.eventsOf(acme, plan.id)).map((e) => e.type),
      ['payment_plan.created', 'payment_plan.completed'],
    );
    t.equal((await scheduled(invoice.id)).length, 0);
  });

  t.test('Idempotency-Key: the same plan replayed, not a second one', async (t) => {
    const invoice = await newInvoice();
    const send = () =>
      ctx.app.inject({
        method: 'POST',
        url: `/v1/invoices/${invoice.id}/payment_plans`,
        headers: { ...acme.auth, 'idempotency-key': `plan-${invoice.id}` },
        payload: { count: 2, first_due_date: '2026-04-01' },
      });
    const a = await send();
    const b = await send();
    t.equal(a.statusCode, 201);
    t.equal(b.statusCode, 201);
    t.same(b.json(), a.json());
    t.equal((await call(acme, 'GET', `/v1/payment_plans?invoice_id=${invoice.id}`)).json().data.length, 1);
  });

  t.test('a read-only key reads plans and changes none', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { read_only: true })).json();
    const ro = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const invoice = await newInvoice();
    const plan = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })).json();
    for (const [url, body] of [
      [`/v1/invoices/${invoice.id}/payment_plans`, { count: 2, first_due_date: '2026-04-01' }],
      [`/v1/payment_plans/${plan.id}/cancel`, {}],
    ] as const) {
      const res = await call(ro, 'POST', url, body);
      t.equal(res.statusCode, 403);
      t.equal(res.json().code, 'auth/read_only_key');
    }
    t.equal((await call(ro, 'GET', `/v1/payment_plans/${plan.id}`)).statusCode, 200);
  });

  t.test("another account's plans are invisible and untouchable", async (t) => {
    const invoice = await newInvoice();
    const plan = (await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' })).json();
    const get = await call(other, 'GET', `/v1/payment_plans/${plan.id}`);
    t.equal(get.statusCode, 404);
    t.equal(get.json().code, 'payment_plan/not_found');
    t.equal((await call(other, 'POST', `/v1/payment_plans/${plan.id}/cancel`, {})).statusCode, 404);
    const onTheirs = await createPlan(invoice.id, { count: 2, first_due_date: '2026-04-01' }, other);
    t.equal(onTheirs.statusCode, 404);
    t.equal(onTheirs.json().code, 'invoice/not_found');
    t.same((await call(other, 'GET', '/v1/payment_plans')).json().data, []);
    t.same((await call(other, 'GET', `/v1/payment_plans?invoice_id=${invoice.id}`)).json().data, []);
    t.equal((await planOf(plan.id)).status, 'active', 'untouched');
  });
});
