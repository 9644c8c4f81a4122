import { createHash } from 'node:crypto';
import pg from 'pg';
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { formalNoticePdf } from '../../src/documents/formal-notice-pdf.ts';
import { createFormalNoticeWriter, type FormalNotice } from '../../src/domain/documents/index.ts';
import { createDatabase } from '../../src/store/database.ts';
import { setupApp } from '../helpers/app.ts';
import { pdfText } from '../helpers/pdf.ts';

// A letter is decided in the reminder's claim transaction (the invoice locked: the guard, the fees
// as of today, the task, and the facts the letter will state) and its PDF written afterwards by the
// workers. Here the worker that claimed it is gone before writing it, the next one dies while
// rendering it, and a third writes it: one PDF, stored once, stating what was decided, not what
// a payment made a second later and a day's interest changed since.

/** An amount as a French letter writes it, spaces as pdf.js reads them. */
const eur = (minor: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(minor / 100).replace(/\s/g, ' ');

t.test('a worker gone between the claim and the PDF, another dying mid-render: one letter, as decided', async (t) => {
  const clock = new ManualClock('2026-11-02T08:30:00Z');
  const ctx = await setupApp(t, { clock });
  const account = await ctx.createAccount({ name: 'Atelier Dupont', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({
      method: method as 'GET',
      url,
      headers: { ...account.auth, ...headers },
      ...(payload && { payload }),
    });
  const gql = async (query: string) =>
    (await ctx.app.inject({ method: 'POST', url: '/graphql', headers: account.auth, payload: { query } })).json();
  t.equal(
    (
      await call('PATCH', '/v1/account', {
        locale: 'fr',
        late_fee_preset: 'fr_b2b',
        legal_name: 'Atelier Dupont SARL',
        billing_address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
      })
    ).statusCode,
    200,
  );
  const policy = (
    await call('POST', '/v1/reminder_policies', {
      name: 'Letter at 30 days',
      steps: [{ offset_days: 30, channel: 'letter', first_contact_allowed: true }],
      send_hour: 9,
      skip_weekends: false,
      max_contacts_per_week: 50,
      min_days_between_contacts: 0,
    })
  ).json();
  t.ok(policy.id, 'policy created');
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Boulangerie Martin',
      locale: 'fr',
      billing_address: { line1: '3 place du Marché', postal_code: '69001', city: 'Lyon', country: 'FR' },
    })
  ).json();
  // Due Saturday 3 October: the letter falls due on Monday 2 November, 09:00 Paris.
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'F-2026-0077',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 123_456,
      issue_date: '2026-09-03',
      due_date: '2026-10-03',
      reminder_policy_id: policy.id,
    })
  ).json();
  t.ok(invoice.id, 'invoice registered');

  // The claim, as a worker's send job makes it: the engine alone, no letter writer behind it.
  const live = { kind: 'live' as const, now: clock.now() };
  await ctx.services.reminders.scheduler.planPending(live);
  const due = await ctx.services.reminders.scheduler.dueOccurrences(live);
  t.equal(due.length, 1, 'the letter step is due');
  const outcomes = await ctx.services.reminders.engine.processMany(
    account.accountId,
    due.map((o) => o.id),
  );
  t.same([...outcomes.values()], ['sent'], 'claimed: the task is open');

  const [task] = (await call('GET', `/v1/tasks?invoice_id=${invoice.id}&kind=letter`)).json().data;
  t.match(task, { kind: 'letter', status: 'open', document_id: /^doc_/ }, 'the task links its letter at once');
  const pending = (
    await call('GET', `/v1/documents/${task.document_id}`, undefined, { accept: 'application/json' })
  ).json();
  t.match(pending, { status: 'pending', byte_size: null, sha256: null, task_id: task.id, locale: 'fr' });
  const early = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(early.statusCode, 409, 'the PDF is not there yet');
  t.equal(early.json().code, 'document/pending');
  t.equal(early.headers['retry-after'], '2');
  t.same((await gql(`{ task(id: "${task.id}") { document { status sha256 } } }`)).data.task.document, {
    status: 'PENDING',
    sha256: null,
  });
  t.equal((await call('GET', '/v1/events?type=document.created')).json().data.length, 0, 'not announced yet');

  // What the letter states was decided with the claim: the balance with the fees as of 2 November.
  const decided = (await call('GET', `/v1/invoices/${invoice.id}`)).json();
  t.ok(decided.late_fees > 4000, `the fees accrued at the claim: ${decided.late_fees}`);

  // A second later a partial payment lands, and the worker that claimed the letter is gone.
  clock.set('2026-11-02T08:30:01Z');
  const paid = await call('POST', '/v1/payments', {
    customer_id: customer.id,
    amount: 50_000,
    currency: 'EUR',
    method: 'transfer',
    allocations: [{ invoice_id: invoice.id, amount: 50_000 }],
  });
  t.equal(paid.statusCode, 201, paid.body);
  const now = (await call('GET', `/v1/invoices/${invoice.id}`)).json();
  t.equal(now.balance, decided.balance - 50_000, 'the invoice moved on');

  // A restarted worker takes the letter and dies while rendering it (its connection ends with it,
  // the transaction that holds the letter rolls back).
  const owner = new pg.Client({ connectionString: ctx.databaseUrl });
  await owner.connect();
  const dyingDatabase = createDatabase(ctx.databaseUrl, { max: 1 });
  t.teardown(async () => {
    await owner.end();
    await dyingDatabase.close();
  });
  let rendering: () => void = () => {};
  const started = new Promise<void>((resolve) => (rendering = resolve));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const dying = createFormalNoticeWriter({
    database: dyingDatabase,
    clock,
    renderer: {
      filename: formalNoticePdf.filename,
      async render(notice) {
        rendering();
        await released;
        return formalNoticePdf.render(notice);
      },
    },
  }).writePending();
  await started;
  const killed = await owner.query(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
  );
  t.same(
    killed.rows.map((r) => r.ok),
    [true],
    'the worker writing it is gone mid-render',
  );

  // The next day, another worker writes it: from the facts decided on 2 November.
  clock.set('2026-11-03T10:00:00Z');
  const renders: FormalNotice[] = [];
  const writer = createFormalNoticeWriter({
    database: ctx.database,
    clock,
    renderer: {
      filename: formalNoticePdf.filename,
      render: (notice) => {
        renders.push(notice);
        return formalNoticePdf.render(notice);
      },
    },
  });
  let stored = 0;
  // The terminated backend lets go of the letter's row as it exits: a pass may find it still held.
  for (let i = 0; i < 50 && stored === 0; i++) {
    stored += await writer.writeAllPending();
    if (stored === 0) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(stored, 1, 'written by the next worker');
  release();
  await t.rejects(dying, 'the dead worker never stores its render');
  t.equal(await writer.writeAllPending(), 0, 'nothing left to write');
  t.equal(renders.length, 1, 'rendered once by the live worker');

  const rows = await ctx.database.withAccount(account.accountId, (trx) =>
    trx.selectFrom('documents').select(['id', 'status', 'occurrence_id', 'facts', 'sha256']).execute(),
  );
  t.equal(rows.length, 1, 'one document');
  t.match(rows[0], { id: task.document_id, status: 'stored', occurrence_id: task.occurrence_id });
  const events = (await call('GET', '/v1/events?type=document.created')).json().data;
  t.equal(events.length, 1, 'document.created, once');
  t.match(events[0].data, { id: task.document_id, status: 'stored', task_id: task.id });

  const download = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(download.statusCode, 200);
  t.equal(createHash('sha256').update(download.rawPayload).digest('hex'), events[0].data.sha256, 'the bytes announced');
  t.same((await gql(`{ task(id: "${task.id}") { document { status sha256 } } }`)).data.task.document, {
    status: 'STORED',
    sha256: events[0].data.sha256,
  });

  const facts = rows[0]?.facts as unknown as FormalNotice;
  t.equal(facts.total_due, decided.balance, 'the facts are those of the claim');
  const text = await pdfText(download.rawPayload);
  for (const mention of [
    'Le 2 novembre 2026',
    'Objet : mise en demeure de payer – facture F-2026-0077',
    `Total dû à ce jour ${eur(decided.balance)}`,
    'du 4 octobre 2026 au 1er novembre 2026',
    'soit au plus tard le 10 novembre 2026',
  ])
    t.ok(text.includes(mention), `says: ${mention}`);
  t.notOk(text.includes(eur(now.balance)), 'not the balance after the payment');
  t.notOk(text.includes('3 novembre 2026'), 'not the day it was written');
});

