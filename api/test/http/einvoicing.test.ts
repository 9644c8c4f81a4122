import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// The French e-invoicing lifecycle (2026): statuses recorded from the integrator's platform,
// and Relance's reactions, each in the status's transaction: 207 a dispute, 208/210/213 a pause,
// 211 a hold for the money, 205/209 a release of such a pause; money received on such an
// invoice is announced for its 212 Encaissée report.

t.test('e-invoicing statuses drive the reminders', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-10-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const customer = (await call(acme, 'POST', '/v1/customers', { name: 'Client SAS' })).json();
  let n = 0;
  const newInvoice = async () =>
    (
      await call(acme, 'POST', '/v1/invoices', {
        number: `E-${++n}`,
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 100_000,
        issue_date: '2026-09-15',
        due_date: '2026-10-15',
      })
    ).json();
  const status = (invoiceId: string, body: object) =>
    call(acme, 'POST', `/v1/invoices/${invoiceId}/einvoice_statuses`, body);
  const invoiceOf = async (id: string) => (await call(acme, 'GET', `/v1/invoices/${id}`)).json();

  const a = await newInvoice();
  const deposited = await status(a.id, { code: 200, status_on: '2026-09-15', platform_ref: 'PA-1' });
  t.equal(deposited.statusCode, 201, deposited.body);
  t.match(deposited.json(), {
    object: 'einvoice_status',
    code: 200,
    label: 'Déposée',
    label_en: 'Submitted',
    status_on: '2026-09-15',
    reaction: 'none',
  });
  const again = await status(a.id, { code: 200, status_on: '2026-09-15', platform_ref: 'PA-1' });
  t.equal(again.statusCode, 200, 'the same status again is the same status');
  t.equal(again.json().id, deposited.json().id);
  t.match(await invoiceOf(a.id), { einvoice_status: 200, einvoice_status_on: '2026-09-15' });

  const disputed = await status(a.id, { code: 207, status_on: '2026-09-20', reason: 'Quantité livrée inexacte' });
  t.equal(disputed.json().reaction, 'dispute_opened');
  const disputes = (await call(acme, 'GET', `/v1/disputes?invoice_id=${a.id}`)).json().data;
  t.equal(disputes.length, 1);
  t.match(disputes[0], { status: 'open', reason: /En litige \(207\): Quantité livrée inexacte/ });
  t.match(await invoiceOf(a.id), { disputed: true, einvoice_status: 207 });
  const secondDispute = await status(a.id, { code: 207, status_on: '2026-09-21' });
  t.equal(secondDispute.json().reaction, 'none', 'one open dispute is enough');
  const older = await status(a.id, { code: 204, status_on: '2026-09-16' });
  t.equal(older.statusCode, 201);
  t.equal((await invoiceOf(a.id)).einvoice_status, 207, 'the invoice shows the status of the latest date');

  const b = await newInvoice();
  t.equal((await status(b.id, { code: 208, status_on: '2026-09-30' })).json().reaction, 'paused');
  t.match((await invoiceOf(b.id)).pause, { until: null, reason: 'einvoice:208 suspended' });
  t.equal((await status(b.id, { code: 209, status_on: '2026-10-01' })).json().reaction, 'resumed');
  t.equal((await invoiceOf(b.id)).pause, null, 'completed: reminders resume');

  const c = await newInvoice();
  t.equal(
    (await status(c.id, { code: 210, status_on: '2026-09-30', reason_code: 'MONTANTTOTAL_ERR' })).json().reaction,
    'paused',
  );
  t.match((await invoiceOf(c.id)).pause, { reason: 'einvoice:210 refused' });
  const d = await newInvoice();
  await call(acme, 'POST', `/v1/invoices/${d.id}/pause`, { reason: 'Waiting for the customer' });
  t.equal(
    (await status(d.id, { code: 205, status_on: '2026-10-01' })).json().reaction,
    'none',
    'an approval lifts only a pause an e-invoicing status set',
  );
  t.match((await invoiceOf(d.id)).pause, { reason: 'Waiting for the customer' });
  const e = await newInvoice();
  t.equal((await status(e.id, { code: 213, status_on: '2026-09-16' })).json().reaction, 'paused');

  const f = await newInvoice();
  const claim = await status(f.id, { code: 211, status_on: '2026-10-01', hold_days: 5, platform_ref: 'PDP-77' });
  t.equal(claim.json().reaction, 'payment_claim');
  // A payment claim made by the buyer's platform, held until status_on + hold_days − 1: no pause.
  t.equal((await invoiceOf(f.id)).pause, null);
  const claims = (await call(acme, 'GET', `/v1/payment_claims?invoice_id=${f.id}`)).json().data;
  t.match(claims, [
    {
      status: 'open',
      source: 'einvoice',
      paid_on: '2026-10-01',
      hold_until: '2026-10-05',
      amount: 100_000,
      currency: 'EUR',
      reference: 'PDP-77',
      note: 'E-invoicing platform: Paiement transmis (211)',
      task_id: /^task_/,
    },
  ]);
  const repeated = await status(f.id, { code: 211, status_on: '2026-10-01', platform_ref: 'PDP-78' });
  t.equal(repeated.json().reaction, 'none', 'an open claim already holds the invoice');
  t.equal((await call(acme, 'GET', `/v1/payment_claims?invoice_id=${f.id}`)).json().data.length, 1);
  const lateClaim = await status((await newInvoice()).id, { code: 211, status_on: '2026-09-01' });
  t.equal(lateClaim.json().reaction, 'none', 'a hold that would already be over holds nothing');

  // Money received on an invoice on a platform: what to report as 212 Encaissée.
  const payment = await call(acme, 'POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 40_000,
    currency: 'EUR',
    method: 'transfer',
    received_on: '2026-09-30',
    allocations: [{ invoice_id: f.id, amount: 40_000 }],
  });
  t.equal(payment.statusCode, 201, payment.body);
  t.match(
    (await call(acme, 'GET', `/v1/payment_claims?invoice_id=${f.id}`)).json().data,
    [{ status: 'confirmed', payment_id: /^pay_/ }],
    'the money arrived: the claim is confirmed',
  );
  const collected = (await call(acme, 'GET', `/v1/events?type=invoice.collected&object_id=${f.id}`)).json().data;
  t.equal(collected.length, 1);
  t.same(collected[0].data, {
    object: 'invoice_collection',
    invoice_id: f.id,
    invoice_number: f.number,
    payment_id: payment.json().id,
    amount: 40_000,
    currency: 'EUR',
    collected_on: '2026-09-30',
    report_code: 212,
  });
  const plain = await newInvoice();
  await call(acme, 'POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 1_000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [{ invoice_id: plain.id, amount: 1_000 }],
  });
  t.equal(
    (await call(acme, 'GET', `/v1/events?type=invoice.collected&object_id=${plain.id}`)).json().data.length,
    0,
    'an invoice without an e-invoicing lifecycle reports nothing',
  );
  const statusEvents = (await call(acme, 'GET', `/v1/events?type=invoice.einvoice_status&object_id=${a.id}`)).json()
    .data;
  t.same(
    statusEvents.map((e: { data: { code: number } }) => e.data.code).sort(),
    [200, 204, 207, 207],
    'one event per status recorded (none for a repeat)',
  );

  const list = (await call(acme, 'GET', `/v1/invoices/${a.id}/einvoice_statuses`)).json();
  t.same(
    list.data.map((s: { code: number }) => s.code),
    [200, 204, 207, 207],
    'oldest first',
  );

  // Refusals.
  const badCode = await status(a.id, { code: 299, status_on: '2026-10-01' });
  t.equal(badCode.statusCode, 400);
  t.equal(badCode.json().code, 'request/validation_failed');
  const badDate = await status(a.id, { code: 200, status_on: '2026-02-30' });
  t.equal(badDate.statusCode, 400);
  t.equal(
    (await call(other, 'POST', `/v1/invoices/${a.id}/einvoice_statuses`, { code: 200, status_on: '2026-10-01' }))
      .statusCode,
    404,
  );
  t.equal((await call(other, 'GET', `/v1/invoices/${a.id}/einvoice_statuses`)).statusCode, 404);

  const gql = graphqlClient(ctx, acme.auth);
  const viaGraphql = await gql(
    `mutation { recordEinvoiceStatus(invoiceId: "${e.id}", input: { code: 205, statusOn: "2026-10-01" }) { code label reaction } }`,
  );
  t.same((viaGraphql.data as { recordEinvoiceStatus: unknown }).recordEinvoiceStatus, {
    code: 205,
    label: 'Approuvée',
    reaction: 'resumed',
  });
  const lifecycle = await gql(`{ einvoiceStatuses(invoiceId: "${e.id}") { code } }`);
  t.same((lifecycle.data as { einvoiceStatuses: unknown }).einvoiceStatuses, [{ code: 213 }, { code: 205 }]);
});
