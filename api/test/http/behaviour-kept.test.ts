import { sql } from 'kysely';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

// Payment behaviour kept per customer and brought up to date as events happen
// (docs/behaviour.md#kept-up-to-date-as-events-happen): the workers take events from the outbox
// and raise the customer's version, the assessment pass computes and keeps the figures, a read uses
// them while they are exact and computes them otherwise; the forecast reads the kept lateness.
t.test('behaviour kept up to date from the outbox, a page visit answers, the forecast reads it', async (t) => {
  // The sandbox's test clock starts on Monday 2026-01-05, 11:00 in Paris.
  const ctx = await setupApp(t, { clock: new ManualClock('2026-01-05T10:00:00Z') });
  const acme = await ctx.createAccount({ name: 'Acme', mode: 'test', time_zone: 'Europe/Paris' });
  const call = async (method: string, url: string, payload?: object) => {
    const res = await ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
    if (method === 'POST') t.ok(res.statusCode < 300, `${url}: ${res.body}`);
    return res;
  };
  let now = '2026-01-05T10:00:00Z';
  const advance = async (to: string) => {
    await call('POST', '/v1/test_clock/advance', { to });
    now = to;
  };
  const behaviour = async (id: string) => {
    const res = await call('GET', `/v1/customers/${id}/behaviour`);
    t.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  /** Takes every event from the outbox as the workers do (no webhook endpoint: nothing to deliver). */
  const takeEvents = async () => {
    let taken = 0;
    for (let n = -1; n !== 0; taken += n) n = await ctx.services.webhookDelivery.dispatch(async () => {});
    return taken;
  };
  const assessmentPass = () =>
    ctx.services.reminders.scheduler.assessRisk({ kind: 'account', accountId: acme.accountId, now: new Date(now) });
  const keptRow = async (customerId: string) =>
    ctx.database.withSystem(
      async (trx) =>
        (
          await sql<{ version: string; current: string; as_of: string; figures: Record<string, unknown> }>`
          SELECT b.version::text, c.behaviour_version::text AS current, to_char(b.as_of, 'YYYY-MM-DD') AS as_of, b.figures
            FROM customers c LEFT JOIN customer_behaviours b ON b.account_id = c.account_id AND b.customer_id = c.id
           WHERE c.id = ${customerId}`.execute(trx)
        ).rows[0],
    );
  /** Writes a figure into the kept row only: a read that returns it read the kept row. */
  const tamper = (customerId: string) =>
    ctx.database.withSystem((trx) =>
      sql`UPDATE customer_behaviours SET figures = jsonb_set(figures, '{promises_made}', '99')
           WHERE customer_id = ${customerId}`.execute(trx),
    );

  const policy = (
    await call('POST', '/v1/reminder_policies', {
      name: 'Firm only',
      skip_weekends: false,
      steps: [{ offset_days: 14, channel: 'email', template_key: 'overdue_firm' }],
    })
  ).json().id as string;
  const customer = async (name: string) =>
    (
      await call('POST', '/v1/customers', {
        name,
        email: `${name.toLowerCase()}@example.com`,
        reminder_policy_id: policy,
      })
    ).json().id as string;
  const invoice = async (customerId: string, number: string, due_date: string) =>
    (
      await call('POST', '/v1/invoices', {
        number,
        customer_id: customerId,
        currency: 'EUR',
        subtotal: 10000,
        issue_date: '2026-01-05',
        due_date,
      })
    ).json().id as string;
  const pay = (customerId: string, invoiceId: string, amount: number, received_on: string) =>
    call('POST', '/v1/payments', {
      customer_id: customerId,
      amount,
      currency: 'EUR',
      method: 'transfer',
      received_on,
      allocations: [{ invoice_id: invoiceId, amount }],
    });

  const visitor = await customer('Visitor');
  const silent = await customer('Silent');
  const payer = await customer('Payer');
  await invoice(visitor, 'V-1', '2026-01-10');
  const s1 = await invoice(silent, 'S-1', '2026-01-10');
  const p1 = await invoice(payer, 'P-1', '2026-01-10');
  const p2 = await invoice(payer, 'P-2', '2026-03-02');

  // 01-20: Payer pays P-1 ten days late. 01-24: the firm step goes to all three (P-1 is paid: not Payer).
  await advance('2026-01-20T12:00:00Z');
  await pay(payer, p1, 10000, '2026-01-20');
  await advance('2026-01-24T12:00:00Z');
  // 01-26: Visitor opens its page (the test clock's day), within the 7 days of its firm step.
  await advance('2026-01-26T12:00:00Z');
  const link = (await call('GET', `/v1/customers/${visitor}/portal_link`)).json();
  const token = String(link.url).split('/p/')[1];
  t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${token}` })).statusCode, 200);
  await advance('2026-02-02T12:00:00Z');

  t.test('a visit to the page within 7 days answers a firm step', async (t) => {
    t.match(await behaviour(visitor), { firm_reminders: 1, unanswered_reminders: 0 });
    t.match(await behaviour(silent), { firm_reminders: 1, unanswered_reminders: 1 });
  });

  t.test('the workers keep the figures as events happen; a read uses them only while exact', async (t) => {
    t.ok((await takeEvents()) > 0, 'the outbox held events');
    let row = await keptRow(silent);
    t.ok(Number(row?.current) > Number(row?.version), 'taking the events raised the version past the kept figures');
    // The assessment pass (every minute in a worker) keeps the figures at the current version.
    t.ok((await assessmentPass()) >= 3, 'the customers the events concern were assessed');
    row = await keptRow(silent);
    t.equal(row?.version, row?.current, 'kept at the current version, with no read');
    t.equal(row?.as_of, '2026-02-02');
    t.match(row?.figures, { unanswered_reminders: 1, currencies: [{ overdue_amount: 10000 }] });

    await tamper(silent);
    t.equal((await behaviour(silent)).promises_made, 99, 'an exact kept row is what a read returns');

    // A payment: its events wait in the outbox, so the next read computes (exact at once).
    await pay(silent, s1, 4000, '2026-02-02');
    await tamper(silent);
    let read = await behaviour(silent);
    t.equal(read.promises_made, 0, 'an event still in the outbox: computed, not the kept row');
    t.equal(read.currencies[0].overdue_amount, 6000);
    t.equal(read.last_payment_on, '2026-02-02');

    // Taken from the outbox: the version moves past the row kept by that read.
    await takeEvents();
    row = await keptRow(silent);
    t.ok(Number(row?.current) > Number(row?.version), 'the payment raised the version');
    await tamper(silent);
    read = await behaviour(silent);
    t.equal(read.promises_made, 0, 'an older version: computed');
    row = await keptRow(silent);
    t.equal(row?.version, row?.current, 'and kept at the version read before computing');
    await tamper(silent);
    t.equal((await behaviour(silent)).promises_made, 99, 'exact again: the kept row is read');

    // A new day (09:00 in Paris, before the daily assessment falls due again at 13:00): the
    // figures are for yesterday, so a read computes them for today.
    t.ok((await assessmentPass()) >= 1, 'the payment made its customer due for assessment');
    t.same(await keptRow(silent).then((r) => r?.as_of), '2026-02-02');
    await advance('2026-02-03T08:00:00Z');
    await takeEvents();
    await tamper(silent);
    read = await behaviour(silent);
    t.equal(read.as_of, '2026-02-03');
    t.equal(read.promises_made, 0);
  });

  t.test('the forecast reads the kept lateness, and computes it for a customer with new events', async (t) => {
    await takeEvents();
    await assessmentPass();
    // Payer: P-1 paid 10 days late. P-2 (due 03-02) is expected 03-12: week 6 from 02-03 (03-10 … 03-16).
    const weekOf = async () => {
      const res = await call('GET', '/v1/reports/forecast');
      t.equal(res.statusCode, 200, res.body);
      const eur = res.json().currencies.find((c: { currency: string }) => c.currency === 'EUR');
      return eur.weeks.find((w: { amount: number }) => w.amount === 10000)?.week ?? null;
    };
    t.equal(await weekOf(), 6);
    const lateness = await ctx.database.withSystem(
      async (trx) =>
        (
          await sql<{
            days: string;
          }>`SELECT average_days_late::text AS days FROM customer_lateness WHERE customer_id = ${payer}`.execute(trx)
        ).rows,
    );
    t.same(lateness, [{ days: '10.0000000000000000' }], 'kept unrounded, per currency');
    // Kept at 30 days: P-2 expected 04-01, week 9 (03-31 … 04-06): the forecast read the kept row.
    await ctx.database.withSystem((trx) =>
      sql`UPDATE customer_lateness SET average_days_late = 30 WHERE customer_id = ${payer}`.execute(trx),
    );
    t.equal(await weekOf(), 9);
    // A promise on P-2 for 03-02 (the due date): taken from the outbox, it raises Payer's version,
    // so the forecast computes Payer's lateness again (10 days: week 6).
    await call('POST', `/v1/invoices/${p2}/promise`, { date: '2026-03-02' });
    await takeEvents();
    t.equal(await weekOf(), 6);
  });
});