/**
 * A letter decided on the due date by the engine alone, as a worker's send job claims it, with no
 * letter writer behind it: its task open, its PDF `pending`.
 */
async function pendingLetter(t: Test) {
  const clock = new ManualClock('2026-11-02T08:30:00Z');
  const ctx = await setupApp(t, { clock });
  const account = await ctx.createAccount({ time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({
      method: method as 'GET',
      url,
      headers: { ...account.auth, ...headers },
      ...(payload && { payload }),
    });
  const policy = (
    await call('POST', '/v1/reminder_policies', {
      name: 'Letter on the due date',
      steps: [{ offset_days: 0, channel: 'letter', first_contact_allowed: true }],
      send_hour: 9,
      skip_weekends: false,
    })
  ).json();
  const customer = (await call('POST', '/v1/customers', { name: 'Client Effacé', locale: 'fr' })).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'F-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 10_000,
      issue_date: '2026-10-02',
      due_date: '2026-11-02',
      reminder_policy_id: policy.id,
    })
  ).json();
  const live = { kind: 'live' as const, now: clock.now() };
  await ctx.services.reminders.scheduler.planPending(live);
  const due = await ctx.services.reminders.scheduler.dueOccurrences(live);
  await ctx.services.reminders.engine.processMany(
    account.accountId,
    due.map((o) => o.id),
  );
  const [task] = (await call('GET', `/v1/tasks?invoice_id=${invoice.id}&kind=letter`)).json().data;
  t.match(task, { document_id: /^doc_/ });
  return { ctx, clock, account, call, customer, task };
}

