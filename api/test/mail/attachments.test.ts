import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

// An email step that attaches the invoice's PDF, through Resend's SDK to its stand-in: fetched
// from `pdf_url` under the webhooks' guard (no private address unless allowed, no redirect,
// 10 MB, a PDF only), stored once so a retry sends the same bytes, and the link instead when it
// cannot be had, said on the message.

const pdf = (label: string) => Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);

async function fileServer(t: Test) {
  const files = new Map<string, { status: number; type: string; body: Buffer; headers?: Record<string, string> }>();
  const server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(file.status, { 'content-type': file.type, ...file.headers });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, files };
}

async function setup(t: Test, allowPrivateTargets: boolean) {
  const ctx = await setupApp(t);
  const resend = await startResendStandIn();
  t.teardown(() => resend.close());
  const kit = engineKit(ctx);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-03-02T06:00:00Z');
  const services = createServices({
    database: ctx.database,
    clock,
    transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
    webhookTargets: { allowPrivateTargets },
  });
  const acme = await ctx.createAccount({ time_zone: 'UTC' });
  await kit.call(acme, 'PATCH', '/v1/account', {
    sender_email: 'billing@acme.example',
    max_contacts_per_week: 50,
    min_days_between_contacts: 0,
  });
  const created = await kit.call(acme, 'POST', '/v1/reminder_policies', {
    name: 'With the invoice',
    send_hour: 9,
    skip_weekends: false,
    steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today', attach_invoice_pdf: true }],
  });
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.json().steps[0].attach_invoice_pdf, true);
  const customer = await kit.customer(acme, { reminder_policy_id: created.json().id });
  const invoice = (number: string, pdfUrl: string | null) =>
    kit.invoice(acme, {
      customer_id: customer.id,
      number,
      issue_date: '2026-02-01',
      due_date: '2026-03-02',
      ...(pdfUrl && { pdf_url: pdfUrl }),
    });
  const run = async (at: string) => {
    clock.set(at);
    await services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  };
  const messageOf = async (invoiceId: string) =>
    (await kit.call(acme, 'GET', `/v1/messages?invoice_id=${invoiceId}`)).json().data[0];
  /** The attachments Resend received in emails to this invoice (by its number in the subject). */
  const sentWith = (number: string) =>
    resend.requests
      .filter((r) => r.path === '/emails' && String(r.body?.subject).includes(number))
      .map((r) => r.body?.attachments ?? null);
  return { ctx, kit, acme, resend, invoice, run, messageOf, sentWith };
}

t.test('the invoice PDF goes as an attachment; what cannot be had goes as a link', async (t) => {
  const files = await fileServer(t);
  const { kit, acme, invoice, run, messageOf, sentWith } = await setup(t, true);
  files.files.set('/F-1.pdf', { status: 200, type: 'application/pdf', body: pdf('F-1') });
  files.files.set('/big.pdf', { status: 200, type: 'application/pdf', body: Buffer.alloc(11 * 1024 * 1024, 0x25) });
  files.files.set('/page', {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: Buffer.from('<html>Sign in</html>'),
  });
  files.files.set('/moved.pdf', {
    status: 302,
    type: 'text/plain',
    body: Buffer.from(''),
    headers: { location: 'http://169.254.169.254/' },
  });
  const ok = await invoice('F-1', `${files.url}/F-1.pdf`);
  const big = await invoice('F-2', `${files.url}/big.pdf`);
  const html = await invoice('F-3', `${files.url}/page`);
  const moved = await invoice('F-4', `${files.url}/moved.pdf`);
  const none = await invoice('F-5', null);
  await run('2026-03-02T09:00:00Z');

  const [attached] = sentWith('F-1');
  t.equal(attached?.length, 1, 'one attachment');
  t.equal(attached?.[0]?.filename, 'F-1.pdf');
  t.same(Buffer.from(attached?.[0]?.content ?? '', 'base64'), pdf('F-1'), 'the bytes of the PDF, base64 over the wire');
  const message = await messageOf(ok.id);
  t.match(message, { status: 'sent', attachment: { url: `${files.url}/F-1.pdf`, document_id: /^doc_/, error: null } });
  const document = await kit.call(acme, 'GET', `/v1/documents/${message.attachment.document_id}`);
  t.equal(document.statusCode, 200);
  t.same(document.rawPayload, pdf('F-1'), 'the stored copy');

  for (const [item, number, reason] of [
    [big, 'F-2', /larger than 10 MB/],
    [html, 'F-3', /not a PDF \(text\/html, 20 bytes\)/],
    [moved, 'F-4', /redirect \(302\) not followed/],
  ] as const) {
    t.same(sentWith(number), [null], `${number}: sent without an attachment`);
    t.match(await messageOf(item.id), {
      status: 'sent',
      attachment: { document_id: null, error: reason },
    });
    t.match((await messageOf(item.id)).attachment.error, /the email carries its link instead/);
  }
  t.match(await messageOf(none.id), { status: 'sent', attachment: null }, 'no pdf_url: nothing to attach');
});

t.test('a retry sends the stored bytes, not what the URL serves later', async (t) => {
  const files = await fileServer(t);
  const { resend, invoice, run, messageOf, sentWith } = await setup(t, true);
  files.files.set('/F-9.pdf', { status: 200, type: 'application/pdf', body: pdf('first') });
  const item = await invoice('F-9', `${files.url}/F-9.pdf`);
  resend.failNext(1, 500);
  await run('2026-03-02T09:00:00Z');
  t.match(await messageOf(item.id), { status: 'failed', attachment: { document_id: /^doc_/ } });
  files.files.set('/F-9.pdf', { status: 200, type: 'application/pdf', body: pdf('changed since') });
  await run('2026-03-02T10:00:00Z');
  const sent = sentWith('F-9');
  t.equal(sent.length, 2, 'two attempts');
  t.same(
    sent.map((a) => Buffer.from(a?.[0]?.content ?? '', 'base64').toString('latin1')),
    [pdf('first').toString('latin1'), pdf('first').toString('latin1')],
    'the same bytes both times',
  );
  t.equal((await messageOf(item.id)).status, 'sent');
});

t.test('a private address is not fetched unless the operator allows it', async (t) => {
  const files = await fileServer(t);
  const { invoice, run, messageOf, sentWith } = await setup(t, false);
  files.files.set('/F-7.pdf', { status: 200, type: 'application/pdf', body: pdf('F-7') });
  const item = await invoice('F-7', `${files.url}/F-7.pdf`);
  await run('2026-03-02T09:00:00Z');
  t.same(sentWith('F-7'), [null], 'sent with the link only');
  t.match(await messageOf(item.id), {
    status: 'sent',
    attachment: { document_id: null, error: /127\.0\.0\.1.*private, loopback/ },
  });
});

t.test('only an email step attaches', async (t) => {
  const ctx = await setupApp(t);
  const { call } = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const res = await call(acme, 'POST', '/v1/reminder_policies', {
    name: 'Wrong',
    steps: [{ offset_days: 14, channel: 'call', attach_invoice_pdf: true }],
  });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { errors: [{ field: '/steps/0/attach_invoice_pdf' }] });
});
