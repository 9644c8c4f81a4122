import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { CUSTOMERS, LINES } from './bank-lines.fixture.ts';

t.test('reconciliation on a set of realistic bank labels', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Relance client' });
  const actor = { accountId: acme.accountId, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
  let due = 0;
  for (const c of CUSTOMERS) {
    const customer = await kit.customer(acme, { name: c.name, email: null });
    for (const [number, amount] of c.invoices) {
      // Due dates a day apart, in fixture order: "oldest due first" is the order written above.
      const dueDate = `2026-02-${String(1 + (due++ % 27)).padStart(2, '0')}`;
      await kit.invoice(acme, {
        number,
        customer_id: customer.id,
        currency: c.currency,
        subtotal: amount,
        issue_date: '2026-01-15',
        due_date: dueDate,
      });
    }
  }

  const result = await ctx.services.bankTransactions.import(actor, {
    transactions: LINES.map((line, i) => ({
      booked_on: '2026-03-02',
      amount: line.amount,
      currency: line.currency,
      label: line.label,
      ...(line.counterparty_name !== undefined && { counterparty_name: line.counterparty_name }),
      bank_reference: `FIXTURE-${i}`,
    })),
  });
  t.equal(result.created, LINES.length);
  t.ok(LINES.length >= 20, 'at least twenty lines');

  const summary: string[] = [];
  LINES.forEach((line, i) => {
    const imported = result.lines[i]?.bank_transaction;
    if (!imported) throw new Error(`line ${i} missing`);
    const best = imported.matches[0];
    const got = best ? best.allocations.map((a) => a.invoice_number).toSorted() : null;
    summary.push(`${best?.score ?? '-'}\t${got?.join('+') ?? 'none'}\t${line.label}`);
    t.same(
      got,
      line.expect === null ? null : line.expect.toSorted(),
      `${line.label} → ${line.expect?.join(' + ') ?? 'no proposal'} (score ${best?.score ?? '-'})`,
    );
    if (best) {
      t.equal(best.rank, 1);
      t.equal(
        best.score,
        Math.min(
          100,
          best.reasons.reduce((sum, r) => sum + r.points, 0),
        ),
        'the score is the sum of the reasons',
      );
      t.ok(
        imported.matches.every((m, k) => k === 0 || (imported.matches[k - 1]?.score ?? 0) >= m.score),
        'proposals best first',
      );
    }
    t.equal(imported.status, line.amount > 0 ? 'unmatched' : 'ignored');
  });
  t.comment(`\n${summary.join('\n')}`);

  const codes = (i: number) => result.lines[i]?.bank_transaction.matches[0]?.reasons.map((r) => r.code).toSorted();
  t.same(
    codes(0),
    ['amount_equals_balance', 'counterparty_matches_customer', 'invoice_number_in_label'],
    'number, amount and payer',
  );
  t.same(codes(4), ['combination_sums_to_amount', 'counterparty_matches_customer'], 'two invoices without numbers');
  t.same(codes(2), ['amount_equals_balance', 'counterparty_matches_customer'], 'a truncated payer name and the amount');
  const partial = result.lines[9]?.bank_transaction.matches[0];
  t.same(
    partial?.allocations.map((a) => a.amount),
    [10_000],
    'a partial payment allocates what was paid',
  );
  t.equal(partial?.unallocated, 0);
  const moreau = result.lines[6]?.bank_transaction.matches ?? [];
  t.equal(moreau.length, 2, "Moreau's invoice first, then the decoy with the same amount");
  t.ok((moreau[0]?.score ?? 0) > (moreau[1]?.score ?? 0));
});
