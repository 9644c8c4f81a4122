import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

const PLAN_FIELDS = `
  id invoiceId status currency amount amountPaid maxMissedInstallments missedCount lateFees
  installments { number dueDate amount paidAmount status paidAt missedAt }
  note cancellationReason metadata createdAt updatedAt endedAt`;

t.test('payment plans (GraphQL): the same calls, objects and codes as REST', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const gql = graphqlClient(ctx, acme.auth);
  const customer = await kit.customer(acme);
  const newInvoice = (subtotal = 10_000) =>
    kit.invoice(acme, { customer_id: customer.id, currency: 'EUR', due_date: '2026-03-20', subtotal });
  const create = `mutation ($invoiceId: ID!, $input: CreatePaymentPlanInput!) { createPaymentPlan(invoiceId: $invoiceId, input: $input) { ${PLAN_FIELDS} } }`;

  const invoice = await newInvoice();
  const res = await gql(create, { invoiceId: invoice.id, input: { count: 3, firstDueDate: '2026-01-31' } });
  t.equal(codeOf(res), 'payment_plan/invalid_dates', 'the first date is before today');
  const made = await gql(create, {
    invoiceId: invoice.id,
    input: {
      count: 3,
      firstDueDate: '2026-03-31',
      lateFees: 'ACCRUE',
      maxMissedInstallments: 2,
      note: 'phone',
      metadata: { Crm: '1' },
    },
  });
  t.equal(codeOf(made), undefined, JSON.stringify(made.errors));
  const plan = made.data.createPaymentPlan;
  t.match(plan, {
    invoiceId: invoice.id,
    status: 'ACTIVE',
    amount: 10_000,
    amountPaid: 0,
    lateFees: 'ACCRUE',
    maxMissedInstallments: 2,
    note: 'phone',
    metadata: { Crm: '1' },
    endedAt: null,
  });
  t.same(
    plan.installments.map((i: { dueDate: string; amount: number; status: string }) => [i.dueDate, i.amount, i.status]),
    [
      ['2026-03-31', 3333, 'PENDING'],
      ['2026-04-30', 3333, 'PENDING'],
      ['2026-05-31', 3334, 'PENDING'],
    ],
  );
  // The same object as REST shows it.
  const rest = (await kit.call(acme, 'GET', `/v1/payment_plans/${plan.id}`)).json();
  t.same(
    rest.installments.map((i: { due_date: string; amount: number }) => [i.due_date, i.amount]),
    plan.installments.map((i: { dueDate: string; amount: number }) => [i.dueDate, i.amount]),
  );
  t.equal(rest.late_fees, 'accrue');
  t.equal(rest.updated_at, plan.updatedAt);
  const inv = await gql(`query ($id: ID!) { invoice(id: $id) { activePaymentPlanId } }`, { id: invoice.id });
  t.equal(inv.data.invoice.activePaymentPlanId, plan.id);

  t.equal(
    codeOf(await gql(create, { invoiceId: invoice.id, input: { count: 2, firstDueDate: '2026-04-01' } })),
    'payment_plan/already_active',
  );
  t.equal(codeOf(await gql(create, { invoiceId: invoice.id, input: { count: 2 } })), 'request/validation_failed');
  const other = await newInvoice(1000);
  t.equal(
    codeOf(
      await gql(create, { invoiceId: other.id, input: { installments: [{ dueDate: '2026-04-01', amount: 999 }] } }),
    ),
    'payment_plan/amount_mismatch',
  );
  const explicit = await gql(create, {
    invoiceId: other.id,
    input: {
      installments: [
        { dueDate: '2026-04-01', amount: 400 },
        { dueDate: '2026-05-01', amount: 600 },
      ],
    },
  });
  t.equal(codeOf(explicit), undefined);
  t.equal(explicit.data.createPaymentPlan.lateFees, 'SUSPENDED', 'the default');

  const list = await gql(
    `query ($invoiceId: ID) { paymentPlans(invoiceId: $invoiceId, status: ACTIVE, limit: 10) { data { id } hasMore nextCursor } }`,
    { invoiceId: invoice.id },
  );
  t.same(list.data.paymentPlans, { data: [{ id: plan.id }], hasMore: false, nextCursor: null });
  const all = await gql(`{ paymentPlans(limit: 1) { data { id } hasMore nextCursor } }`);
  t.same(all.data.paymentPlans, {
    data: [{ id: explicit.data.createPaymentPlan.id }],
    hasMore: true,
    nextCursor: explicit.data.createPaymentPlan.id,
  });

  const cancel = `mutation ($id: ID!, $input: CancelPaymentPlanInput) { cancelPaymentPlan(id: $id, input: $input) { ${PLAN_FIELDS} } }`;
  const cancelled = await gql(cancel, { id: plan.id, input: { reason: 'renegotiated' } });
  t.match(cancelled.data.cancelPaymentPlan, { status: 'CANCELLED', cancellationReason: 'renegotiated' });
  t.equal(codeOf(await gql(cancel, { id: plan.id })), 'payment_plan/not_active');
  t.equal(codeOf(await gql(cancel, { id: 'pplan_01jzzzzzzzzzzzzzzzzzzzzzzz' })), 'payment_plan/not_found');
  t.equal(
    (await gql(`query ($id: ID!) { paymentPlan(id: $id) { id } }`, { id: 'pplan_01jzzzzzzzzzzzzzzzzzzzzzzz' })).data
      .paymentPlan,
    null,
  );
  t.equal((await kit.call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().active_payment_plan_id, null);
});
