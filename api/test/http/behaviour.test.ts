import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('payment behaviour of a customer on a known history, every figure by hand', async (t) => {
  // The sandbox's test clock starts on Monday 2026-01-05, 11:00 in Paris.
  const clock = new ManualClock('2026-01-05T10:00:00Z');
  const ctx = await setupApp(t, { clock });
  const acme = await ctx.createAccount({ name: 'Acme', mode: 'test', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', mode: 'test', time_zone: 'Europe/Paris' });
  const call = async (method: string, url: string, payload?: object, who = acme) => {
    const res = await ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
    if (method === 'POST') t.ok(res.statusCode < 300, `${url}: ${res.body}`);
    return res;
  };
  const advance = (to: string) => call('POST', '/v1/test_clock/advance', { to });

  // Policy `firm`: on the due date, then firm steps 14 and 35 days after (a promise is found broken
  // when the next reminder comes due). `quiet` sends nothing before day 60.
  const firm = (
    await call('POST', '/v1/reminder_policies', {
      name: 'Firm',
      skip_weekends: false,
      steps: [
        { offset_days: 0, channel: 'email', template_key: 'due_today' },
        { offset_days: 14, channel: 'email', template_key: 'overdue_firm' },
        { offset_days: 35, channel: 'email', template_key: 'final_notice' },
      ],
    })
  ).json().id as string;
  const quiet = (
    await call('POST', '/v1/reminder_policies', { name: 'Quiet', steps: [{ offset_days: 60, channel: 'letter' }] })
  ).json().id as string;
  const customer = (
    await call('POST', '/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.test', reminder_policy_id: firm })
  ).json().id as string;
  const invoice = async (number: string, currency: string, subtotal: number, due_date: string, policy?: string) =>
    (
      await call('POST', '/v1/invoices', {
        number,
        customer_id: customer,
        currency,
        subtotal,
        issue_date: '2026-01-05',
        due_date,
        ...(policy && { reminder_policy_id: policy }),
      })
    ).json().id as string;
  const pay = (invoiceId: string, currency: string, amount: number, received_on: string) =>
    call('POST', '/v1/payments', {
      customer_id: customer,
      amount,
      currency,
      method: 'transfer',
      received_on,
      allocations: [{ invoice_id: invoiceId, amount }],
    });

  const a = await invoice('A', 'EUR', 10000, '2026-01-10');
  const b = await invoice('B', 'EUR', 30000, '2026-01-10');
  const f = await invoice('F', 'EUR', 10000, '2026-01-20');
  const d = await invoice('D', 'EUR', 20000, '2026-01-10', quiet);
  await invoice('G', 'GBP', 5000, '2026-01-10', quiet);
  const h = await invoice('H', 'GBP', 8000, '2026-01-10', quiet);

  // 01-10: A, B get their due-date reminder at 09:00; A is paid on time; D goes on a plan.
  await advance('2026-01-10T12:00:00Z');
  await pay(a, 'EUR', 10000, '2026-01-10');
  const plan = (
    await call('POST', `/v1/invoices/${d}/payment_plans`, {
      count: 2,
      first_due_date: '2026-01-15',
      max_missed_installments: 1,
    })
  ).json().id as string;
  // 01-20: H paid 10 days late; F gets its due-date reminder.
  await advance('2026-01-20T12:00:00Z');
  await pay(h, 'GBP', 8000, '2026-01-20');
  // 01-24: B's firm step; nothing answers it by 01-31. 02-03: F's firm step, answered by a promise on 02-05.
  await advance('2026-02-05T12:00:00Z');
  await call('POST', `/v1/invoices/${f}/promise`, { date: '2026-02-20' });
  // 02-09: B paid 30 days late. F's promise lapses (found broken by its 02-24 step, too recent to be
  // judged); D's plan was breached in January.
  await advance('2026-02-09T12:00:00Z');
  await pay(b, 'EUR', 30000, '2026-02-09');
  await advance('2026-03-01T12:00:00Z');
  t.equal((await call('GET', `/v1/payment_plans/${plan}`)).json().status, 'breached');
  t.equal((await call('GET', `/v1/invoices/${f}`)).json().promise_to_pay_on, null, 'the promise was broken');

  const expected = {
    object: 'customer_behaviour',
    customer_id: customer,
    as_of: '2026-03-01',
    window_from: '2025-03-02',
    // A (on time), B (30 days late), H (10 days late).
    paid_invoices: 3,
    paid_late_invoices: 2,
    share_paid_late: 0.6667,
    // A: due_today; B: due_today and overdue_firm; H: none (its only step is on day 60).
    reminders_on_paid_invoices: 3,
    reminders_per_paid_invoice: 1,
    promises_made: 1,
    promises_broken: 1,
    payment_plans_breached: 1,
    // B's firm step on 01-24 (nothing until 01-31) and F's on 02-03 (promise 02-05, payment 02-09).
    firm_reminders: 2,
    unanswered_reminders: 1,
    last_payment_on: '2026-02-09',
    currencies: [
      {
        currency: 'EUR',
        paid_invoices: 2,
        paid_late_invoices: 1,
        paid_amount: 40000,
        // (10000 × 0 + 30000 × 30) ÷ 40000
        average_days_late: 22.5,
        // D 200.00 (due 01-10) + F 100.00 (due 01-20)
        overdue_amount: 30000,
        overdue_invoices: 2,
      },
      {
        currency: 'GBP',
        paid_invoices: 1,
        paid_late_invoices: 1,
        paid_amount: 8000,
        average_days_late: 10,
        overdue_amount: 5000,
        overdue_invoices: 1,
      },
    ],
  };

  t.test('REST', async (t) => {
    const res = await call('GET', `/v1/customers/${customer}/behaviour`);
    t.equal(res.statusCode, 200, res.body);
    t.same(res.json(), expected);
  });

  t.test('GraphQL, batched over a list of customers', async (t) => {
    const quietCustomer = (await call('POST', '/v1/customers', { name: 'Nobody Ltd' })).json().id as string;
    const res = await call('POST', '/graphql', {
      query: `{ customers(limit: 10) { data { id behaviour {
        asOf windowFrom paidInvoices paidLateInvoices sharePaidLate remindersOnPaidInvoices remindersPerPaidInvoice
        promisesMade promisesBroken paymentPlansBreached firmReminders unansweredReminders lastPaymentOn
        currencies { currency paidInvoices paidLateInvoices paidAmount averageDaysLate overdueAmount overdueInvoices }
      } } } }`,
    });
    const body = res.json();
    t.notOk(body.errors, JSON.stringify(body.errors));
    const byId = new Map(body.data.customers.data.map((c: { id: string; behaviour: unknown }) => [c.id, c.behaviour]));
    t.same(byId.get(customer), {
      asOf: '2026-03-01',
      windowFrom: '2025-03-02',
      paidInvoices: 3,
      paidLateInvoices: 2,
      sharePaidLate: 0.6667,
      remindersOnPaidInvoices: 3,
      remindersPerPaidInvoice: 1,
      promisesMade: 1,
      promisesBroken: 1,
      paymentPlansBreached: 1,
      firmReminders: 2,
      unansweredReminders: 1,
      lastPaymentOn: '2026-02-09',
      currencies: expected.currencies.map((c) => ({
        currency: c.currency,
        paidInvoices: c.paid_invoices,
        paidLateInvoices: c.paid_late_invoices,
        paidAmount: c.paid_amount,
        averageDaysLate: c.average_days_late,
        overdueAmount: c.overdue_amount,
        overdueInvoices: c.overdue_invoices,
      })),
    });
    t.match(byId.get(quietCustomer), {
      paidInvoices: 0,
      sharePaidLate: null,
      remindersPerPaidInvoice: null,
      lastPaymentOn: null,
      currencies: [],
    });
  });

  t.test('another account, or an unknown id, gets 404', async (t) => {
    const res = await call('GET', `/v1/customers/${customer}/behaviour`, undefined, other);
    t.equal(res.statusCode, 404);
    t.equal(res.json().code, 'customer/not_found');
    t.match(res.headers['content-type'], 'application/problem+json');
    t.equal((await call('GET', '/v1/customers/cus_unknown/behaviour')).json().code, 'customer/not_found');
  });
});
