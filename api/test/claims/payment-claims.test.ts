import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { graphqlClient } from '../graphql/client.ts';

// "I have already paid": a claim holds the invoice's reminders while someone checks; a payment
// confirms it, a person rejects it, or it expires and the schedule resumes. Played on the clock.
t.test('payment claims', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  clock.set('2026-03-02T09:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  // A letter on the due date (a task the test can see), a call a week after.
  const policy = await kit.policy(acme, [
    { offset_days: 0, channel: 'letter' },
    { offset_days: 7, channel: 'call' },
  ]);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const invoice = (due: string) => kit.invoice(acme, { customer_id: customer.id, due_date: due, currency: 'EUR' });
  const claim = (body: object, who = acme) => call(who, 'POST', '/v1/payment_claims', body);
  const openTasks = async (kind: string, invoiceId: string) =>
    (await call(acme, 'GET', `/v1/tasks?kind=${kind}&invoice_id=${invoiceId}&status=open`)).json().data;

  t.test('a claim holds the reminders through its last day; unconfirmed, it expires and they resume', async (t) => {
    const inv = await invoice('2026-03-09');
    await kit.run();
    const res = await claim({ invoice_id: inv.id, paid_on: '2026-03-01', amount: 12000, reference: 'VIR-778' });
    t.equal(res.statusCode, 201, res.body);
    const made = res.json();
    t.match(made, {
      object: 'payment_claim',
      invoice_id: inv.id,
      customer_id: customer.id,
      status: 'open',
      source: 'api',
      paid_on: '2026-03-01',
      amount: 12000,
      currency: 'EUR',
      reference: 'VIR-778',
      hold_until: '2026-03-09',
      payment_id: null,
    });
    const [task] = await openTasks('payment_claim', inv.id);
    t.equal(task?.id, made.task_id, 'a task asks someone to check');
    t.match(task?.note, /says it paid €120\.00 on 2026-03-01 \(reference VIR-778\)/);
    t.equal((await call(acme, 'GET', `/v1/invoices/${inv.id}`)).statusCode, 200);

    const again = await claim({ invoice_id: inv.id, paid_on: '2026-03-01', amount: 12000 });
    t.equal(again.statusCode, 409);
    t.equal(again.json().code, 'payment_claim/already_open');

    // Due date, the hold's last day: the letter waits for the day after.
    clock.set('2026-03-09T09:00:00Z');
    await kit.run();
    const letter = (await kit.occurrences(acme, inv.id)).find((o) => o.channel === 'letter');
    t.match(letter, { status: 'scheduled', hold_reason: 'payment_claim' });
    t.equal(letter?.scheduled_at?.toISOString(), '2026-03-10T09:00:00.000Z');
    t.equal((await openTasks('letter', inv.id)).length, 0, 'no letter while the claim is checked');

    clock.set('2026-03-10T09:00:00Z');
    await kit.run();
    const expired = (await call(acme, 'GET', `/v1/payment_claims/${made.id}`)).json();
    t.match(expired, { status: 'expired', resolved_at: '2026-03-10T09:00:00.000Z' });
    t.equal((await openTasks('letter', inv.id)).length, 1, 'the schedule resumed: the letter is due');
    t.equal((await openTasks('payment_claim', inv.id)).length, 1, 'the check is still to do');
    const types = (await kit.eventsOf(acme, made.id)).map((e) => e.type);
    t.same(types, ['payment_claim.created', 'payment_claim.expired']);
  });

  t.test('a payment recorded on the invoice confirms the claim', async (t) => {
    clock.set('2026-03-02T09:00:00Z');
    const inv = await invoice('2026-03-04');
    const made = (await claim({ invoice_id: inv.id, paid_on: '2026-03-02', amount: inv.total })).json();
    const paid = await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: inv.total,
      currency: 'EUR',
      method: 'transfer',
      received_on: '2026-03-03',
      allocations: [{ invoice_id: inv.id, amount: inv.total }],
    });
    t.equal(paid.statusCode, 201, paid.body);
    const confirmed = (await call(acme, 'GET', `/v1/payment_claims/${made.id}`)).json();
    t.match(confirmed, { status: 'confirmed', payment_id: paid.json().id });
    const task = (await call(acme, 'GET', `/v1/tasks/${made.task_id}`)).json();
    t.match(task, { status: 'completed', outcome: `Payment recorded: ${paid.json().id}` });
    t.equal((await call(acme, 'GET', `/v1/invoices/${inv.id}`)).json().status, 'paid');
    clock.set('2026-03-04T09:00:00Z');
    await kit.run();
    t.equal((await openTasks('letter', inv.id)).length, 0, 'paid: no letter');
  });

  t.test('a bank line matched to the invoice confirms the claim', async (t) => {
    clock.set('2026-03-02T09:00:00Z');
    const inv = await invoice('2026-03-06');
    const made = (
      await claim({ invoice_id: inv.id, paid_on: '2026-03-02', amount: inv.total, reference: 'VIR-9931' })
    ).json();
    const imported = await call(acme, 'POST', '/v1/bank_transactions', {
      transactions: [
        {
          booked_on: '2026-03-03',
          amount: inv.total,
          currency: 'EUR',
          label: `VIR SEPA RECU /DE DUPONT SARL /MOTIF ${inv.number} VIR-9931`,
          bank_reference: 'claim-line-1',
        },
      ],
    });
    t.equal(imported.statusCode, 201, imported.body);
    const line = imported.json().lines[0].bank_transaction;
    const best = line.matches[0];
    t.match(best?.allocations, [{ invoice_id: inv.id, amount: inv.total }], 'the line is proposed for the invoice');
    const confirmed = await call(acme, 'POST', `/v1/bank_transactions/${line.id}/confirm`, { match_id: best.id });
    t.equal(confirmed.statusCode, 200, confirmed.body);
    const after = (await call(acme, 'GET', `/v1/payment_claims/${made.id}`)).json();
    t.match(after, { status: 'confirmed', payment_id: confirmed.json().payment_id });
  });

  t.test('a person rejects a claim: reminders resume at once', async (t) => {
    clock.set('2026-03-02T09:00:00Z');
    const inv = await invoice('2026-03-03');
    await kit.run();
    const made = (
      await claim({ invoice_id: inv.id, paid_on: '2026-03-02', amount: 500, note: 'Said on the phone' })
    ).json();
    clock.set('2026-03-03T09:00:00Z');
    await kit.run();
    t.match(
      (await kit.occurrences(acme, inv.id)).find((o) => o.channel === 'letter'),
      { status: 'scheduled', hold_reason: 'payment_claim' },
    );
    clock.set('2026-03-04T08:00:00Z');
    const rejected = await call(acme, 'POST', `/v1/payment_claims/${made.id}/reject`, {
      note: 'Nothing on the account',
    });
    t.equal(rejected.statusCode, 200, rejected.body);
    t.match(rejected.json(), { status: 'rejected', resolution_note: 'Nothing on the account' });
    t.match((await call(acme, 'GET', `/v1/tasks/${made.task_id}`)).json(), { status: 'completed' });
    clock.set('2026-03-04T09:00:00Z');
    await kit.run();
    t.equal(
      (await openTasks('letter', inv.id)).length,
      1,
      'the letter went out at the next send time, not on the 10th',
    );
    const twice = await call(acme, 'POST', `/v1/payment_claims/${made.id}/reject`, {});
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().code, 'payment_claim/not_open');
  });

  t.test('bad input: clear codes, nothing stored', async (t) => {
    clock.set('2026-03-02T09:00:00Z');
    const inv = await invoice('2026-03-20');
    const cases: Array<[object, number, string, string?]> = [
      [{ invoice_id: inv.id, paid_on: '2026-03-05', amount: 100 }, 422, 'payment_claim/paid_on_future', '/paid_on'],
      [
        { invoice_id: inv.id, paid_on: '2026-03-01', amount: 100, currency: 'GBP' },
        422,
        'payment_claim/currency_mismatch',
        '/currency',
      ],
      [{ invoice_id: inv.id, paid_on: '2026-03-01', amount: 0 }, 400, 'request/validation_failed', '/amount'],
      [{ invoice_id: inv.id, paid_on: 'yesterday', amount: 10 }, 400, 'request/validation_failed', '/paid_on'],
      [{ invoice_id: 'inv_nope', paid_on: '2026-03-01', amount: 10 }, 404, 'invoice/not_found'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await claim(body);
      t.equal(res.statusCode, status, JSON.stringify(body));
      t.equal(res.json().code, code);
      if (field) t.equal(res.json().errors?.[0]?.field, field);
    }
    const foreign = await claim({ invoice_id: inv.id, paid_on: '2026-03-01', amount: 10 }, other);
    t.equal(foreign.statusCode, 404, "another account's invoice");
    const list = (await call(acme, 'GET', `/v1/payment_claims?invoice_id=${inv.id}`)).json();
    t.same(list.data, [], 'nothing stored');
    await call(acme, 'POST', `/v1/invoices/${inv.id}/void`, {});
    const closed = await claim({ invoice_id: inv.id, paid_on: '2026-03-01', amount: 10 });
    t.equal(closed.statusCode, 409);
    t.equal(closed.json().code, 'invoice/invalid_transition');
  });

  t.test("a test account's clock expires its claims, and only its own", async (t) => {
    const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'Europe/Paris' });
    const advance = async (to: string) => {
      const res = await call(sandbox, 'POST', '/v1/test_clock/advance', { to });
      t.equal(res.statusCode, 200, res.body);
    };
    await advance('2026-05-04T08:00:00Z');
    const who = await kit.customer(sandbox);
    const inv = await kit.invoice(sandbox, { customer_id: who.id, due_date: '2026-05-20', issue_date: '2026-05-01' });
    const made = await claim({ invoice_id: inv.id, paid_on: '2026-05-04', amount: 100 }, sandbox);
    t.match(made.json(), { status: 'open', hold_until: '2026-05-11' }, "the hold counts from the test clock's day");
    // A live pass a month later leaves the test account's claim alone: its clock decides.
    clock.set('2026-06-15T09:00:00Z');
    await kit.run();
    clock.set('2026-03-02T09:00:00Z');
    t.equal((await call(sandbox, 'GET', `/v1/payment_claims/${made.json().id}`)).json().status, 'open');
    await advance('2026-05-11T20:00:00Z');
    t.equal((await call(sandbox, 'GET', `/v1/payment_claims/${made.json().id}`)).json().status, 'open', 'its last day');
    await advance('2026-05-12T08:00:00Z');
    t.match((await call(sandbox, 'GET', `/v1/payment_claims/${made.json().id}`)).json(), {
      status: 'expired',
      // The clock steps through each local midnight: the claim ends as 12 May begins in Paris.
      resolved_at: '2026-05-11T22:00:00.000Z',
    });
  });

  t.test('listed, filtered, paged; GraphQL alike; each account sees its own', async (t) => {
    const all = (await call(acme, 'GET', '/v1/payment_claims')).json();
    t.equal(all.data.length, 4);
    t.same(
      (await call(acme, 'GET', '/v1/payment_claims?status=confirmed'))
        .json()
        .data.map((c: { status: string }) => c.status),
      ['confirmed', 'confirmed'],
    );
    const page = (await call(acme, 'GET', '/v1/payment_claims?limit=2')).json();
    t.equal(page.has_more, true);
    const rest = (await call(acme, 'GET', `/v1/payment_claims?limit=2&starting_after=${page.next_cursor}`)).json();
    t.same(
      [...page.data, ...rest.data].map((c: { id: string }) => c.id),
      all.data.map((c: { id: string }) => c.id),
    );
    t.same((await call(other, 'GET', '/v1/payment_claims')).json().data, []);
    t.equal((await call(other, 'GET', `/v1/payment_claims/${all.data[0].id}`)).statusCode, 404);

    clock.set('2026-03-02T09:00:00Z');
    const inv = await invoice('2026-03-25');
    const gql = graphqlClient(ctx, acme.auth);
    const created = await gql(
      `mutation ($input: CreatePaymentClaimInput!) { createPaymentClaim(input: $input) { id status source amount holdUntil taskId } }`,
      { input: { invoiceId: inv.id, paidOn: '2026-03-01', amount: 700, reference: 'CHQ 12' } },
    );
    t.match(created.data?.createPaymentClaim, { status: 'OPEN', source: 'API', amount: 700, holdUntil: '2026-03-09' });
    const id = created.data?.createPaymentClaim.id;
    const rejected = await gql(`mutation ($id: ID!) { rejectPaymentClaim(id: $id) { status } }`, { id });
    t.same(rejected.data, { rejectPaymentClaim: { status: 'REJECTED' } });
    const listed = await gql(`{ paymentClaims(status: REJECTED) { data { id } } }`);
    t.ok(listed.data?.paymentClaims.data.some((c: { id: string }) => c.id === id));
    const theirs = graphqlClient(ctx, other.auth);
    t.same((await theirs(`query ($id: ID!) { paymentClaim(id: $id) { id } }`, { id })).data, { paymentClaim: null });
  });
});
