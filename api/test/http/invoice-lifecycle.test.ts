import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

t.test('invoice lifecycle and listing', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  const acme = await ctx.createAccount({ time_zone: 'Pacific/Auckland' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const customer = (await call('POST', '/v1/customers', { name: 'Kiwi Ltd' })).json();
  const other = (await call('POST', '/v1/customers', { name: 'Other Ltd' })).json();

  t.test('draft → edit → finalize; edits refused once open', async (t) => {
    const draft = (
      await call('POST', '/v1/invoices', {
        number: 'L-1',
        customer_id: customer.id,
        status: 'draft',
        currency: 'NZD',
        subtotal: 10000,
        issue_date: '2026-03-01',
        due_date: '2026-03-15',
      })
    ).json();
    t.match(draft, { status: 'draft', finalized_at: null, overdue: false });
    const edited = await call('PATCH', `/v1/invoices/${draft.id}`, {
      tax: 1500,
      line_items: [{ description: 'Consulting', quantity: 4, unit_amount: 2500 }],
      memo: 'thanks',
    });
    t.equal(edited.statusCode, 200, edited.body);
    t.match(edited.json(), {
      subtotal: 10000,
      tax: 1500,
      total: 11500,
      balance: 11500,
      memo: 'thanks',
      line_items: [{ amount: 10000 }],
    });
    const termsChange = await call('PATCH', `/v1/invoices/${draft.id}`, { issue_date: '2026-03-10' });
    t.equal(termsChange.statusCode, 200);
    t.equal(termsChange.json().due_date, '2026-03-15', 'an explicit due date is kept when the issue date moves');
    const finalized = await call('POST', `/v1/invoices/${draft.id}/finalize`);
    t.match(finalized.json(), { status: 'open', finalized_at: clock.now().toISOString() });
    const late = await call('PATCH', `/v1/invoices/${draft.id}`, { memo: 'x' });
    t.equal(late.statusCode, 409);
    t.equal(late.json().code, 'invoice/not_draft');
    const again = await call('POST', `/v1/invoices/${draft.id}/finalize`);
    t.equal(again.json().code, 'invoice/invalid_transition');
  });

  t.test('void and mark uncollectible follow the state machine', async (t) => {
    const a = (await call('POST', '/v1/invoices', { number: 'L-2', customer_id: customer.id, subtotal: 100 })).json();
    t.equal((await call('POST', `/v1/invoices/${a.id}/void`)).json().status, 'void');
    const twice = await call('POST', `/v1/invoices/${a.id}/void`);
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().code, 'invoice/invalid_transition');
    t.equal((await call('POST', `/v1/invoices/${a.id}/mark_uncollectible`)).json().code, 'invoice/invalid_transition');
    const b = (await call('POST', '/v1/invoices', { number: 'L-3', customer_id: customer.id, subtotal: 100 })).json();
    const written = (await call('POST', `/v1/invoices/${b.id}/mark_uncollectible`)).json();
    t.match(written, { status: 'uncollectible', marked_uncollectible_at: clock.now().toISOString() });
    const draft = (
      await call('POST', '/v1/invoices', { number: 'L-4', customer_id: customer.id, subtotal: 100, status: 'draft' })
    ).json();
    t.equal(
      (await call('POST', `/v1/invoices/${draft.id}/mark_uncollectible`)).json().code,
      'invoice/invalid_transition',
    );
    const types = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('events').select('type').where('object_id', 'in', [a.id, b.id]).orderBy('seq').execute(),
    );
    t.same(
      types.map((e) => e.type),
      ['invoice.created', 'invoice.voided', 'invoice.created', 'invoice.marked_uncollectible'],
    );
  });

  t.test('amount rules', async (t) => {
    const cases: Array<[object, number, string]> = [
      [{ subtotal: 100, tax: 20, total: 121 }, 422, 'invoice/amounts_mismatch'],
      [{ subtotal: 100, line_items: [{ description: 'x', unit_amount: 99 }] }, 422, 'invoice/amounts_mismatch'],
      [{}, 422, 'invoice/amount_required'],
      [{ subtotal: 10.5 }, 400, 'request/validation_failed'],
      [{ subtotal: -1 }, 400, 'request/validation_failed'],
      [{ subtotal: 1e15 }, 400, 'request/validation_failed'],
      [{ subtotal: '100' }, 400, 'request/validation_failed'],
      [{ subtotal: 100, currency: 'ABC' }, 400, 'request/validation_failed'],
      [{ subtotal: 100, issue_date: '2026-03-10', due_date: '2026-03-01' }, 422, 'invoice/due_before_issue'],
      [{ subtotal: 100, due_date: '2026-02-30' }, 400, 'request/validation_failed'],
    ];
    let n = 100;
    for (const [body, status, code] of cases) {
      const res = await call('POST', '/v1/invoices', { number: `E-${n++}`, customer_id: customer.id, ...body });
      t.equal(res.statusCode, status, JSON.stringify(body));
      t.equal(res.json().code, code, JSON.stringify(body));
    }
    const total = await call('POST', '/v1/invoices', {
      number: 'E-1',
      customer_id: customer.id,
      total: 1200,
      tax: 200,
    });
    t.match(total.json(), { subtotal: 1000, tax: 200, total: 1200 });
    const kwd = await call('POST', '/v1/invoices', {
      number: 'E-2',
      customer_id: customer.id,
      currency: 'KWD',
      subtotal: 1234,
    });
    t.match(kwd.json(), { currency: 'KWD', total: 1234 });
    const both = await call('POST', '/v1/invoices', {
      number: 'E-3',
      customer_id: customer.id,
      customer: { external_id: 'x', name: 'y' },
      subtotal: 1,
    });
    t.equal(both.json().code, 'request/validation_failed');
    const neither = await call('POST', '/v1/invoices', { number: 'E-4', subtotal: 1 });
    t.equal(neither.json().code, 'request/validation_failed');
  });

  t.test('list filters; overdue is computed in the account time zone', async (t) => {
    // 2026-05-09 11:00 UTC is 2026-05-09 23:00 in Auckland (NZST, UTC+12).
    clock.set('2026-05-09T11:00:00Z');
    const mk = async (number: string, due: string, who = customer.id) =>
      (
        await call('POST', '/v1/invoices', {
          number,
          customer_id: who,
          subtotal: 500,
          issue_date: '2026-03-01',
          due_date: due,
        })
      ).json();
    const dueToday = await mk('O-1', '2026-05-09');
    const dueYesterday = await mk('O-2', '2026-05-08');
    const otherCustomer = await mk('O-3', '2026-04-20', other.id);
    const ids = (res: { data: Array<{ id: string }> }) => res.data.map((i) => i.id);

    let overdue = (await call('GET', '/v1/invoices?overdue=true&limit=100')).json();
    t.ok(ids(overdue).includes(dueYesterday.id));
    t.ok(ids(overdue).includes(otherCustomer.id));
    t.notOk(ids(overdue).includes(dueToday.id), 'due today is not overdue yet');
    t.match((await call('GET', `/v1/invoices/${dueYesterday.id}`)).json(), { overdue: true, days_overdue: 1 });

    clock.set('2026-05-09T12:30:00Z'); // 00:30 on May 10 in Auckland, still May 9 in UTC
    overdue = (await call('GET', '/v1/invoices?overdue=true&limit=100')).json();
    t.ok(ids(overdue).includes(dueToday.id), 'after local midnight it is overdue');
    t.match((await call('GET', `/v1/invoices/${dueToday.id}`)).json(), { overdue: true, days_overdue: 1 });
    const notOverdue = (await call('GET', '/v1/invoices?overdue=false&limit=100')).json();
    t.notOk(ids(notOverdue).includes(dueToday.id));

    const byCustomer = (await call('GET', `/v1/invoices?customer_id=${other.id}`)).json();
    t.same(ids(byCustomer), [otherCustomer.id]);
    const range = (await call('GET', '/v1/invoices?due_date_from=2026-05-08&due_date_to=2026-05-09&limit=100')).json();
    t.same(ids(range).sort(), [dueToday.id, dueYesterday.id].sort());
    const voided = (await call('GET', '/v1/invoices?status=void')).json();
    t.ok(voided.data.every((i: { status: string }) => i.status === 'void'));
    t.ok(voided.data.length >= 1);
    await call('POST', `/v1/invoices/${dueYesterday.id}/void`);
    overdue = (await call('GET', '/v1/invoices?overdue=true&limit=100')).json();
    t.notOk(ids(overdue).includes(dueYesterday.id), 'a void invoice is never overdue');
  });
});

