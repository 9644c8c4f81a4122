import t from 'tap';
import { INVOICE_TIMESTAMP_COLUMNS, invoiceRowFromJson } from '../../src/domain/invoices/invoice.repository.ts';
import { liveActor, setupServices } from '../helpers/services.ts';

// Invoice events written by one statement store the row as Postgres writes it (to_jsonb) and are
// shown through invoiceRowFromJson: it must give back exactly the row the driver reads.
t.test("an invoice row's JSON reads back as the row", async (t) => {
  const { services, database, owner } = await setupServices(t);
  const { account } = await services.accounts.create({ name: 'A' });
  const actor = liveActor(account.id, 'Europe/Paris');
  const customer = await services.customers.create(actor, { name: 'Customer' });
  const { invoice } = await services.invoices.create(actor, {
    number: 'F-2026-001',
    customer_id: customer.id,
    currency: 'EUR',
    tax: 2_469,
    issue_date: '2026-04-01',
    due_date: '2026-04-30',
    memo: 'Merci « beaucoup »',
    metadata: { order: 'A-1' },
    line_items: [
      { description: 'Café', quantity: 2, unit_amount: 6_172 },
      { description: 'Sucre', unit_amount: 1 },
    ],
  });

  t.test('the timestamp columns are all listed', async (t) => {
    const { rows } = await owner.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'invoices' AND data_type = 'timestamp with time zone' ORDER BY column_name`,
    );
    t.same(
      rows.map((r) => r.column_name),
      [...INVOICE_TIMESTAMP_COLUMNS].toSorted(),
    );
  });

  t.test('every column, with every timestamp set (to the microsecond) and every nullable filled', async (t) => {
    const sets = INVOICE_TIMESTAMP_COLUMNS.map((c, i) => `${c} = '2026-04-0${i + 1} 08:09:10.123456+02'`).join(', ');
    await owner.query(
      `UPDATE invoices SET ${sets}, paused = true, paused_until = '2026-06-01', pause_reason = 'asked', promise_to_pay_on = '2026-05-15',
         customer_paused = true, customer_paused_until = '2026-05-20', customer_pause_reason = 'holiday', late_fees = 40, late_fees_interest = 30, late_fees_recovery_fee = 10, late_fees_accrued_on = '2026-05-01',
         external_id = 'ext-1', payment_url = 'https://pay.example/1', pdf_url = 'https://pay.example/1.pdf', disputed = true
       WHERE id = $1`,
      [invoice.id],
    );
    const [read, json] = await database.withAccount(account.id, async (trx) => [
      await trx.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow(),
      (await owner.query(`SELECT to_jsonb(i) AS row FROM invoices i WHERE id = $1`, [invoice.id])).rows[0].row,
    ]);
    const decoded = invoiceRowFromJson(json);
    t.same(Object.keys(decoded).toSorted(), Object.keys(read).toSorted(), 'the same columns');
    for (const [column, value] of Object.entries(read)) {
      t.same((decoded as Record<string, unknown>)[column], value, column);
      t.equal(typeof (decoded as Record<string, unknown>)[column], typeof value, `${column}: ${typeof value}`);
    }
    t.ok(
      INVOICE_TIMESTAMP_COLUMNS.every((c) => decoded[c] instanceof Date),
      'timestamps are Dates',
    );
  });
});
