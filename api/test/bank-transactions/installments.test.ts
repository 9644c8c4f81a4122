import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

// A customer under a payment plan pays installment by installment: a bank line of the amount
// still due on the next installment is matched to the invoice, and confirming it pays that
// installment.
t.test('bank lines that pay the next installment of a payment plan', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const customer = await kit.customer(acme, { name: 'Boulangerie Martin' });
  const invoice = await kit.invoice(acme, {
    number: 'F-2026-0777',
    customer_id: customer.id,
    currency: 'EUR',
    issue_date: '2026-02-01',
    due_date: '2026-03-01',
    subtotal: 90_000,
  });
  // A decoy of the same customer whose balance is unrelated.
  await kit.invoice(acme, {
    number: 'F-2026-0778',
    customer_id: customer.id,
    currency: 'EUR',
    issue_date: '2026-02-01',
    due_date: '2026-03-01',
    subtotal: 55_500,
  });
  const plan = await call(acme, 'POST', `/v1/invoices/${invoice.id}/payment_plans`, {
    count: 3,
    first_due_date: '2026-03-10',
  });
  t.equal(plan.statusCode, 201, plan.body);
  t.same(
    plan.json().installments.map((i: { amount: number }) => i.amount),
    [30_000, 30_000, 30_000],
  );

  const importLine = async (reference: string, amount: number) => {
    const res = await call(acme, 'POST', '/v1/bank_transactions', {
      transactions: [
        {
          booked_on: '2026-03-09',
          amount,
          currency: 'EUR',
          label: 'VIR SEPA ECHEANCE MARS',
          counterparty_name: 'BOULANGERIE MARTIN',
          bank_reference: reference,
        },
      ],
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json().lines[0].bank_transaction;
  };

  const first = await importLine('INST-1', 30_000);
  const [best] = first.matches;
  t.ok(best, 'a proposal');
  t.same(
    best.allocations.map((a: { invoice_id: string; amount: number }) => [a.invoice_id, a.amount]),
    [[invoice.id, 30_000]],
  );
  t.ok(
    best.reasons.some((r: { code: string }) => r.code === 'amount_equals_installment'),
    'the amount is the installment due',
  );
  t.ok(best.reasons.some((r: { code: string }) => r.code === 'counterparty_matches_customer'));
  t.notOk(best.reasons.some((r: { code: string }) => r.code === 'amount_equals_balance'));

  const confirmed = await call(acme, 'POST', `/v1/bank_transactions/${first.id}/confirm`, { match_id: best.id });
  t.equal(confirmed.statusCode, 200, confirmed.body);
  const after = (await call(acme, 'GET', `/v1/payment_plans/${plan.json().id}`)).json();
  t.same(
    after.installments.map((i: { status: string }) => i.status),
    ['paid', 'pending', 'pending'],
    'the first installment is paid',
  );

  // Half of the next installment, then a line of what is left of it.
  await call(acme, 'POST', '/v1/payments', {
    customer_id: customer.id,
    currency: 'EUR',
    method: 'card',
    amount: 10_000,
    allocations: [{ invoice_id: invoice.id, amount: 10_000 }],
  });
  const rest = await importLine('INST-2', 20_000);
  t.ok(
    rest.matches[0]?.reasons.some(
      (r: { code: string; invoice_ids: string[] }) =>
        r.code === 'amount_equals_installment' && r.invoice_ids.includes(invoice.id),
    ),
    'what is still due on the next installment matches',
  );
  const other = await importLine('INST-3', 30_000);
  t.notOk(
    other.matches.some((m: { reasons: Array<{ code: string }> }) =>
      m.reasons.some((r) => r.code === 'amount_equals_installment'),
    ),
    'a full installment no longer matches once part of it is paid',
  );
});