t.test('edits of a draft keep an explicit due date; a repeated external_id creates nothing', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  const customer = (await call('POST', '/v1/customers', { name: 'C' })).json();
  const draft = (
    await call('POST', '/v1/invoices', {
      number: 'D-1',
      customer_id: customer.id,
      subtotal: 1,
      status: 'draft',
      issue_date: '2026-03-01',
      due_date: '2026-03-05',
    })
  ).json();
  t.equal(draft.payment_terms_id, null);
  const moved = (await call('PATCH', `/v1/invoices/${draft.id}`, { issue_date: '2026-03-02' })).json();
  t.equal(moved.due_date, '2026-03-05', 'the explicit due date stays');
  const byTerms = (
    await call('POST', '/v1/invoices', {
      number: 'D-2',
      customer_id: customer.id,
      subtotal: 1,
      status: 'draft',
      issue_date: '2026-03-01',
    })
  ).json();
  t.equal(byTerms.due_date, '2026-03-31');
  t.equal(
    (await call('PATCH', `/v1/invoices/${byTerms.id}`, { issue_date: '2026-03-02' })).json().due_date,
    '2026-04-01',
    'a due date from terms follows the issue date',
  );

  const first = await call('POST', '/v1/invoices', {
    number: 'D-3',
    external_id: 'order-1',
    customer_id: customer.id,
    subtotal: 1,
  });
  t.equal(first.statusCode, 201);
  const repeat = await call('POST', '/v1/invoices', {
    number: 'D-4',
    external_id: 'order-1',
    customer: { external_id: 'new-shop-customer', name: 'N' },
    subtotal: 1,
  });
  t.equal(repeat.statusCode, 200);
  t.equal(repeat.json().id, first.json().id);
  const found = (await call('GET', '/v1/customers?external_id=new-shop-customer')).json();
  t.equal(found.data.length, 0, 'no orphan customer');
});
