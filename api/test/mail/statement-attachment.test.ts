import t, { type Test } from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

// An email step that attaches the customer's statement of account (`attach_statement`): made by
// Relance when the email is handed to the provider, over the twelve months to that day, in the
// customer's language, stored once (a retry sends the same bytes), named on the message; through
// Resend one by one (its batch endpoint takes no attachment) and through the local outbox alike.

async function setup(t: Test, through: 'resend' | 'outbox') {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const resend = through === 'resend' ? await startResendStandIn() : null;
  if (resend) t.teardown(() => resend.close());
  const services = createServices({
    database: ctx.database,
    clock,
    ...(resend && { transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }) }),
  });
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  await kit.call(acme, 'PATCH', '/v1/account', {
    sender_email: 'billing@acme.example',
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  const created = await kit.call(acme, 'POST', '/v1/reminder_policies', {
    name: 'With the statement',
    send_hour: 9,
    skip_weekends: false,
    steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today', attach_statement: true }],
  });
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json().steps[0], { attach_statement: true, attach_invoice_pdf: false });
  const policyId = created.json().id;
  const run = async (at: string) => {
    clock.set(at);
    await services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  };
  const messageOf = async (invoiceId: string) =>
    (await kit.call(acme, 'GET', `/v1/messages?invoice_id=${invoiceId}`)).json().data[0];
  return { ctx, kit, acme, resend, policyId, run, messageOf };
}

t.test('through Resend: the statement goes alone, as a PDF in the customer language, stored once', async (t) => {
  const { ctx, kit, acme, resend, policyId, run, messageOf } = await setup(t, 'resend');
  if (!resend) throw new Error('no Resend stand-in');
  const dupont = await kit.customer(acme, { reminder_policy_id: policyId, locale: 'fr-FR' });
  const smith = await kit.customer(acme, {
    name: 'Smith Ltd',
    email: 'accounts@smith.example',
    reminder_policy_id: policyId,
    locale: 'en-GB',
  });
  const older = await kit.invoice(acme, {
    customer_id: dupont.id,
    number: 'F-OLD',
    issue_date: '2025-11-01',
    due_date: '2025-12-01',
  });
  const due = await kit.invoice(acme, {
    customer_id: dupont.id,
    number: 'F-1',
    issue_date: '2026-02-01',
    due_date: '2026-03-02',
  });
  const english = await kit.invoice(acme, {
    customer_id: smith.id,
    number: 'INV-1',
    issue_date: '2026-02-01',
    due_date: '2026-03-02',
  });
  await run('2026-03-02T09:00:00Z');

  const emails = resend.requests.filter((r) => r.path === '/emails');
  t.equal(resend.requests.filter((r) => r.path === '/emails/batch').length, 0, 'never in a batch');
  const toDupont = emails.find((r) => String(r.body?.subject).includes('F-1'));
  const attachments = toDupont?.body?.attachments as Array<{ filename: string; content: string }> | undefined;
  t.equal(attachments?.length, 1, 'one attachment');
  t.equal(attachments?.[0]?.filename, 'releve-de-compte-2025-03-03-2026-03-02.pdf', 'French, the last twelve months');
  const bytes = Buffer.from(attachments?.[0]?.content ?? '', 'base64');
  t.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');

  const message = await messageOf(due.id);
  t.match(message, {
    status: 'sent',
    attachment: { kind: 'statement', url: null, document_id: /^doc_/, error: null },
  });
  const meta = await ctx.app.inject({
    method: 'GET',
    url: `/v1/documents/${message.attachment.document_id}`,
    headers: { ...acme.auth, accept: 'application/json' },
  });
  t.match(meta.json(), {
    kind: 'statement',
    customer_id: dupont.id,
    invoice_id: due.id,
    reminder_id: /^occ_/,
    locale: 'fr',
    filename: 'releve-de-compte-2025-03-03-2026-03-02.pdf',
  });
  const file = await kit.call(acme, 'GET', `/v1/documents/${message.attachment.document_id}`);
  t.equal(file.statusCode, 200);
  t.same(file.rawPayload, bytes, 'the stored copy is what went');

  const [toSmith] = emails.filter((r) => String(r.body?.subject).includes('INV-1'));
  t.equal(
    (toSmith?.body?.attachments as Array<{ filename: string }> | undefined)?.[0]?.filename,
    'statement-2025-03-03-2026-03-02.pdf',
    'English for an English customer',
  );
  t.match(await messageOf(english.id), { attachment: { kind: 'statement', document_id: /^doc_/ } });
  t.match(await messageOf(older.id), { attachment: { kind: 'statement' } }, 'the late invoice caught up, with its own');
});

