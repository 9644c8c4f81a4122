import t from 'tap';
import { liveActor, setupServices } from '../helpers/services.ts';

// Invoice status, payment method and payment status are domains (their lists of values checked
// by the type, not by table constraints): the database still refuses any other value, whoever
// writes it, with a check violation, and keeps the row as it was.
t.test('the database refuses a status or a method outside its list', async (t) => {
  const { services, owner } = await setupServices(t);
  const { account } = await services.accounts.create({ name: 'A' });
  const actor = liveActor(account.id);
  const customer = await services.customers.create(actor, { name: 'Customer' });
  const { invoice } = await services.invoices.create(actor, {
    number: 'F-1',
    customer_id: customer.id,
    currency: 'EUR',
    subtotal: 1000,
    issue_date: '2026-04-01',
    due_date: '2026-04-30',
  });
  const payment = await services.payments.create(actor, {
    customer_id: customer.id,
    amount: 100,
    currency: 'EUR',
    method: 'cash',
    allocations: [{ invoice_id: invoice.id, amount: 100 }],
  });

  const cases: Array<[string, string, string, string]> = [
    ['invoices', 'status', invoice.id, 'relance_invoice_status'],
    ['payments', 'method', payment.id, 'relance_payment_method'],
    ['payments', 'status', payment.id, 'relance_payment_status'],
  ];
  for (const [table, column, id, domain] of cases) {
    const refused = await owner.query(`UPDATE ${table} SET ${column} = 'bogus' WHERE id = $1`, [id]).then(
      () => null,
      (error: { code?: string; message?: string }) => error,
    );
    t.equal(refused?.code, '23514', `${table}.${column}: check violation`);
    t.match(refused?.message, domain, `${table}.${column}: names its domain`);
    const type = await owner.query(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`,
      [table, column],
    );
    t.equal(type.rows[0]?.type, domain);
  }
  const after = await owner.query(
    `SELECT (SELECT status FROM invoices WHERE id = $1) AS invoice, (SELECT method || '/' || status FROM payments WHERE id = $2) AS payment`,
    [invoice.id, payment.id],
  );
  t.same(after.rows[0], { invoice: 'partially_paid', payment: 'cash/succeeded' }, 'nothing changed');
  // Every value of the lists is still accepted.
  for (const status of ['draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible']) {
    await owner.query('UPDATE invoices SET status = $2 WHERE id = $1', [invoice.id, status]);
  }
  for (const method of ['transfer', 'card', 'check', 'cash', 'direct_debit', 'other']) {
    await owner.query('UPDATE payments SET method = $2 WHERE id = $1', [payment.id, method]);
  }
  t.pass('every listed value accepted');
});