t.test('a letter whose customer is erased before its PDF is written is never written', async (t) => {
  const { ctx, account, call, customer, task } = await pendingLetter(t);
  t.equal((await call('POST', `/v1/customers/${customer.id}/anonymize`)).statusCode, 200);
  t.equal(await ctx.services.letters.writeAllPending(), 0, 'nothing to write');
  const row = await ctx.database.withAccount(account.accountId, (trx) =>
    trx.selectFrom('documents').select(['status', 'facts', 'content', 'purged_at']).executeTakeFirstOrThrow(),
  );
  t.match(row, { status: 'pending', facts: null, content: null }, 'the facts it would have stated are gone');
  t.ok(row.purged_at);
  const gone = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(gone.statusCode, 410);
  t.equal(gone.json().code, 'document/purged');
  t.match((await call('GET', `/v1/documents/${task.document_id}`, undefined, { accept: 'application/json' })).json(), {
    status: 'pending',
    purged: true,
  });
});

t.test('a letter left pending is written by the next step, when nothing else is due', async (t) => {
  const { ctx, clock, call, task } = await pendingLetter(t);
  // An hour later, with the day's announcements and risk assessment done, nothing is due but the
  // letter: the step's one-transaction check must see it.
  clock.set('2026-11-02T09:30:00Z');
  const scheduler = ctx.services.reminders.scheduler;
  const live = { kind: 'live' as const, now: clock.now() };
  await scheduler.prepare(live);
  await scheduler.assessRisk(live);
  t.same(await scheduler.runUntilIdle(live), { planned: 0, announced: 0, processed: 0 }, 'nothing else to do');
  const meta = (
    await call('GET', `/v1/documents/${task.document_id}`, undefined, { accept: 'application/json' })
  ).json();
  t.match(meta, { status: 'stored', sha256: /^[0-9a-f]{64}$/ }, 'written by the step');
  // The first the customer hears (no address to message, the step allowed first): the facts only.
  const text = await pdfText((await call('GET', `/v1/documents/${task.document_id}`)).rawPayload);
  t.ok(text.includes('Sauf erreur de notre part, la facture ci-dessous demeure impayée'), 'states the facts only');
  t.notOk(text.includes('Malgré nos relances'), 'claims no reminder');
});
