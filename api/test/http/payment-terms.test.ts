import t from 'tap';
import { setupApp } from '../helpers/app.ts';

t.test('payment terms', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });

  t.test('every account starts with the built-in set, Net 30 by default', async (t) => {
    const list = (await call('GET', '/v1/payment_terms?limit=100')).json();
    t.same(
      list.data.map((p: { code: string }) => p.code),
      ['due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'eom_30', 'eom_45', 'eom_plus_10'],
    );
    const net30 = list.data.find((p: { code: string }) => p.code === 'net_30');
    t.equal((await call('GET', '/v1/account')).json().default_payment_terms_id, net30.id);
    t.match(
      list.data.find((p: { code: string }) => p.code === 'eom_45'),
      { builtin: true, due: { kind: 'days_end_of_month', days: 45 }, description: '45 days end of month' },
    );
    const change = await call('PATCH', `/v1/payment_terms/${net30.id}`, { name: 'mine' });
    t.equal(change.statusCode, 409);
    t.equal(change.json().code, 'payment_terms/builtin');
  });

  t.test('custom terms drive the due date of invoices', async (t) => {
    const terms = await call('POST', '/v1/payment_terms', {
      name: '45 jours fin de mois, 2 % à 10 jours',
      code: 'eom45_disc',
      due: { kind: 'days_end_of_month', days: 45 },
      early_payment_discount: { percent_bps: 200, within_days: 10 },
    });
    t.equal(terms.statusCode, 201);
    t.match(terms.json(), { early_payment_discount: { percent_bps: 200, within_days: 10 }, builtin: false });
    const customer = (
      await call('POST', '/v1/customers', { name: 'Client', payment_terms_id: terms.json().id })
    ).json();
    const inv = (
      await call('POST', '/v1/invoices', {
        number: 'T-1',
        customer_id: customer.id,
        subtotal: 100,
        issue_date: '2026-01-20',
      })
    ).json();
    t.equal(inv.due_date, '2026-03-31', 'Jan 20 + 45 days = Mar 6 → end of March');
    t.equal(inv.payment_terms_id, terms.json().id);

    const eomPlus = (await call('GET', '/v1/payment_terms?limit=100'))
      .json()
      .data.find((p: { code: string }) => p.code === 'eom_plus_10');
    const inv2 = (
      await call('POST', '/v1/invoices', {
        number: 'T-2',
        customer_id: customer.id,
        subtotal: 100,
        issue_date: '2026-01-20',
        payment_terms_id: eomPlus.id,
      })
    ).json();
    t.equal(inv2.due_date, '2026-02-10', 'invoice terms beat customer terms');
    const inv3 = (
      await call('POST', '/v1/invoices', {
        number: 'T-3',
        customer_id: customer.id,
        subtotal: 100,
        issue_date: '2026-01-20',
        due_date: '2026-01-25',
      })
    ).json();
    t.equal(inv3.due_date, '2026-01-25', 'an explicit due date wins');

    const dup = await call('POST', '/v1/payment_terms', {
      name: 'again',
      code: 'eom45_disc',
      due: { kind: 'net', days: 1 },
    });
    t.equal(dup.statusCode, 409);
    t.equal(dup.json().code, 'payment_terms/code_taken');

    const inUse = await call('DELETE', `/v1/payment_terms/${terms.json().id}`);
    t.equal(inUse.statusCode, 409);
    t.equal(inUse.json().code, 'payment_terms/in_use');
  });

  t.test('update and delete unused custom terms', async (t) => {
    const terms = (await call('POST', '/v1/payment_terms', { name: 'Net 7', due: { kind: 'net', days: 7 } })).json();
    const updated = await call('PATCH', `/v1/payment_terms/${terms.id}`, {
      due: { kind: 'net', days: 10 },
      name: 'Net 10',
    });
    t.match(updated.json(), { name: 'Net 10', due: { kind: 'net', days: 10 }, description: 'Net 10' });
    const asDefault = await call('PATCH', '/v1/account', { default_payment_terms_id: terms.id });
    t.equal(asDefault.statusCode, 200);
    const blocked = await call('DELETE', `/v1/payment_terms/${terms.id}`);
    t.equal(blocked.json().code, 'payment_terms/in_use', 'the account default is in use');
    t.equal((await call('GET', `/v1/payment_terms/${terms.id}`)).statusCode, 200, 'still there');
    const net30 = (await call('GET', '/v1/payment_terms?limit=100'))
      .json()
      .data.find((p: { code: string }) => p.code === 'net_30');
    await call('PATCH', '/v1/account', { default_payment_terms_id: net30.id });
    const deleted = await call('DELETE', `/v1/payment_terms/${terms.id}`);
    t.same(deleted.json(), { id: terms.id, object: 'payment_terms', deleted: true });
  });

  t.test('invalid rules are refused', async (t) => {
    for (const due of [{ kind: 'net', days: -1 }, { kind: 'net', days: 400 }, { kind: 'weekly' }, {}]) {
      const res = await call('POST', '/v1/payment_terms', { name: 'bad', due });
      t.equal(res.statusCode, 400, JSON.stringify(due));
      t.equal(res.json().code, 'request/validation_failed');
    }
  });
});

t.test('account settings', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount();
  const patch = await ctx.app.inject({
    method: 'PATCH',
    url: '/v1/account',
    headers: acme.auth,
    payload: {
      legal_name: 'Acme SAS',
      default_currency: 'JPY',
      locale: 'fr-FR',
      time_zone: 'Asia/Tokyo',
      sender_name: 'Acme compta',
      sender_email: 'compta@acme.example',
      reply_to: 'support@acme.example',
      contact_phone: '+33 1 00 00 00 00',
      payment_instructions: 'IBAN FR76 …',
    },
  });
  t.equal(patch.statusCode, 200, patch.body);
  t.match(patch.json(), {
    legal_name: 'Acme SAS',
    default_currency: 'JPY',
    time_zone: 'Asia/Tokyo',
    sender_email: 'compta@acme.example',
  });
  for (const payload of [
    { default_currency: 'EURO' },
    { default_currency: 'XYZ' },
    { time_zone: 'Paris' },
    { sender_email: 'nope' },
    {},
    { mode: 'test' },
  ]) {
    const res = await ctx.app.inject({ method: 'PATCH', url: '/v1/account', headers: acme.auth, payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().code, 'request/validation_failed');
  }
  // The new time zone applies at once to "today": an invoice without issue date is dated in Tokyo.
  const customer = (
    await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'C' } })
  ).json();
  const clock = ctx.clock as import('../../src/clock.ts').ManualClock;
  clock.set('2026-03-02T20:00:00Z');
  const inv = (
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/invoices',
      headers: acme.auth,
      payload: { number: 'J-1', customer_id: customer.id, subtotal: 1500 },
    })
  ).json();
  t.equal(inv.issue_date, '2026-03-03', '20:00 UTC is the next day in Tokyo');
  t.equal(inv.currency, 'JPY', 'the account default currency');
});
