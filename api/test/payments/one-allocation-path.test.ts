import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { recordEvent } from '../../src/domain/outbox/event.repository.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

// A payment for one invoice is written by one statement, on the condition that the allocation
// rules let it in; otherwise the locking path decides. These tests hold both paths to the same
// outcome and the one-statement path to never over-allocating.
t.test('payments with one allocation', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  // Which path wrote an invoice's latest event: the one statement stores the invoice's row
  // (`data_form = 'invoice_row'`), the locking path a snapshot of the invoice as the API shows it.
  const pathOf = async (invoiceId: string) => {
    const { data_form } = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('events')
        .select('data_form')
        .where('object_id', '=', invoiceId)
        .orderBy('object_sequence', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow(),
    );
    return data_form === 'invoice_row' ? 'one statement' : 'locking';
  };
  const newInvoice = (body: object = {}) =>
    kit.invoice(acme, { customer_id: customer.id, currency: 'EUR', due_date: '2026-03-20', ...body });
  const pay = (body: object, who = acme) =>
    call(who, 'POST', '/v1/payments', { customer_id: customer.id, currency: 'EUR', method: 'transfer', ...body });
  const eventsOf = async (objectId: string) =>
    (await call(acme, 'GET', `/v1/events?object_id=${objectId}&limit=100`)).json().data as Array<{
      type: string;
      data: Record<string, unknown>;
    }>;
  const withoutIds = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v) =>
        ['id', 'invoice_id', 'number', 'payment_id', 'step_id'].includes(key) ? undefined : v,
      ),
    );

  t.test('settling an invoice takes the unlocked path and leaves what the locking path leaves', async (t) => {
    const twins = [await newInvoice({ subtotal: 5000 }), await newInvoice({ subtotal: 5000 })];
    await kit.run(); // plan both invoices' reminders
    const scheduled = await kit.occurrences(acme, twins[0].id);
    t.ok(scheduled.length > 0, 'the invoice has reminders to skip');

    const fast = await pay({ amount: 5000, allocations: [{ invoice_id: twins[0].id, amount: 5000 }] });
    t.equal(fast.statusCode, 201, fast.body);
    t.equal(await pathOf(twins[0].id), 'one statement');
    // The twin through the locking path: auto-allocation (oldest due first) finds it the only one owed.
    const locked = await pay({ amount: 5000 });
    t.equal(locked.statusCode, 201, locked.body);
    t.equal(await pathOf(twins[1].id), 'locking');
    const locking = locked.json();
    t.equal(locking.allocations[0]?.invoice_id, twins[1].id, 'auto-allocation took the other twin');

    const invoices = await Promise.all(
      twins.map(async (i) => (await call(acme, 'GET', `/v1/invoices/${i.id}`)).json()),
    );
    t.match(invoices[0], { status: 'paid', amount_paid: 5000, balance: 0 });
    t.same(
      withoutIds({ ...invoices[0], updated_at: 0 }),
      withoutIds({ ...invoices[1], updated_at: 0 }),
      'both invoices end in the same state',
    );

    // The one-statement path flags the paid invoice for a replan instead of skipping its
    // reminders itself: its timeline, read at once, shows them skipped (the read replans it).
    t.same(
      (await kit.occurrences(acme, twins[0].id)).map((o: { status: string }) => o.status),
      scheduled.map(() => 'scheduled'),
      'the reminders wait for the replan',
    );
    const timeline = (await call(acme, 'GET', `/v1/invoices/${twins[0].id}/timeline`)).json();
    t.ok(
      timeline.reminders.length > 0 && timeline.reminders.every((e: { status: string }) => e.status === 'skipped'),
      'the timeline shows every reminder skipped',
    );
    const [fastOccurrences = [], lockingOccurrences = []] = await Promise.all(
      twins.map((i) => kit.occurrences(acme, i.id)),
    );
    const occurrences = [fastOccurrences, lockingOccurrences];
    t.ok(
      fastOccurrences.every((o: { status: string }) => o.status === 'skipped'),
      'every pending reminder is skipped',
    );
    t.same(
      fastOccurrences.map((o: { status: string; skip_reason: string | null }) => [o.status, o.skip_reason]),
      lockingOccurrences.map((o: { status: string; skip_reason: string | null }) => [o.status, o.skip_reason]),
    );
    const [fastTypes = [], lockingTypes = []] = await Promise.all(
      twins.map(async (i) => (await eventsOf(i.id)).map((e) => e.type)),
    );
    const _types = [fastTypes, lockingTypes];
    t.same(fastTypes, lockingTypes, 'the same invoice events');
    t.ok(fastTypes.includes('invoice.paid'));
    // The unlocked path stores the invoice's row and shows it when read: the same data as the
    // locking path's snapshot (times apart, the twins being created and paid one after the other).
    const invoiceData = async (invoiceId: string) =>
      (await eventsOf(invoiceId))
        .filter((e) => e.type === 'invoice.paid')
        .map((e) => withoutIds({ ...e.data, created_at: 0, updated_at: 0 }));
    const [fastPaid, lockingPaid] = await Promise.all(twins.map((i) => invoiceData(i.id)));
    t.equal(fastPaid?.length, 1);
    t.same(fastPaid, lockingPaid, 'the same invoice.paid data');
    t.match(fastPaid?.[0], {
      object: 'invoice',
      status: 'paid',
      amount_paid: 5000,
      balance: 0,
      overdue: false,
      days_overdue: 0,
    });
    const [fastSkipped = [], lockingSkipped = []] = await Promise.all(
      occurrences.map(async (list) =>
        (
          await Promise.all(
            list.map(async (o: { id: string }) => (await eventsOf(o.id)).map((e) => withoutIds(e.data))),
          )
        ).flat(),
      ),
    );
    t.equal(fastSkipped.length, scheduled.length, 'one reminder.skipped event per skipped reminder');
    t.same(fastSkipped, lockingSkipped);
    const payments = [fast.json().id, locking.id];
    const paymentEvents = await Promise.all(
      payments.map(async (id) => (await eventsOf(id)).map((e) => withoutIds(e.data))),
    );
    t.same(paymentEvents[0], paymentEvents[1], 'the same payment.received snapshot');

    // The planner, told to look again at the paid invoice, finds nothing more to do.
    await kit.run();
    t.same(
      (await kit.occurrences(acme, twins[0].id)).map((o: { status: string }) => o.status),
      fastOccurrences.map((o: { status: string }) => o.status),
    );
    t.same(
      (await eventsOf(twins[0].id)).map((e) => e.type),
      fastTypes,
    );
  });

  t.test('no reminder of an invoice paid by the one-statement path leaves: the sender replans it first', async (t) => {
    const [paid, unpaid] = [await newInvoice({ subtotal: 800 }), await newInvoice({ subtotal: 800 })];
    await kit.run();
    const [pending = [], control = []] = await Promise.all([paid, unpaid].map((i) => kit.occurrences(acme, i.id)));
    t.ok(pending.length > 0 && pending.every((o: { status: string }) => o.status === 'scheduled'));
    t.equal((await pay({ amount: 800, allocations: [{ invoice_id: paid.id, amount: 800 }] })).statusCode, 201);
    t.equal(await pathOf(paid.id), 'one statement');
    // The first step falls due; the sender, given both invoices' first reminders, sends the
    // unpaid one's and must find the other invoice paid.
    const clock = ctx.clock as ManualClock;
    const started = clock.now();
    t.teardown(() => clock.set(started.toISOString()));
    const first = (list: Array<{ id: string; scheduled_at: Date | null }>) =>
      list.toSorted((x, y) => Number(x.scheduled_at) - Number(y.scheduled_at))[0]!;
    clock.set(new Date(Number(first(pending).scheduled_at) + 60_000).toISOString());
    const outcomes = await ctx.services.reminders.engine.processMany(acme.accountId, [
      first(pending).id,
      first(control).id,
    ]);
    t.equal(outcomes.get(first(control).id), 'sent', "the unpaid invoice's reminder is sent");
    t.not(outcomes.get(first(pending).id), 'sent', "the paid invoice's is not");
    const after = await kit.occurrences(acme, paid.id);
    t.same(
      after.map((o: { status: string; skip_reason: string | null }) => [o.status, o.skip_reason]),
      pending.map(() => ['skipped', 'paid']),
    );
    t.equal((await eventsOf(paid.id)).filter((e) => e.type === 'reminder.sent').length, 0);
  });

  t.test('a partial payment leaves the reminders planned and the credit on the payment', async (t) => {
    const invoice = await newInvoice({ subtotal: 10_000 });
    await kit.run();
    const res = await pay({ amount: 3000, allocations: [{ invoice_id: invoice.id, amount: 2500 }] });
    t.equal(res.statusCode, 201, res.body);
    t.equal(await pathOf(invoice.id), 'one statement');
    t.match(res.json(), { amount: 3000, amount_allocated: 2500, unallocated: 500 });
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
      status: 'partially_paid',
      amount_paid: 2500,
      balance: 7500,
    });
    t.ok((await kit.occurrences(acme, invoice.id)).some((o: { status: string }) => o.status === 'scheduled'));
    t.same((await eventsOf(invoice.id)).map((e) => e.type)[0], 'invoice.partially_paid', 'the newest event');
  });

  t.test('the same refusals as the locking path, and nothing written', async (t) => {
    const invoice = await newInvoice({ subtotal: 1000 });
    const cases: Array<[object, number, string]> = [
      [{ amount: 2000, allocations: [{ invoice_id: invoice.id, amount: 1500 }] }, 422, 'payment/over_allocation'],
      [{ amount: 500, allocations: [{ invoice_id: invoice.id, amount: 600 }] }, 422, 'payment/over_allocation'],
      [
        { amount: 500, currency: 'USD', allocations: [{ invoice_id: invoice.id, amount: 500 }] },
        422,
        'payment/currency_mismatch',
      ],
      [
        { amount: 500, allocations: [{ invoice_id: 'inv_01m81cpt3yfvmbnnt10qten6zc', amount: 500 }] },
        404,
        'invoice/not_found',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await pay(body);
      t.equal(res.statusCode, status, res.body);
      t.equal(res.json().code, code);
    }
    const otherCustomer = await kit.customer(acme, { name: 'Someone else' });
    const res = await pay({
      customer_id: otherCustomer.id,
      amount: 500,
      allocations: [{ invoice_id: invoice.id, amount: 500 }],
    });
    t.equal(res.json().code, 'payment/invoice_of_other_customer');
    const intruder = await kit.customer(other, { name: 'Intruder' });
    const foreign = await pay(
      { customer_id: intruder.id, amount: 500, allocations: [{ invoice_id: invoice.id, amount: 500 }] },
      other,
    );
    t.equal(foreign.statusCode, 404, "another account's invoice does not exist for it");
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
      status: 'open',
      amount_paid: 0,
      balance: 1000,
    });
    t.equal((await call(acme, 'GET', `/v1/payments?invoice_id=${invoice.id}`)).json().data.length, 0);
  });

  t.test('twenty payments racing for one balance never take more than it', async (t) => {
    for (let round = 0; round < 3; round++) {
      const invoice = await newInvoice({ subtotal: 1000 });
      const race = await Promise.all(
        Array.from({ length: 20 }, () => pay({ amount: 150, allocations: [{ invoice_id: invoice.id, amount: 150 }] })),
      );
      const won = race.filter((r) => r.statusCode === 201).length;
      t.equal(won, 6, `round ${round}: six payments of 150 fit in 1000`);
      t.ok(
        race.every((r) => r.statusCode === 201 || r.json().code === 'payment/over_allocation'),
        'the others are over-allocations',
      );
      const after = (await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json();
      t.match(after, { status: 'partially_paid', amount_paid: 900, balance: 100 });
      const payments = (await call(acme, 'GET', `/v1/payments?invoice_id=${invoice.id}&limit=100`)).json().data;
      t.equal(payments.length, 6);
      t.equal(
        (await eventsOf(invoice.id)).filter((e) => e.type === 'invoice.partially_paid').length,
        6,
        'one invoice event per payment written',
      );
    }
  });

  t.test('an event about the invoice committed under its lock sends the payment down the locking path', async (t) => {
    // A writer that locks the invoice without changing it and writes an event about it: the
    // one-statement write waits for the row, but its snapshot predates that event, so it would
    // take the same per-object sequence; the unique index refuses it and the locking path decides.
    const invoice = await newInvoice({ subtotal: 1000 });
    let release: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const writer = ctx.database.withAccount(acme.accountId, async (trx) => {
      await trx.selectFrom('invoices').select('id').where('id', '=', invoice.id).forUpdate().execute();
      await recordEvent(trx, {
        accountId: acme.accountId,
        type: 'invoice.paused',
        objectType: 'invoice',
        objectId: invoice.id,
        data: { note: 'held' },
        at: new Date(),
      });
      holding();
      await locked;
    });
    await held;
    const paying = pay({ amount: 400, allocations: [{ invoice_id: invoice.id, amount: 400 }] });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the payment now waits for the row
    release();
    await writer;
    const res = await paying;
    t.equal(res.statusCode, 201, res.body);
    t.equal(await pathOf(invoice.id), 'locking', 'the locking path wrote it');
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
      status: 'partially_paid',
      amount_paid: 400,
    });
    const sequences = (await eventsOf(invoice.id))
      .map((e) => (e as unknown as { object_sequence: number }).object_sequence)
      .toSorted((a, b) => a - b);
    t.same(
      sequences,
      sequences.map((_, i) => i + 1),
      "the invoice's events are numbered 1, 2, 3 with no gap or repeat",
    );
    t.equal((await call(acme, 'GET', `/v1/payments?invoice_id=${invoice.id}`)).json().data.length, 1, 'one payment');
  });
});
