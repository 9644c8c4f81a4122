import t from 'tap';
import { liveActor, setupServices } from '../helpers/services.ts';

// Accounts are deleted by hand (docs/operations.md, "Deleting an account"): its events, bank lines
// and payments, then the account, whose keys cascade to everything else (events, payments and
// allocations have no key to accounts: it would lock the account's row on every write; reminders
// reach it through their invoice's key, for the same reason).
t.test('deleting an account as the operations guide says leaves nothing of it', async (t) => {
  const { services, owner } = await setupServices(t);
  const accounts = await Promise.all(['Gone', 'Kept'].map((name) => services.accounts.create({ name })));
  for (const { account } of accounts) {
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
    // Its reminders planned: they reach the account only through the invoice's key.
    await services.reminders.scheduler.planPending({ kind: 'live', now: new Date('2026-05-01T10:00:00Z') });
    await services.payments.create(actor, {
      customer_id: customer.id,
      amount: 400,
      currency: 'EUR',
      method: 'transfer',
      allocations: [{ invoice_id: invoice.id, amount: 400 }],
    });
    await services.payments.create(actor, {
      customer_id: customer.id,
      amount: 100,
      currency: 'EUR',
      method: 'cash',
      auto_allocate: false,
    });
    // A bank line confirmed as a payment: the line names the payment.
    const imported = await services.bankTransactions.import(actor, {
      transactions: [
        {
          booked_on: '2026-05-01',
          amount: 600,
          currency: 'EUR',
          label: 'VIR F-1',
          counterparty_name: 'Customer',
          bank_reference: 'REF-1',
        },
      ],
    });
    const line = imported.lines[0]!.bank_transaction;
    await services.bankTransactions.confirm(actor, line.id, {
      customer_id: customer.id,
      allocations: [{ invoice_id: invoice.id, amount: 600 }],
    });
  }
  const [gone, kept] = accounts.map((a) => a.account.id);
  const { rows: tables } = await owner.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'account_id' ORDER BY table_name`,
  );
  const rowsOf = async (accountId: string) => {
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      counts[table_name] = Number(
        (await owner.query(`SELECT count(*) FROM "${table_name}" WHERE account_id = $1`, [accountId])).rows[0].count,
      );
    }
    return counts;
  };
  const before = await rowsOf(gone!);
  t.ok(
    before.payments === 3 &&
      before.payment_allocations === 2 &&
      before.bank_transactions === 1 &&
      (before.reminder_occurrences ?? 0) > 0 &&
      (before.events ?? 0) > 0,
    'the account has payments, an allocation, reminders and events',
  );
  const keptBefore = await rowsOf(kept!);

  await owner.query('BEGIN');
  await owner.query('DELETE FROM events WHERE account_id = $1', [gone]);
  await owner.query('DELETE FROM bank_transactions WHERE account_id = $1', [gone]);
  await owner.query('DELETE FROM payments WHERE account_id = $1', [gone]);
  await owner.query('DELETE FROM accounts WHERE id = $1', [gone]);
  await owner.query('COMMIT');

  t.same(
    Object.entries(await rowsOf(gone!)).filter(([, n]) => n > 0),
    [],
    'no row of the deleted account is left',
  );
  t.same(await rowsOf(kept!), keptBefore, 'the other account is untouched');
});
