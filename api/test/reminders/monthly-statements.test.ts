import { writeFileSync } from 'node:fs';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';

// The monthly statement (docs/reports.md#statements-by-email), through a test clock: on the
// statement day at the send time, every customer with an open balance gets one email with its
// statement attached, once; none for customers who owe nothing, none to a suppressed address.

/** A request as the account, answering its JSON; anything but 2xx throws with the answer. */
const callAs =
  (ctx: Awaited<ReturnType<typeof setupApp>>, headers: Record<string, string>) =>
  async (method: string, url: string, payload?: object) => {
    const res = await ctx.app.inject({ method: method as 'GET', url, headers, ...(payload && { payload }) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

t.test('a test clock moved to the 1st sees one statement per customer with a balance', async (t) => {
  const ctx = await setupApp(t);
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: sandbox.auth, ...(payload && { payload }) });
  const ok = async (method: string, url: string, payload?: object) => {
    const res = await call(method, url, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await ok('POST', '/v1/test_clock/advance', { to: '2026-03-20T10:00:00Z' });
  const account = await ok('PATCH', '/v1/account', {
    monthly_statements: true,
    statement_day: 1,
    sender_email: 'billing@sandbox.example',
    payment_instructions: 'IBAN FR76 3000 6000 0112 3456 7890 189',
  });
  t.match(account, { monthly_statements: true, statement_day: 1 });
  // Only webhook steps: the customers hear from us by the statement alone.
  const quiet = await ok('POST', '/v1/reminder_policies', {
    name: 'Quiet',
    steps: [{ offset_days: 0, channel: 'webhook' }],
  });
  await ok('PATCH', '/v1/account', { default_reminder_policy_id: quiet.id });

  const customer = (name: string, extra: object = {}) =>
    ok('POST', '/v1/customers', { name, email: `${name.toLowerCase()}@example.test`, ...extra });
  const invoice = (customerId: string, number: string, subtotal = 25000) =>
    ok('POST', '/v1/invoices', {
      number,
      customer_id: customerId,
      subtotal,
      issue_date: '2026-03-02',
      due_date: '2026-03-31',
    });
  const dupont = await customer('Dupont', { locale: 'fr-FR', contact_name: 'Marie Dupont' });
  const smith = await customer('Smith', { locale: 'en-GB' });
  const paid = await customer('Paid');
  // A customer with no invoice at all gets nothing either.
  await customer('Nothing');
  const bounced = await customer('Bounced');
  const noEmail = await ok('POST', '/v1/customers', { name: 'No email' });
  await invoice(dupont.id, 'F-1', 120000);
  await invoice(dupont.id, 'F-2', 30000);
  await invoice(smith.id, 'INV-1');
  const settled = await invoice(paid.id, 'P-1');
  await ok('POST', '/v1/payments', {
    customer_id: paid.id,
    amount: settled.total,
    currency: settled.currency,
    received_on: '2026-03-20',
    method: 'transfer',
    allocations: [{ invoice_id: settled.id, amount: settled.total }],
  });
  await invoice(bounced.id, 'B-1');
  await invoice(noEmail.id, 'N-1');
  await ctx.database.withAccount(sandbox.accountId, (trx) =>
    trx
      .insertInto('email_suppressions')
      .values({
        account_id: sandbox.accountId,
        email: 'bounced@example.test',
        reason: 'bounced',
        created_at: new Date(),
      })
      .execute(),
  );

  const statements = async () =>
    (await ok('GET', '/v1/messages?limit=100')).data.filter(
      (m: { template_key: string }) => m.template_key === 'statement',
    );

  await ok('POST', '/v1/test_clock/advance', { to: '2026-04-01T06:00:00Z' });
  t.same(await statements(), [], 'not before the send time (09:00 in Paris)');

  await ok('POST', '/v1/test_clock/advance', { to: '2026-04-01T12:00:00Z' });
  const first = await statements();
  t.same(first.map((m: { customer_id: string }) => m.customer_id).sort(), [dupont.id, smith.id].sort(), 'one each');
  for (const message of first)
    t.match(message, {
      status: 'sent',
      transport: 'outbox',
      invoice_id: null,
      occurrence_id: null,
      attachment: { kind: 'statement', url: null, document_id: /^doc_/, error: null },
      sent_at: '2026-04-01T07:00:00.000Z',
    });
  const toDupont = first.find((m: { customer_id: string }) => m.customer_id === dupont.id);
  t.equal(toDupont.subject, 'Sandbox\u00a0: votre relevé de compte au 31 mars 2026', 'French for a French customer');
  const full = await ok('GET', `/v1/messages/${toDupont.id}`);
  t.match(full.text, /du 1er mars 2026 au 31 mars 2026/);
  t.match(full.text, /1\u202f500,00\u00a0€/, 'what it owes at the end of March');
  t.match(full.text, /IBAN FR76/);
  const toSmith = first.find((m: { customer_id: string }) => m.customer_id === smith.id);
  t.match(toSmith.subject, 'Sandbox: your statement of account at 31 March 2026');
  const pdf = await call('GET', `/v1/documents/${toDupont.attachment.document_id}`);
  t.equal(pdf.statusCode, 200);
  t.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  const meta = await ctx.app.inject({
    method: 'GET',
    url: `/v1/documents/${toDupont.attachment.document_id}`,
    headers: { ...sandbox.auth, accept: 'application/json' },
  });
  t.match(meta.json(), {
    kind: 'statement',
    invoice_id: null,
    customer_id: dupont.id,
    filename: 'releve-de-compte-2026-03-01-2026-03-31.pdf',
  });
  if (process.env.STATEMENT_SAMPLES) {
    writeFileSync(`${process.env.STATEMENT_SAMPLES}/statement-email.html`, full.html);
    writeFileSync(`${process.env.STATEMENT_SAMPLES}/statement-email.txt`, full.text);
    writeFileSync(`${process.env.STATEMENT_SAMPLES}/statement.pdf`, pdf.rawPayload);
  }
  const events = (await ok('GET', '/v1/events?type=statement.sent')).data;
  t.equal(events.length, 2, 'statement.sent once per statement');
  t.match(events.find((e: { data: { customer_id: string } }) => e.data.customer_id === dupont.id).data, {
    object: 'statement_mailing',
    month: '2026-04',
    period_from: '2026-03-01',
    period_to: '2026-03-31',
    status: 'sent',
    message_id: toDupont.id,
    document_id: toDupont.attachment.document_id,
  });
  const customerMessages = (await ok('GET', `/v1/messages?customer_id=${dupont.id}`)).data;
  t.ok(
    customerMessages.some((m: { id: string }) => m.id === toDupont.id),
    "in the customer's messages",
  );
  const skipped = await ctx.database.withAccount(sandbox.accountId, (trx) =>
    trx
      .selectFrom('statement_mailings')
      .select(['customer_id', 'status', 'reason'])
      .where('status', '=', 'skipped')
      .execute(),
  );
  t.same(
    skipped.map((s) => [s.customer_id, s.reason]).sort(),
    [
      [bounced.id, 'suppressed'],
      [noEmail.id, 'no_recipient'],
    ].sort(),
    'a suppressed address and a customer without one are skipped, and recorded so',
  );

  // A second worker, the rest of the month: nothing more.
  const twice = await Promise.all([
    ctx.services.statements.run({
      kind: 'account',
      accountId: sandbox.accountId,
      now: new Date('2026-04-01T13:00:00Z'),
    }),
    ctx.services.statements.run({
      kind: 'account',
      accountId: sandbox.accountId,
      now: new Date('2026-04-01T13:00:00Z'),
    }),
  ]);
  t.same(twice, [0, 0], 'a second pass sends nothing');
  await ok('POST', '/v1/test_clock/advance', { to: '2026-04-30T12:00:00Z' });
  t.equal((await statements()).length, 2, 'still one per customer in April');

  // May: the 1st is a Friday; Smith has paid meanwhile, so only Dupont.
  const smithInvoice = (await ok('GET', `/v1/invoices?customer_id=${smith.id}`)).data[0];
  await ok('POST', '/v1/payments', {
    customer_id: smith.id,
    amount: smithInvoice.balance,
    currency: smithInvoice.currency,
    received_on: '2026-04-30',
    method: 'transfer',
    allocations: [{ invoice_id: smithInvoice.id, amount: smithInvoice.balance }],
  });
  await ok('POST', '/v1/test_clock/advance', { to: '2026-05-04T12:00:00Z' });
  const may = (await statements()).filter((m: { id: string }) => !first.some((f: { id: string }) => f.id === m.id));
  t.same(
    may.map((m: { customer_id: string }) => m.customer_id),
    [dupont.id],
    'the next month: whoever still owes',
  );
  t.equal(may[0]?.sent_at, '2026-05-01T07:00:00.000Z');
});

t.test('the statement day follows the send days: a Sunday moves to the Monday', async (t) => {
  const ctx = await setupApp(t);
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'UTC' });
  const call = callAs(ctx, sandbox.auth);
  await call('POST', '/v1/test_clock/advance', { to: '2026-02-10T10:00:00Z' });
  await call('PATCH', '/v1/account', { monthly_statements: true });
  const c = await call('POST', '/v1/customers', { name: 'Client', email: 'client@example.test' });
  await call('POST', '/v1/invoices', {
    number: 'S-1',
    customer_id: c.id,
    subtotal: 1000,
    issue_date: '2026-02-01',
    due_date: '2026-04-30',
  });
  // 1 March 2026 is a Sunday: the default policy skips weekends.
  await call('POST', '/v1/test_clock/advance', { to: '2026-03-03T00:00:00Z' });
  const sent = (await call('GET', '/v1/messages')).data.filter(
    (m: { template_key: string }) => m.template_key === 'statement',
  );
  t.equal(sent.length, 1);
  t.equal(sent[0].sent_at, '2026-03-02T09:00:00.000Z', 'Monday at the send time');
});

t.test('settings: the day is 1 to 28; a step may not send the statement template', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
  t.equal((await call('PATCH', '/v1/account', { statement_day: 29 })).statusCode, 400);
  const step = await call('POST', '/v1/reminder_policies', {
    name: 'Wrong',
    steps: [{ offset_days: 0, channel: 'email', template_key: 'statement' }],
  });
  t.equal(step.statusCode, 400);
  t.match(step.json(), { errors: [{ field: '/steps/0/template_key' }] });
  const templates = (await call('GET', '/v1/templates')).json().data;
  t.ok(
    templates.some((tpl: { key: string; locale: string }) => tpl.key === 'statement' && tpl.locale === 'fr'),
    'the statement template is listed',
  );
  const custom = await call('PUT', '/v1/templates/statement/en', {
    subject: '{{creditor.name}} statement to {{date statement.to}}',
    html: '<p>{{#each statement.balances}}{{money this.amount this.currency}}{{/each}}</p>',
    text: '{{#each statement.balances}}{{money this.amount this.currency}}{{/each}}',
  });
  t.equal(custom.statusCode, 200, custom.body);
  const wrong = await call('PUT', '/v1/templates/statement/en', {
    subject: '{{invoice.number}}',
    html: '<p>x</p>',
    text: 'x',
  });
  t.equal(wrong.statusCode, 422, 'a statement template has no invoice');
});

t.test('a month with no customer owing anything sends nothing and fails nothing', async (t) => {
  const ctx = await setupApp(t);
  const sandbox = await ctx.createAccount({ name: 'Sandbox', mode: 'test', time_zone: 'UTC' });
  const call = callAs(ctx, sandbox.auth);
  await call('POST', '/v1/test_clock/advance', { to: '2026-02-10T10:00:00Z' });
  await call('PATCH', '/v1/account', { monthly_statements: true });
  await call('POST', '/v1/customers', { name: 'Paid up', email: 'paid-up@example.test' });
  const run = () =>
    ctx.services.statements.run({
      kind: 'account',
      accountId: sandbox.accountId,
      now: new Date('2026-03-02T10:00:00Z'),
    });
  t.equal(await run(), 0, 'the statement day passes: no candidate, nothing handed over');
  t.equal(await run(), 0, 'and again');
  await call('POST', '/v1/test_clock/advance', { to: '2026-03-03T00:00:00Z' });
  const sent = (await call('GET', '/v1/messages')).data.filter(
    (m: { template_key: string }) => m.template_key === 'statement',
  );
  t.equal(sent.length, 0);
});
