import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

let ref = 0;
const line = (body: object = {}) => ({
  booked_on: '2026-03-01',
  amount: 12_000,
  currency: 'EUR',
  label: 'VIR SEPA',
  bank_reference: `REF-${++ref}`,
  ...body,
});

t.test('bank transactions (REST)', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const customer = await kit.customer(acme, { name: 'Dupont et Fils' });
  const newInvoice = (number: string, subtotal: number, body: object = {}) =>
    kit.invoice(acme, {
      number,
      customer_id: customer.id,
      currency: 'EUR',
      issue_date: '2026-02-01',
      due_date: '2026-03-01',
      subtotal,
      ...body,
    });
  const importLines = (transactions: object[], who = acme) =>
    call(who, 'POST', '/v1/bank_transactions', { transactions });
  const invoiceOf = async (id: string) => (await call(acme, 'GET', `/v1/invoices/${id}`)).json();
  const count = (table: 'bank_transactions' | 'bank_transaction_matches' | 'payments') =>
    ctx.database
      .withAccount(
        acme.accountId,
        async (trx) =>
          (await trx.selectFrom(table).select(trx.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
      )
      .then(Number);

  t.test('import: proposals per credit, debits ignored, a known reference is not duplicated', async (t) => {
    const invoice = await newInvoice('F-2026-0100', 12_000);
    const first = line({
      label: 'VIR SEPA DUPONT ET FILS FACT F-2026-0100',
      counterparty_name: 'DUPONT ET FILS',
      metadata: { file: 'camt-0301' },
    });
    const debit = line({ amount: -5000, label: 'PRLV SEPA URSSAF' });
    const res = await importLines([first, debit]);
    t.equal(res.statusCode, 201, res.body);
    const body = res.json();
    t.match(body, { object: 'bank_transaction_import', created: 2, already_imported: 0 });
    const [credit, out] = body.lines.map((l: { created: boolean; bank_transaction: any }) => {
      t.ok(l.created);
      return l.bank_transaction;
    });
    t.match(credit, {
      object: 'bank_transaction',
      booked_on: '2026-03-01',
      amount: 12_000,
      currency: 'EUR',
      counterparty_name: 'DUPONT ET FILS',
      bank_reference: first.bank_reference,
      status: 'unmatched',
      payment_id: null,
      matched_at: null,
      metadata: { file: 'camt-0301' },
      created_at: '2026-03-02T09:00:00.000Z',
    });
    t.match(credit.id, /^btx_/);
    t.equal(credit.matches.length, 1);
    t.match(credit.matches[0], {
      object: 'bank_transaction_match',
      rank: 1,
      score: 100,
      status: 'proposed',
      customer_id: customer.id,
      unallocated: 0,
    });
    t.match(credit.matches[0].id, /^btxm_/);
    t.same(credit.matches[0].allocations, [{ invoice_id: invoice.id, invoice_number: 'F-2026-0100', amount: 12_000 }]);
    t.same(
      credit.matches[0].reasons.map((r: { code: string; points: number }) => [r.code, r.points]),
      [
        ['invoice_number_in_label', 50],
        ['amount_equals_balance', 30],
        ['counterparty_matches_customer', 25],
      ],
    );
    t.match(out, { amount: -5000, status: 'ignored', matches: [] });
    t.same((await call(acme, 'GET', `/v1/bank_transactions/${credit.id}`)).json(), credit);

    // The same file again, with one new line and a line repeated inside the request.
    const again = await importLines([
      first,
      debit,
      line({ amount: 777, bank_reference: 'NEW-1' }),
      line({ amount: 777, bank_reference: 'NEW-1' }),
    ]);
    t.equal(again.statusCode, 201, again.body);
    t.match(again.json(), { created: 1, already_imported: 3 });
    t.same(
      again.json().lines.map((l: { created: boolean }) => l.created),
      [false, false, true, false],
    );
    t.equal(again.json().lines[0].bank_transaction.id, credit.id, 'the existing line, not a copy');
    t.equal(again.json().lines[3].bank_transaction.id, again.json().lines[2].bank_transaction.id);
    const allKnown = await importLines([first]);
    t.equal(allKnown.statusCode, 200, 'nothing new: 200');
    t.equal(await count('bank_transactions'), 3);
    t.equal(await count('bank_transaction_matches'), 1, 'proposals are made once, when the line is new');
  });

  t.test('import: refusals write nothing', async (t) => {
    const before = await count('bank_transactions');
    const known = line();
    await importLines([known]);
    const cases: Array<[string, number, object[], string?]> = [
      [
        'bank_transaction/reference_conflict',
        409,
        [line(), { ...known, amount: 12_001 }],
        '/transactions/1/bank_reference',
      ],
      ['bank_transaction/reference_conflict', 409, [{ ...known, booked_on: '2026-03-02' }]],
      ['request/validation_failed', 400, [line({ amount: 0 })], '/transactions/0/amount'],
      ['request/validation_failed', 400, [line({ currency: 'EURO' })]],
      ['request/validation_failed', 400, [line({ bank_reference: '' })]],
      ['request/validation_failed', 400, [line({ label: undefined })]],
      ['request/validation_failed', 400, [line({ colour: 'red' })]],
      ['request/validation_failed', 400, []],
      ['request/validation_failed', 400, Array.from({ length: 1001 }, () => line())],
    ];
    for (const [code, status, transactions, field] of cases) {
      const res = await importLines(transactions);
      t.equal(res.statusCode, status, `${code}: ${res.body.slice(0, 200)}`);
      t.equal(res.json().code, code);
      if (field) t.equal(res.json().errors?.[0]?.field, field);
    }
    t.equal(await count('bank_transactions'), before + 1, 'only the first import wrote a line');
  });

  t.test('list: newest first, by status and booking date, paginated', async (t) => {
    const res = await importLines([
      line({ booked_on: '2026-01-10' }),
      line({ booked_on: '2026-01-20' }),
      line({ booked_on: '2026-01-30', amount: -1 }),
    ]);
    const ids = res.json().lines.map((l: { bank_transaction: { id: string } }) => l.bank_transaction.id);
    const list = async (query: string) => (await call(acme, 'GET', `/v1/bank_transactions?${query}`)).json();
    t.same(
      (await list('booked_from=2026-01-01&booked_to=2026-01-31')).data.map((l: { id: string }) => l.id),
      [...ids].reverse(),
    );
    t.same(
      (await list('booked_to=2026-01-31&status=unmatched')).data.map((l: { id: string }) => l.id),
      [ids[1], ids[0]],
    );
    t.same(
      (await list('booked_to=2026-01-31&status=ignored')).data.map((l: { id: string }) => l.id),
      [ids[2]],
    );
    const page = await list('booked_to=2026-01-31&limit=2');
    t.match(page, { has_more: true, next_cursor: ids[1] });
    t.same(
      (await list(`booked_to=2026-01-31&limit=2&starting_after=${page.next_cursor}`)).data.map(
        (l: { id: string }) => l.id,
      ),
      [ids[0]],
    );
    const bad = await call(acme, 'GET', '/v1/bank_transactions?status=lost');
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().code, 'request/validation_failed');
  });

  t.test('confirm a proposal: the payment, its allocations, the line matched', async (t) => {
    const a = await newInvoice('F-2026-0201', 30_000);
    const b = await newInvoice('F-2026-0202', 20_000);
    const res = await importLines([
      line({
        amount: 50_000,
        label: 'VIR DUPONT ET FILS FACTURES F-2026-0201 F-2026-0202',
        bank_reference: 'CAMT-0201',
      }),
    ]);
    const imported = res.json().lines[0].bank_transaction;
    const best = imported.matches[0];
    t.same(best.allocations.map((x: { invoice_id: string }) => x.invoice_id).toSorted(), [a.id, b.id].toSorted());
    t.ok(imported.matches.length > 1, 'other proposals too');

    const confirmed = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/confirm`, { match_id: best.id });
    t.equal(confirmed.statusCode, 200, confirmed.body);
    const line1 = confirmed.json();
    t.match(line1, { status: 'matched', matched_at: '2026-03-02T09:00:00.000Z' });
    t.match(line1.payment_id, /^pay_/);
    t.same(
      line1.matches.map((m: { status: string }) => m.status),
      ['confirmed', ...imported.matches.slice(1).map(() => 'rejected')],
    );
    const payment = (await call(acme, 'GET', `/v1/payments/${line1.payment_id}`)).json();
    t.match(payment, {
      customer_id: customer.id,
      amount: 50_000,
      currency: 'EUR',
      method: 'transfer',
      reference: 'CAMT-0201',
      received_on: '2026-03-01',
      unallocated: 0,
    });
    t.same(
      payment.allocations.map((x: { invoice_id: string; amount: number }) => [x.invoice_id, x.amount]).toSorted(),
      [
        [a.id, 30_000],
        [b.id, 20_000],
      ].toSorted(),
    );
    t.match(await invoiceOf(a.id), { status: 'paid', balance: 0 });
    t.match(await invoiceOf(b.id), { status: 'paid', balance: 0 });
    t.same(
      (await kit.eventsOf(acme, payment.id)).map((e) => e.type),
      ['payment.received'],
    );

    const twice = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/confirm`, { match_id: best.id });
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().code, 'bank_transaction/already_matched');
    for (const [url, body] of [
      [`/v1/bank_transactions/${imported.id}/reject`, { match_id: best.id }],
      [`/v1/bank_transactions/${imported.id}/ignore`, undefined],
    ] as const) {
      const res = await call(acme, 'POST', url, body);
      t.equal(res.statusCode, 409, url);
      t.equal(res.json().code, 'bank_transaction/already_matched');
    }
  });

  t.test('a stale proposal (invoice paid meanwhile) is refused and changes nothing', async (t) => {
    const invoice = await newInvoice('F-2026-0300', 8_000);
    const res = await importLines([line({ amount: 8_000, label: 'VIR F-2026-0300', bank_reference: 'STALE-1' })]);
    const imported = res.json().lines[0].bank_transaction;
    const match = imported.matches[0];
    t.same(
      match.allocations.map((x: { invoice_id: string }) => x.invoice_id),
      [invoice.id],
    );
    const paid = await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: 8_000,
      currency: 'EUR',
      method: 'card',
      allocations: [{ invoice_id: invoice.id, amount: 8_000 }],
    });
    t.equal(paid.statusCode, 201);
    const payments = await count('payments');
    const stale = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/confirm`, { match_id: match.id });
    t.equal(stale.statusCode, 409, stale.body);
    t.equal(stale.json().code, 'bank_transaction/match_stale');
    t.equal(await count('payments'), payments, 'no payment');
    t.same(
      (await call(acme, 'GET', `/v1/bank_transactions/${imported.id}`)).json(),
      imported,
      'the line and its proposals unchanged',
    );

    // Voided meanwhile: stale too.
    const voided = await newInvoice('F-2026-0301', 7_000);
    const second = (await importLines([line({ amount: 7_000, label: 'VIR F-2026-0301' })])).json().lines[0]
      .bank_transaction;
    await call(acme, 'POST', `/v1/invoices/${voided.id}/void`);
    const again = await call(acme, 'POST', `/v1/bank_transactions/${second.id}/confirm`, {
      match_id: second.matches[0].id,
    });
    t.equal(again.json().code, 'bank_transaction/match_stale');
  });

  t.test('confirm with a customer and explicit allocations, or oldest due first', async (t) => {
    const someone = await kit.customer(acme, { name: 'Nobody Matches' });
    const x = await kit.invoice(acme, {
      customer_id: someone.id,
      currency: 'EUR',
      issue_date: '2026-01-01',
      due_date: '2026-01-10',
      subtotal: 4_000,
    });
    const y = await kit.invoice(acme, {
      customer_id: someone.id,
      currency: 'EUR',
      issue_date: '2026-01-01',
      due_date: '2026-01-20',
      subtotal: 4_000,
    });
    const [l1, l2] = (
      await importLines([line({ amount: 3_000, label: 'VIR 7781' }), line({ amount: 6_000, label: 'VIR 7782' })])
    )
      .json()
      .lines.map((l: { bank_transaction: any }) => l.bank_transaction);
    const explicit = await call(acme, 'POST', `/v1/bank_transactions/${l1.id}/confirm`, {
      customer_id: someone.id,
      allocations: [{ invoice_id: y.id, amount: 2_500 }],
    });
    t.equal(explicit.statusCode, 200, explicit.body);
    const p1 = (await call(acme, 'GET', `/v1/payments/${explicit.json().payment_id}`)).json();
    t.match(p1, { amount: 3_000, unallocated: 500, allocations: [{ invoice_id: y.id, amount: 2_500 }] });
    const oldest = await call(acme, 'POST', `/v1/bank_transactions/${l2.id}/confirm`, { customer_id: someone.id });
    const p2 = (await call(acme, 'GET', `/v1/payments/${oldest.json().payment_id}`)).json();
    t.same(
      p2.allocations.map((a: { invoice_id: string; amount: number }) => [a.invoice_id, a.amount]),
      [
        [x.id, 4_000],
        [y.id, 1_500],
      ],
    );
  });

  t.test('confirm: refusals', async (t) => {
    const [credit, debit, another] = (
      await importLines([line({ label: 'VIR 1' }), line({ amount: -100 }), line({ label: 'VIR 2' })])
    )
      .json()
      .lines.map((l: { bank_transaction: any }) => l.bank_transaction);
    const someone = await kit.customer(acme, { name: 'Refusals' });
    const invoice = await kit.invoice(acme, {
      customer_id: someone.id,
      currency: 'EUR',
      due_date: '2026-03-20',
      subtotal: 1_000,
    });
    const foreignMatch = newId('bankTransactionMatch');
    const cases: Array<[string, number, string, object]> = [
      ['request/validation_failed', 400, credit.id, {}],
      ['request/validation_failed', 400, credit.id, { match_id: foreignMatch, customer_id: someone.id }],
      ['request/validation_failed', 400, credit.id, { match_id: foreignMatch, allocations: [] }],
      ['request/validation_failed', 400, credit.id, { match_id: 'nope' }],
      ['bank_transaction_match/not_found', 404, credit.id, { match_id: foreignMatch }],
      ['bank_transaction/not_found', 404, newId('bankTransaction'), { customer_id: someone.id }],
      ['customer/not_found', 404, credit.id, { customer_id: newId('customer') }],
      ['bank_transaction/not_a_credit', 409, debit.id, { customer_id: someone.id }],
      [
        'payment/over_allocation',
        422,
        credit.id,
        { customer_id: someone.id, allocations: [{ invoice_id: invoice.id, amount: 1_001 }] },
      ],
      [
        'payment/invoice_of_other_customer',
        422,
        credit.id,
        { customer_id: customer.id, allocations: [{ invoice_id: invoice.id, amount: 500 }] },
      ],
    ];
    const payments = await count('payments');
    for (const [code, status, id, body] of cases) {
      const res = await call(acme, 'POST', `/v1/bank_transactions/${id}/confirm`, body);
      t.equal(res.statusCode, status, `${code}: ${res.body.slice(0, 300)}`);
      t.equal(res.json().code, code);
    }
    t.equal(await count('payments'), payments);
    t.equal((await call(acme, 'GET', `/v1/bank_transactions/${credit.id}`)).json().status, 'unmatched');
    t.ok(another, 'a match of another line');
  });

  t.test('reject a proposal, ignore a line', async (t) => {
    const invoice = await newInvoice('F-2026-0400', 9_000);
    const imported = (await importLines([line({ amount: 9_000, label: 'VIR F-2026-0400' })])).json().lines[0]
      .bank_transaction;
    const match = imported.matches[0];
    const rejected = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/reject`, { match_id: match.id });
    t.equal(rejected.statusCode, 200, rejected.body);
    t.match(rejected.json(), {
      status: 'unmatched',
      payment_id: null,
      matches: [{ id: match.id, status: 'rejected' }],
    });
    t.equal(
      (await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/reject`, { match_id: match.id })).json()
        .matches[0].status,
      'rejected',
      'rejecting twice is harmless',
    );
    const unknown = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/reject`, {
      match_id: newId('bankTransactionMatch'),
    });
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'bank_transaction_match/not_found');
    const noBody = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/reject`, {});
    t.equal(noBody.json().code, 'request/validation_failed');
    t.match(await invoiceOf(invoice.id), { status: 'open', balance: 9_000 });

    const ignored = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/ignore`);
    t.equal(ignored.statusCode, 200, ignored.body);
    t.equal(ignored.json().status, 'ignored');
    t.equal(
      (await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/ignore`)).json().status,
      'ignored',
      'twice is harmless',
    );
    // An ignored line can still be confirmed (a rejected proposal too: rejecting is a note, not a lock).
    const late = await call(acme, 'POST', `/v1/bank_transactions/${imported.id}/confirm`, { match_id: match.id });
    t.equal(late.statusCode, 200, late.body);
    t.match(late.json(), { status: 'matched', matches: [{ status: 'confirmed' }] });
    t.match(await invoiceOf(invoice.id), { status: 'paid' });
  });

  t.test('a read-only key reads and changes nothing', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { name: 'dashboard', read_only: true })).json();
    const ro = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const imported = (await importLines([line()])).json().lines[0].bank_transaction;
    t.equal((await call(ro, 'GET', `/v1/bank_transactions/${imported.id}`)).statusCode, 200);
    for (const [url, body] of [
      ['/v1/bank_transactions', { transactions: [line()] }],
      [`/v1/bank_transactions/${imported.id}/confirm`, { customer_id: customer.id }],
      [`/v1/bank_transactions/${imported.id}/reject`, { match_id: newId('bankTransactionMatch') }],
      [`/v1/bank_transactions/${imported.id}/ignore`, undefined],
    ] as const) {
      const res = await call(ro, 'POST', url, body);
      t.equal(res.statusCode, 403, url);
      t.equal(res.json().code, 'auth/read_only_key');
    }
  });

  t.test('another account sees none of it and matches against its own invoices only', async (t) => {
    const invoice = await newInvoice('F-2026-0500', 6_000);
    const imported = (await importLines([line({ amount: 6_000, label: 'VIR F-2026-0500' })])).json().lines[0]
      .bank_transaction;
    const match = imported.matches[0];
    for (const [method, url, body] of [
      ['GET', `/v1/bank_transactions/${imported.id}`, undefined],
      ['POST', `/v1/bank_transactions/${imported.id}/confirm`, { match_id: match.id }],
      ['POST', `/v1/bank_transactions/${imported.id}/reject`, { match_id: match.id }],
      ['POST', `/v1/bank_transactions/${imported.id}/ignore`, undefined],
    ] as const) {
      const res = await call(other, method, url, body);
      t.equal(res.statusCode, 404, `${method} ${url}`);
      t.equal(res.json().code, 'bank_transaction/not_found');
    }
    t.same((await call(other, 'GET', '/v1/bank_transactions')).json().data, []);
    // The same bank reference in another account is another line; A's invoices are never proposed to B.
    const theirs = await importLines(
      [line({ amount: 6_000, label: 'VIR F-2026-0500', bank_reference: imported.bank_reference })],
      other,
    );
    t.equal(theirs.statusCode, 201);
    t.match(theirs.json().lines[0], { created: true, bank_transaction: { matches: [] } });
    t.not(theirs.json().lines[0].bank_transaction.id, imported.id);
    t.same((await call(acme, 'GET', `/v1/bank_transactions/${imported.id}`)).json(), imported);
    t.match(await invoiceOf(invoice.id), { status: 'open' });
  });
});