t.test('a retry sends the stored statement, not one made again', async (t) => {
  const { kit, acme, resend, policyId, run, messageOf } = await setup(t, 'resend');
  if (!resend) throw new Error('no Resend stand-in');
  const dupont = await kit.customer(acme, { reminder_policy_id: policyId });
  const item = await kit.invoice(acme, {
    customer_id: dupont.id,
    number: 'F-9',
    issue_date: '2026-02-01',
    due_date: '2026-03-02',
  });
  resend.failNext(1, 500);
  await run('2026-03-02T09:00:00Z');
  const first = await messageOf(item.id);
  t.match(first, { status: 'failed', attachment: { kind: 'statement', document_id: /^doc_/ } });
  // A payment meanwhile would change a statement made again: the stored one goes.
  await kit.call(acme, 'POST', '/v1/payments', {
    customer_id: dupont.id,
    amount: 100,
    currency: 'EUR',
    received_on: '2026-03-02',
    method: 'transfer',
  });
  await run('2026-03-02T10:00:00Z');
  const sent = resend.requests
    .filter((r) => r.path === '/emails' && String(r.body?.subject).includes('F-9'))
    .map((r) => (r.body?.attachments as Array<{ content: string }> | undefined)?.[0]?.content);
  t.equal(sent.length, 2, 'two attempts');
  t.equal(sent[0], sent[1], 'the same bytes both times');
  const after = await messageOf(item.id);
  t.equal(after.status, 'sent');
  t.equal(after.attachment.document_id, first.attachment.document_id, 'one document');
});

t.test('through the local outbox the statement is made and stored too', async (t) => {
  const { kit, acme, policyId, run, messageOf } = await setup(t, 'outbox');
  const dupont = await kit.customer(acme, { reminder_policy_id: policyId });
  const item = await kit.invoice(acme, {
    customer_id: dupont.id,
    number: 'F-2',
    issue_date: '2026-02-01',
    due_date: '2026-03-02',
  });
  await run('2026-03-02T09:00:00Z');
  const message = await messageOf(item.id);
  t.match(message, {
    status: 'sent',
    transport: 'outbox',
    attachment: { kind: 'statement', document_id: /^doc_/, error: null },
  });
  const file = await kit.call(acme, 'GET', `/v1/documents/${message.attachment.document_id}`);
  t.equal(file.statusCode, 200);
  t.equal(file.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  const events = (await kit.call(acme, 'GET', '/v1/events?type=document.created')).json().data;
  t.equal(events.length, 1, 'document.created once');
  t.equal(events[0].data.kind, 'statement');
});

t.test('only an email step attaches the statement, and not with the invoice PDF', async (t) => {
  const ctx = await setupApp(t);
  const { call } = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call14 = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Wrong',
    steps: [{ offset_days: 14, channel: 'call', attach_statement: true }],
  });
  t.equal(call14.statusCode, 400);
  t.match(call14.json(), { code: 'request/validation_failed', errors: [{ field: '/steps/0/attach_statement' }] });
  const both = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Both',
    steps: [
      { offset_days: 0, channel: 'email', template_key: 'due_today', attach_statement: true, attach_invoice_pdf: true },
    ],
  });
  t.equal(both.statusCode, 400);
  t.match(both.json(), {
    code: 'request/validation_failed',
    errors: [{ field: '/steps/0/attach_statement', message: /attach_invoice_pdf/ }],
  });
});
