import t from 'tap';
import type { TestAccount } from '../helpers/app.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

/** Interest as the rules compute it: principal × rate × days / (365 × 10 000), rounded half-up. */
const interest = (principal: number, rateBps: number, days: number) =>
  Math.round((principal * rateBps * days) / 3_650_000);

t.test('payment plans through the reminder engine and the test clock', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris', mode: 'test' });
  t.equal((await call(acme, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' })).statusCode, 200);
  const english = await kit.customer(acme, { name: 'Globex', email: 'ap@globex.example', locale: 'en' });
  const french = await kit.customer(acme, { name: 'Dupont', email: 'compta@dupont.example', locale: 'fr' });
  const invoice = (customerId: string, number: string) =>
    kit.invoice(acme, {
      number,
      customer_id: customerId,
      currency: 'EUR',
      issue_date: '2026-01-15',
      due_date: '2026-02-01',
      subtotal: 1_000_000,
    });
  const advance = async (to: string) => {
    const res = await call(acme, 'POST', '/v1/test_clock/advance', { to });
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  const get = async (url: string, who: TestAccount = acme) => (await call(who, 'GET', url)).json();
  const textsOf = async (invoiceId: string) => {
    const list = (await get(`/v1/messages?invoice_id=${invoiceId}&limit=100`)).data as Array<{ id: string }>;
    return Promise.all(
      list
        .reverse()
        .map(
          async (m) => (await get(`/v1/messages/${m.id}`)) as { subject: string; text: string; template_key: string },
        ),
    );
  };

  const onPlan = await invoice(english.id, 'PLAN-A');
  // Another customer's: the contact budget is per customer, and this one's reminders are not the test's.
  const other = await kit.customer(acme, { name: 'Initech', email: 'ap@initech.example', locale: 'en' });
  const control = await invoice(other.id, 'NO-PLAN');
  const paying = await invoice(french.id, 'PLAN-B');
  const planA = (
    await call(acme, 'POST', `/v1/invoices/${onPlan.id}/payment_plans`, { count: 3, first_due_date: '2026-03-10' })
  ).json();
  const planB = (
    await call(acme, 'POST', `/v1/invoices/${paying.id}/payment_plans`, { count: 2, first_due_date: '2026-03-10' })
  ).json();
  t.same(
    planA.installments.map((i: { amount: number }) => i.amount),
    [333_333, 333_333, 333_334],
  );

  await t.test('while the plan is active: installment reminders, no late fees', async (t) => {
    await advance('2026-03-05T12:00:00Z');
    t.equal((await get(`/v1/invoices/${onPlan.id}`)).late_fees, 0, 'suspended');
    t.ok((await get(`/v1/invoices/${control.id}`)).late_fees > 0, 'the same invoice without a plan is charged');
    const sent = (await kit.occurrences(acme, onPlan.id)).filter((o) => o.status === 'sent');
    t.same(
      sent.map((o) => [o.installment_number, o.offset_days, o.sent_at?.toISOString()]),
      [[1, -7, '2026-03-03T08:00:00.000Z']],
      'a week before installment 1, at 09:00 Paris',
    );
    const [message] = await textsOf(onPlan.id);
    t.equal(message?.template_key, 'before_due');
    t.match(message?.text, /Installment 1 of 3, due [^\n]*10, 2026: €3,333\.33/, 'the installment is in the email');
  });

  await t.test('a payment before its date: the installment is paid, not reminded, not missed', async (t) => {
    const res = await call(acme, 'POST', '/v1/payments', {
      customer_id: french.id,
      currency: 'EUR',
      method: 'transfer',
      amount: 500_000,
      allocations: [{ invoice_id: paying.id, amount: 500_000 }],
    });
    t.equal(res.statusCode, 201, res.body);
    t.same(
      (await get(`/v1/payment_plans/${planB.id}`)).installments.map((i: { status: string }) => i.status),
      ['paid', 'pending'],
    );
  });

  await t.test(
    'a missed installment breaches the plan; the invoice falls back to its policy and fees resume',
    async (t) => {
      await advance('2026-03-11T12:00:00Z');
      const plan = await get(`/v1/payment_plans/${planA.id}`);
      t.match(plan, { status: 'breached', missed_count: 1, ended_at: '2026-03-10T23:00:00.000Z' });
      t.match(plan.installments[0], { status: 'missed', missed_at: '2026-03-10T23:00:00.000Z', paid_amount: 0 });
      const events = await kit.eventsOf(acme, planA.id);
      t.same(
        events.map((e) => e.type),
        ['payment_plan.created', 'payment_plan.installment_missed', 'payment_plan.breached'],
      );
      t.match(events[1]?.data, {
        id: planA.id,
        status: 'active',
        missed_count: 1,
        installment: { number: 1, status: 'missed', due_date: '2026-03-10' },
      });
      t.same(events[2]?.data, plan);

      const after = await get(`/v1/invoices/${onPlan.id}`);
      t.equal(after.active_payment_plan_id, null);
      const occurrences = await kit.occurrences(acme, onPlan.id);
      t.same(
        occurrences
          .filter((o) => o.installment_number > 0 && o.status === 'sent')
          .map((o) => [o.installment_number, o.offset_days]),
        [
          [1, -7],
          [1, 0],
        ],
        'the reminders of installment 1 went out',
      );
      t.notOk(
        occurrences.some((o) => o.installment_number > 0 && o.status === 'scheduled'),
        'no installment reminder is left',
      );
      // The policy's latest step (the final notice) would go today, but the customer had installment
      // 1's reminder yesterday: its contact budget (two days apart) holds it to tomorrow.
      const finalNotice = occurrences.find(
        (o) => o.installment_number === 0 && o.offset_days === 30 && o.channel === 'email',
      );
      t.match(finalNotice, { status: 'scheduled', hold_reason: 'contact_budget' });
      t.equal(finalNotice?.scheduled_at?.toISOString(), '2026-03-12T08:00:00.000Z');

      const fees = (await get(`/v1/invoices/${onPlan.id}/fees`)).data as Array<{
        kind: string;
        amount: number;
        rate_bps: number;
      }>;
      const recovery = fees.filter((f) => f.kind === 'recovery_fee');
      const lines = fees.filter((f) => f.kind === 'interest');
      t.same(
        recovery.map((f) => f.amount),
        [4000],
        'the fixed fee, once the plan is over',
      );
      t.equal(lines.length, 1);
      const rate = lines[0]?.rate_bps ?? 0;
      t.ok(rate > 1000, `a French B2B rate (${rate})`);
      // 2 Feb–1 Mar (28 days): the 9 days under the plan (2–10 Mar) are never charged, and 11 Mar,
      // the day of this accrual, is not over yet.
      t.equal(lines[0]?.amount, interest(1_000_000, rate, 28));
      const controlInterest = (
        (await get(`/v1/invoices/${control.id}/fees?limit=100`)).data as Array<{ kind: string; amount: number }>
      )
        .filter((f) => f.kind === 'interest')
        .reduce((n, f) => n + f.amount, 0);
      t.equal(controlInterest, interest(1_000_000, rate, 37), 'without a plan: 2 Feb–10 Mar');

      const stillOn = await get(`/v1/payment_plans/${planB.id}`);
      t.match(stillOn, { status: 'active', missed_count: 0 }, 'the paid installment was not missed');

      await advance('2026-03-12T12:00:00Z');
      const nextDay = await kit.occurrences(acme, onPlan.id);
      t.same(
        nextDay.filter((o) => o.installment_number === 0 && o.status === 'sent').map((o) => [o.offset_days, o.channel]),
        [[30, 'email']],
        'the policy again: its latest step (final notice), the stale ones skipped',
      );
      t.match(
        nextDay.find((o) => o.installment_number === 0 && o.channel === 'letter'),
        { status: 'scheduled', hold_reason: 'min_gap' },
        'the letter of the same day waits the minimum gap after that catch-up',
      );
    },
  );

  await t.test('the next installment is reminded in French; paying the rest completes the plan', async (t) => {
    await advance('2026-04-04T12:00:00Z');
    const texts = await textsOf(paying.id);
    const last = texts.at(-1);
    t.equal(last?.template_key, 'before_due');
    t.match(last?.text, /Échéance 2 sur 2, au [^\n]*10 avril 2026\s:\s5\s000,00\s€/);
    t.equal((await get(`/v1/invoices/${paying.id}`)).late_fees, 0);
    const res = await call(acme, 'POST', '/v1/payments', {
      customer_id: french.id,
      currency: 'EUR',
      method: 'card',
      amount: 500_000,
      allocations: [{ invoice_id: paying.id, amount: 500_000 }],
    });
    t.equal(res.statusCode, 201, res.body);
    t.match(await get(`/v1/payment_plans/${planB.id}`), { status: 'completed', amount_paid: 1_000_000 });
    t.match(await get(`/v1/invoices/${paying.id}`), { status: 'paid', active_payment_plan_id: null });
    t.same(
      (await kit.eventsOf(acme, planB.id)).map((e) => e.type),
      ['payment_plan.created', 'payment_plan.completed'],
    );
    t.notOk((await kit.occurrences(acme, paying.id)).some((o) => o.status === 'scheduled'));
  });
});

t.test(
  'the workers’ tick marks missed installments of live accounts; a plan allowing two misses survives one',
  async (t) => {
    const ctx = await setupApp(t);
    const kit = engineKit(ctx);
    const live = await ctx.createAccount({ name: 'Live', time_zone: 'America/New_York' });
    const policy = await kit.policy(live);
    const customer = await kit.customer(live, { reminder_policy_id: policy.id });
    const inv = await kit.invoice(live, {
      customer_id: customer.id,
      currency: 'JPY',
      due_date: '2026-03-05',
      subtotal: 100_000,
    });
    const plan = (
      await kit.call(live, 'POST', `/v1/invoices/${inv.id}/payment_plans`, {
        count: 3,
        first_due_date: '2026-03-10',
        max_missed_installments: 2,
      })
    ).json();
    const tick = () => ctx.services.reminders.scheduler.prepare({ kind: 'live', now: kit.clock.now() });
    const planNow = async () => (await kit.call(live, 'GET', `/v1/payment_plans/${plan.id}`)).json();

    kit.clock.set('2026-03-11T03:00:00Z'); // still 10 March in New York
    await tick();
    t.equal((await planNow()).missed_count, 0, 'not missed on its own day, in the account’s zone');
    kit.clock.set('2026-03-11T05:00:00Z'); // 11 March in New York
    await tick();
    await tick();
    t.match(await planNow(), { status: 'active', missed_count: 1 }, 'missed once, however many ticks');
    t.same(
      (await kit.eventsOf(live, plan.id)).map((e) => e.type),
      ['payment_plan.created', 'payment_plan.installment_missed'],
    );
    t.ok(
      (await kit.occurrences(live, inv.id)).some(
        (o) => o.installment_number === 1 && o.offset_days === 7 && o.status === 'scheduled',
      ),
      'the missed installment is still chased',
    );

    kit.clock.set('2026-04-11T05:00:00Z');
    await tick();
    t.match(await planNow(), { status: 'breached', missed_count: 2 });
    t.equal((await kit.call(live, 'GET', `/v1/invoices/${inv.id}`)).json().active_payment_plan_id, null);
  },
);

t.test(
  'late fees: a plan that says `accrue` keeps charging; a cancelled suspended plan leaves its days free',
  async (t) => {
    const ctx = await setupApp(t);
    const kit = engineKit(ctx);
    kit.clock.set('2026-03-02T09:00:00Z');
    const live = await ctx.createAccount({ name: 'Fees', time_zone: 'Europe/Paris' });
    await kit.call(live, 'PATCH', '/v1/account', { late_fee_preset: 'fr_b2b' });
    const customer = await kit.customer(live);
    const inv = (number: string) =>
      kit.invoice(live, {
        number,
        customer_id: customer.id,
        currency: 'EUR',
        issue_date: '2026-01-15',
        due_date: '2026-02-01',
        subtotal: 1_000_000,
      });
    const accruing = await inv('ACCRUE');
    const suspended = await inv('SUSPEND');
    await kit.call(live, 'POST', `/v1/invoices/${accruing.id}/payment_plans`, {
      count: 2,
      first_due_date: '2026-04-01',
      late_fees: 'accrue',
    });
    const plan = (
      await kit.call(live, 'POST', `/v1/invoices/${suspended.id}/payment_plans`, {
        count: 2,
        first_due_date: '2026-04-01',
      })
    ).json();
    const tick = () => ctx.services.reminders.scheduler.prepare({ kind: 'live', now: kit.clock.now() });
    const feesOf = async (id: string) =>
      (await kit.call(live, 'GET', `/v1/invoices/${id}/fees?limit=100`)).json().data as Array<{
        kind: string;
        amount: number;
        rate_bps: number;
      }>;

    kit.clock.set('2026-03-06T09:00:00Z');
    await tick();
    t.ok((await feesOf(accruing.id)).length > 0, 'accrue: fees run under the plan');
    t.same(await feesOf(suspended.id), [], 'suspended: nothing');
    t.equal((await kit.call(live, 'POST', `/v1/payment_plans/${plan.id}/cancel`, {})).statusCode, 200);
    await tick();
    const fees = await feesOf(suspended.id);
    const line = fees.find((f) => f.kind === 'interest');
    // 2 Feb–1 Mar (28 days); 2–5 Mar stay free, and 6 Mar, the day it was cancelled, is not over yet.
    t.equal(line?.amount, interest(1_000_000, line?.rate_bps ?? 0, 28));
    kit.clock.set('2026-03-07T09:00:00Z');
    await tick();
    t.equal(
      (await feesOf(suspended.id)).filter((f) => f.kind === 'interest').reduce((n, f) => n + f.amount, 0),
      interest(1_000_000, line?.rate_bps ?? 0, 29),
      'the next day charges 6 Mar: 29 days in all',
    );
    t.same(
      fees.filter((f) => f.kind === 'recovery_fee').map((f) => f.amount),
      [4000],
    );
  },
);
