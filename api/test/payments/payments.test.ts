import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

t.test('payments (REST)', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const newInvoice = (body: object = {}) =>
    kit.invoice(acme, { customer_id: customer.id, currency: 'EUR', due_date: '2026-03-20', ...body });
  const pay = (body: object, who = acme) =>
    call(who, 'POST', '/v1/payments', { customer_id: customer.id, currency: 'EUR', method: 'transfer', ...body });
  const invoiceOf = async (id: string) => (await call(acme, 'GET', `/v1/invoices/${id}`)).json();
  const paymentsOf = async (query: string) => (await call(acme, 'GET', `/v1/payments?${query}`)).json().data;

  t.test('a partial payment, then the rest: partially paid, then paid', async (t) => {
    const invoice = await newInvoice({ subtotal: 10_000 });
    const res = await pay({
      amount: 4000,
      received_on: '2026-03-01',
      reference: 'VIR 0042',
      metadata: { bank: 'BNP' },
      allocations: [{ invoice_id: invoice.id, amount: 4000 }],
    });
    t.equal(res.statusCode, 201, res.body);
    const payment = res.json();
    t.match(payment, {
      object: 'payment',
      customer_id: customer.id,
      amount: 4000,
      currency: 'EUR',
      received_on: '2026-03-01',
      method: 'transfer',
      reference: 'VIR 0042',
      status: 'succeeded',
      amount_allocated: 4000,
      unallocated: 0,
      reversal_reason: null,
      reversed_at: null,
      metadata: { bank: 'BNP' },
      created_at: '2026-03-02T09:00:00.000Z',
    });
    t.match(payment.id, /^pay_/);
    t.equal(payment.allocations.length, 1);
    t.match(payment.allocations[0], {
      object: 'payment_allocation',
      invoice_id: invoice.id,
      amount: 4000,
      reversed: false,
      reversed_at: null,
    });
    t.match(payment.allocations[0].id, /^alloc_/);
    t.match(await invoiceOf(invoice.id), { status: 'partially_paid', amount_paid: 4000, balance: 6000 });
    t.same((await call(acme, 'GET', `/v1/payments/${payment.id}`)).json(), payment);
    t.same(
      (await kit.eventsOf(acme, payment.id)).map((e) => e.type),
      ['payment.received'],
    );
    t.same((await kit.eventsOf(acme, payment.id))[0]?.data, payment);

    const rest = await pay({ amount: 6000, method: 'card', allocations: [{ invoice_id: invoice.id, amount: 6000 }] });
    t.equal(rest.statusCode, 201);
    t.equal(rest.json().received_on, '2026-03-02', "received today in the account's zone by default");
    t.match(await invoiceOf(invoice.id), { status: 'paid', amount_paid: 10_000, balance: 0 });
    const invoiceEvents = (await kit.eventsOf(acme, invoice.id))
      .map((e) => e.type)
      .filter((type) => type.startsWith('invoice.'));
    t.same(invoiceEvents, ['invoice.created', 'invoice.partially_paid', 'invoice.paid']);
    t.same(
      (await paymentsOf(`invoice_id=${invoice.id}`)).map((p: { id: string }) => p.id),
      [rest.json().id, payment.id],
    );
  });

  t.test('several invoices at once; the rest is credit, applied later', async (t) => {
    const a = await newInvoice({ subtotal: 1000 });
    const b = await newInvoice({ subtotal: 2500 });
    const c = await newInvoice({ subtotal: 800 });
    const res = await pay({
      amount: 5000,
      allocations: [
        { invoice_id: a.id, amount: 1000 },
        { invoice_id: b.id, amount: 2000 },
      ],
    });
    t.equal(res.statusCode, 201, res.body);
    const payment = res.json();
    t.match(payment, { amount_allocated: 3000, unallocated: 2000 });
    t.match(await invoiceOf(a.id), { status: 'paid', balance: 0 });
    t.match(await invoiceOf(b.id), { status: 'partially_paid', balance: 500 });

    const applied = await call(acme, 'POST', `/v1/payments/${payment.id}/apply_credit`, {
      allocations: [
        { invoice_id: c.id, amount: 800 },
        { invoice_id: b.id, amount: 500 },
      ],
    });
    t.equal(applied.statusCode, 200, applied.body);
    t.match(applied.json(), { amount_allocated: 4300, unallocated: 700 });
    t.equal(applied.json().allocations.length, 4);
    t.match(await invoiceOf(b.id), { status: 'paid', balance: 0 });
    t.match(await invoiceOf(c.id), { status: 'paid', balance: 0 });
    t.same(
      (await kit.eventsOf(acme, payment.id)).map((e) => e.type),
      ['payment.received', 'payment.credit_applied'],
    );

    const d = await newInvoice({ subtotal: 5000 });
    const tooMuch = await call(acme, 'POST', `/v1/payments/${payment.id}/apply_credit`, {
      allocations: [{ invoice_id: d.id, amount: 701 }],
    });
    t.equal(tooMuch.statusCode, 422);
    t.equal(tooMuch.json().code, 'payment/over_allocation');
    t.match(await invoiceOf(d.id), { status: 'open', balance: 5000 });
    t.equal((await call(acme, 'GET', `/v1/payments/${payment.id}`)).json().unallocated, 700, 'the credit is untouched');
  });

  t.test('auto-allocation: oldest due first, then by id; the rest is credit', async (t) => {
    const someone = await kit.customer(acme, { name: 'Auto SA' });
    const inv = (due_date: string, subtotal: number, currency = 'EUR') =>
      kit.invoice(acme, { customer_id: someone.id, currency, issue_date: '2026-01-01', due_date, subtotal });
    const late = await inv('2026-04-30', 3000);
    const first = await inv('2026-02-01', 1000);
    const second = await inv('2026-02-15', 2000);
    const dollars = await inv('2026-01-15', 9999, 'USD');
    const draft = await kit.invoice(acme, {
      customer_id: someone.id,
      currency: 'EUR',
      issue_date: '2026-01-01',
      due_date: '2026-01-02',
      subtotal: 777,
      status: 'draft',
    });
    const res = await pay({ customer_id: someone.id, amount: 3500 });
    t.equal(res.statusCode, 201, res.body);
    t.same(
      res.json().allocations.map((a: { invoice_id: string; amount: number }) => [a.invoice_id, a.amount]),
      [
        [first.id, 1000],
        [second.id, 2000],
        [late.id, 500],
      ],
    );
    t.equal(res.json().unallocated, 0);
    t.match(await invoiceOf(late.id), { status: 'partially_paid', balance: 2500 });
    t.match(await invoiceOf(dollars.id), { status: 'open', balance: 9999 });
    t.match(await invoiceOf(draft.id), { status: 'draft', amount_paid: 0 });

    const credit = await pay({ customer_id: someone.id, amount: 4000 });
    t.match(credit.json(), { amount_allocated: 2500, unallocated: 1500 });
    const kept = await pay({ customer_id: someone.id, amount: 100, currency: 'USD', auto_allocate: false });
    t.match(kept.json(), { amount_allocated: 0, unallocated: 100, allocations: [] });
    t.match(await invoiceOf(dollars.id), { balance: 9999 });
    const both = await pay({ customer_id: someone.id, amount: 100, allocations: [], auto_allocate: true });
    t.equal(both.statusCode, 400);
    t.equal(both.json().code, 'request/validation_failed');
  });

  t.test('every refusal changes nothing', async (t) => {
    const invoice = await newInvoice({ subtotal: 5000 });
    const voided = await newInvoice({ subtotal: 5000 });
    await call(acme, 'POST', `/v1/invoices/${voided.id}/void`);
    const draft = await newInvoice({ subtotal: 5000, status: 'draft' });
    const writtenOff = await newInvoice({ subtotal: 5000 });
    await call(acme, 'POST', `/v1/invoices/${writtenOff.id}/mark_uncollectible`);
    const dollars = await newInvoice({ subtotal: 5000, currency: 'USD' });
    const stranger = await kit.customer(acme, { name: 'Stranger' });
    const strangers = await kit.invoice(acme, {
      customer_id: stranger.id,
      currency: 'EUR',
      due_date: '2026-03-20',
      subtotal: 5000,
    });
    const ok = { invoice_id: invoice.id, amount: 1000 };
    const cases: Array<[string, number, object]> = [
      ['payment/over_allocation', 422, { amount: 9000, allocations: [{ invoice_id: invoice.id, amount: 5001 }] }],
      [
        'payment/over_allocation',
        422,
        { amount: 1500, allocations: [ok, { invoice_id: (await newInvoice({ subtotal: 900 })).id, amount: 900 }] },
      ],
      ['payment/currency_mismatch', 422, { amount: 2000, allocations: [ok, { invoice_id: dollars.id, amount: 1000 }] }],
      [
        'payment/invoice_not_payable',
        409,
        { amount: 2000, allocations: [ok, { invoice_id: voided.id, amount: 1000 }] },
      ],
      ['payment/invoice_not_payable', 409, { amount: 2000, allocations: [ok, { invoice_id: draft.id, amount: 1000 }] }],
      [
        'payment/invoice_not_payable',
        409,
        { amount: 2000, allocations: [ok, { invoice_id: writtenOff.id, amount: 1000 }] },
      ],
      [
        'payment/invoice_of_other_customer',
        422,
        { amount: 2000, allocations: [ok, { invoice_id: strangers.id, amount: 1000 }] },
      ],
      ['invoice/not_found', 404, { amount: 2000, allocations: [ok, { invoice_id: newId('invoice'), amount: 1000 }] }],
      ['customer/not_found', 404, { customer_id: newId('customer'), amount: 2000, allocations: [ok] }],
      ['request/validation_failed', 400, { amount: 0, allocations: [ok] }],
      ['request/validation_failed', 400, { amount: 2000, method: 'bitcoin' }],
      ['request/validation_failed', 400, { amount: 2000, currency: 'EURO' }],
      ['request/validation_failed', 400, { amount: 2000, allocations: [ok, ok] }],
      ['request/validation_failed', 400, { amount: 2000, allocations: [{ invoice_id: invoice.id, amount: -5 }] }],
      ['request/validation_failed', 400, { amount: 2000, surprise: true }],
    ];
    const before = await paymentsOf('limit=100');
    for (const [code, status, body] of cases) {
      const res = await pay(body);
      t.equal(res.statusCode, status, `${code}: ${res.body}`);
      t.equal(res.json().code, code);
    }
    for (const id of [invoice.id, voided.id, draft.id, writtenOff.id, dollars.id, strangers.id]) {
      t.match(await invoiceOf(id), { amount_paid: 0, balance: 5000 }, `${id} unchanged`);
    }
    t.equal(await invoiceOf(invoice.id).then((i) => i.status), 'open');
    t.same(await paymentsOf('limit=100'), before, 'no payment was written');
    const events = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('events').select('id').where('type', 'like', 'payment.%').execute(),
    );
    t.equal(events.length, before.length + 1, 'only the events of earlier payments (one credit_applied)');
  });

  t.test('reversal: balances and states come back, reminders are planned again', async (t) => {
    const invoice = await newInvoice({ subtotal: 10_000 });
    const partial = await newInvoice({ subtotal: 10_000 });
    await kit.run();
    const pending = async (id: string) =>
      (await kit.occurrences(acme, id)).map((o) => [o.offset_days, o.status, o.skip_reason]);
    t.same(await pending(invoice.id), [
      [-7, 'scheduled', null],
      [0, 'scheduled', null],
      [7, 'scheduled', null],
    ]);

    const payment = (
      await pay({
        amount: 14_000,
        allocations: [
          { invoice_id: invoice.id, amount: 10_000 },
          { invoice_id: partial.id, amount: 3000 },
        ],
      })
    ).json();
    t.same(
      await pending(invoice.id),
      [
        [-7, 'skipped', 'paid'],
        [0, 'skipped', 'paid'],
        [7, 'skipped', 'paid'],
      ],
      'a paid invoice is not chased',
    );
    t.same(
      await pending(partial.id),
      [
        [-7, 'scheduled', null],
        [0, 'scheduled', null],
        [7, 'scheduled', null],
      ],
      'a partly paid one still is',
    );

    // Nine days later the transfer bounces: the −7 step (13 March) has passed, the others are to come.
    kit.clock.set(new Date('2026-03-14T10:00:00Z'));
    await kit.run();
    const res = await call(acme, 'POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Transfer bounced' });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), {
      status: 'reversed',
      reversal_reason: 'Transfer bounced',
      reversed_at: '2026-03-14T10:00:00.000Z',
      unallocated: 0,
      amount_allocated: 0,
    });
    t.ok(
      res
        .json()
        .allocations.every(
          (a: { reversed: boolean; reversed_at: string }) => a.reversed && a.reversed_at === '2026-03-14T10:00:00.000Z',
        ),
    );
    t.match(await invoiceOf(invoice.id), { status: 'open', amount_paid: 0, balance: 10_000 });
    t.match(await invoiceOf(partial.id), { status: 'open', amount_paid: 0, balance: 10_000 });
    t.same(
      await pending(invoice.id),
      [
        [-7, 'skipped', 'paid'],
        [0, 'scheduled', null],
        [7, 'scheduled', null],
      ],
      'what is still to come is planned again',
    );
    await ctx.services.reminders.scheduler.planPending({ kind: 'live', now: kit.clock.now() });
    t.same(
      await pending(invoice.id),
      [
        [-7, 'skipped', 'paid'],
        [0, 'scheduled', null],
        [7, 'scheduled', null],
      ],
      'and stays planned',
    );
    const timeline = (await call(acme, 'GET', `/v1/invoices/${invoice.id}/timeline`)).json();
    t.same(
      timeline.reminders.map((r: { offset_days: number; status: string }) => [r.offset_days, r.status]),
      [
        [-7, 'skipped'],
        [0, 'scheduled'],
        [7, 'scheduled'],
      ],
      'the timeline shows the reminders to come',
    );

    t.same(
      (await kit.eventsOf(acme, payment.id)).map((e) => e.type),
      ['payment.received', 'payment.reversed'],
    );
    t.ok((await kit.eventsOf(acme, invoice.id)).some((e) => e.type === 'invoice.reopened'));
    t.same(
      await paymentsOf(`status=reversed&invoice_id=${invoice.id}`).then((p) => p.map((x: { id: string }) => x.id)),
      [payment.id],
    );

    // The 20 March reminder goes out now that the invoice is owed again.
    kit.clock.set(new Date('2026-03-20T10:00:00Z'));
    await kit.run();
    t.match(
      (await kit.occurrences(acme, invoice.id)).find((o) => o.offset_days === 0),
      { status: 'sent' },
    );

    const twice = await call(acme, 'POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Again' });
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().code, 'payment/already_reversed');
    const credit = await call(acme, 'POST', `/v1/payments/${payment.id}/apply_credit`, {
      allocations: [{ invoice_id: invoice.id, amount: 1 }],
    });
    t.equal(credit.json().code, 'payment/already_reversed');
    t.match(await invoiceOf(invoice.id), { amount_paid: 0, balance: 10_000 });
    kit.clock.set(new Date('2026-03-02T09:00:00Z'));
  });

  t.test('a payment after a partial one reverses to partially paid', async (t) => {
    const invoice = await newInvoice({ subtotal: 1000 });
    await pay({ amount: 300, allocations: [{ invoice_id: invoice.id, amount: 300 }] });
    const rest = (await pay({ amount: 700, allocations: [{ invoice_id: invoice.id, amount: 700 }] })).json();
    t.match(await invoiceOf(invoice.id), { status: 'paid' });
    await call(acme, 'POST', `/v1/payments/${rest.id}/reverse`, { reason: 'Refunded' });
    t.match(await invoiceOf(invoice.id), { status: 'partially_paid', amount_paid: 300, balance: 700 });
  });

  t.test('two payments racing for the last balance: one wins, the other is refused', async (t) => {
    for (let round = 0; round < 5; round++) {
      const invoice = await newInvoice({ subtotal: 10_000 });
      await pay({ amount: 4000, allocations: [{ invoice_id: invoice.id, amount: 4000 }] });
      const race = await Promise.all(
        [0, 1].map(() => pay({ amount: 6000, allocations: [{ invoice_id: invoice.id, amount: 6000 }] })),
      );
      const codes = race.map((r) => r.statusCode).sort();
      t.same(codes, [201, 422], `round ${round}`);
      t.equal(race.find((r) => r.statusCode === 422)?.json().code, 'payment/over_allocation');
      const after = await invoiceOf(invoice.id);
      t.match(after, { status: 'paid', amount_paid: 10_000, balance: 0 });
      t.ok(after.amount_paid <= after.total);
      t.equal((await paymentsOf(`invoice_id=${invoice.id}`)).length, 2);
    }
  });

  t.test('lists filter by customer, status and date received, page by page', async (t) => {
    const someone = await kit.customer(acme, { name: 'Lister' });
    const ids: string[] = [];
    for (const day of ['2026-01-05', '2026-02-05', '2026-03-01']) {
      ids.push((await pay({ customer_id: someone.id, amount: 100, received_on: day, auto_allocate: false })).json().id);
    }
    const mine = await paymentsOf(`customer_id=${someone.id}`);
    t.same(
      mine.map((p: { id: string }) => p.id),
      [...ids].reverse(),
    );
    t.same(
      (await paymentsOf(`customer_id=${someone.id}&received_from=2026-02-01&received_to=2026-02-28`)).map(
        (p: { id: string }) => p.id,
      ),
      [ids[1]],
    );
    const page = (await call(acme, 'GET', `/v1/payments?customer_id=${someone.id}&limit=2`)).json();
    t.match(page, { has_more: true, next_cursor: ids[1] });
    const next = (
      await call(acme, 'GET', `/v1/payments?customer_id=${someone.id}&limit=2&starting_after=${page.next_cursor}`)
    ).json();
    t.same(
      next.data.map((p: { id: string }) => p.id),
      [ids[0]],
    );
    t.equal((await paymentsOf(`customer_id=${someone.id}&status=reversed`)).length, 0);
    t.equal((await call(acme, 'GET', '/v1/payments?status=lost')).statusCode, 400);
  });

  t.test("another account's customer, invoice and payment are not found", async (t) => {
    const invoice = await newInvoice({ subtotal: 1000 });
    const payment = (await pay({ amount: 500, allocations: [{ invoice_id: invoice.id, amount: 500 }] })).json();
    const theirs = await kit.customer(other, { name: 'Theirs' });
    const theirInvoice = await kit.invoice(other, { customer_id: theirs.id, currency: 'EUR', due_date: '2026-03-20' });

    const viaCustomer = await pay({ customer_id: theirs.id, amount: 100 });
    t.equal(viaCustomer.statusCode, 404);
    t.equal(viaCustomer.json().code, 'customer/not_found');
    const viaInvoice = await pay({ amount: 100, allocations: [{ invoice_id: theirInvoice.id, amount: 100 }] });
    t.equal(viaInvoice.statusCode, 404);
    t.equal(viaInvoice.json().code, 'invoice/not_found');
    for (const [method, url, body] of [
      ['GET', `/v1/payments/${payment.id}`, undefined],
      ['POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Not yours' }],
      [
        'POST',
        `/v1/payments/${payment.id}/apply_credit`,
        { allocations: [{ invoice_id: theirInvoice.id, amount: 1 }] },
      ],
    ] as const) {
      const res = await call(other, method, url, body);
      t.equal(res.statusCode, 404, url);
      t.equal(res.json().code, 'payment/not_found');
    }
    t.same((await call(other, 'GET', `/v1/payments?invoice_id=${invoice.id}`)).json().data, []);
    t.match(await invoiceOf(invoice.id), { amount_paid: 500 });
    t.match((await call(other, 'GET', `/v1/invoices/${theirInvoice.id}`)).json(), { amount_paid: 0, status: 'open' });
  });
});
