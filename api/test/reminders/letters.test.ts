import { createHash } from 'node:crypto';
import t from 'tap';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { pdfText } from '../helpers/pdf.ts';

// The `letter` step writes the formal notice itself: a PDF stored once, linked from its task,
// announced by `document.created`, downloaded through the API. Its text is read back with a real
// PDF parser (Mozilla's pdf.js) and every mention the law and the debtor need is checked.

async function sandbox(ctx: TestContext, account: TestAccount) {
  const call = (method: string, url: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({
      method: method as 'GET',
      url,
      headers: { ...account.auth, ...headers },
      ...(payload && { payload }),
    });
  return call;
}

/** The invoice's letter task, its PDF as downloaded, and the PDF's text. */
async function letterOf(call: Awaited<ReturnType<typeof sandbox>>, invoiceId: string) {
  const [task] = (await call('GET', `/v1/tasks?invoice_id=${invoiceId}&kind=letter`)).json().data;
  if (!task?.document_id) throw new Error(`no letter for ${invoiceId}: ${JSON.stringify(task)}`);
  const download = await call('GET', `/v1/documents/${task.document_id}`);
  return { task, download, text: await pdfText(download.rawPayload) };
}

/** Runs the test clock day by day (12:00 UTC) up to `to` included. */
async function until(call: Awaited<ReturnType<typeof sandbox>>, from: string, to: string) {
  for (
    let day = new Date(`${from}T12:00:00Z`);
    day <= new Date(`${to}T12:00:00Z`);
    day = new Date(day.getTime() + 86_400_000)
  ) {
    const res = await call('POST', '/v1/test_clock/advance', { to: day.toISOString() });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
}

t.test('a French formal notice: every mention, stored once, downloaded as it was written', async (t) => {
  const ctx = await setupApp(t);
  const account = await ctx.createAccount({ name: 'Atelier Dupont', mode: 'test', time_zone: 'Europe/Paris' });
  const call = await sandbox(ctx, account);
  const identity = await call('PATCH', '/v1/account', {
    locale: 'fr',
    late_fee_preset: 'fr_b2b',
    legal_name: 'Atelier Dupont SARL',
    registration_number: '443061841',
    vat_number: 'FR64443061841',
    billing_address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
    payment_instructions: 'Virement sur FR76 3000 6000 0112 3456 7890 189',
  });
  t.equal(identity.statusCode, 200, identity.body);
  await call('POST', '/v1/test_clock/advance', { to: '2026-09-01T08:00:00Z' });
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Boulangerie Martin',
      legal_name: 'Boulangerie Martin SAS',
      contact_name: 'Élise Martin',
      email: 'elise@martin.example',
      locale: 'fr',
      billing_address: { line1: '3 place du Marché', postal_code: '69001', city: 'Lyon', country: 'FR' },
    })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'F-2026-0042',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 123_456,
      issue_date: '2026-09-01',
      due_date: '2026-10-01',
    })
  ).json();
  t.ok(invoice.id, 'invoice registered');

  // Due Thursday 1 October; the letter step is at day 30: Saturday 31 October, moved to Monday 2 November.
  await until(call, '2026-09-01', '2026-11-03');
  const tasks = (await call('GET', `/v1/tasks?invoice_id=${invoice.id}&kind=letter`)).json().data;
  t.equal(tasks.length, 1, 'one letter task');
  const [task] = tasks;
  t.match(task, { kind: 'letter', due_on: '2026-11-02', document_id: /^doc_/ });

  const events = (await call('GET', '/v1/events?type=document.created')).json().data;
  t.equal(events.length, 1, 'document.created, once');
  const meta = events[0].data;
  t.match(meta, {
    id: task.document_id,
    object: 'document',
    kind: 'formal_notice',
    invoice_id: invoice.id,
    customer_id: customer.id,
    task_id: task.id,
    locale: 'fr',
    filename: 'mise-en-demeure-F-2026-0042.pdf',
    content_type: 'application/pdf',
    purged: false,
  });

  const download = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');
  t.match(download.headers['content-disposition'], 'filename="mise-en-demeure-F-2026-0042.pdf"');
  const bytes = download.rawPayload;
  t.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  t.equal(bytes.length, meta.byte_size);
  t.equal(createHash('sha256').update(bytes).digest('hex'), meta.sha256, 'the bytes announced');

  const text = await pdfText(bytes);
  for (const mention of [
    'Atelier Dupont SARL',
    '12 rue de la Paix',
    '75002 Paris',
    'SIREN / n° d’immatriculation : 443061841',
    'N° de TVA : FR64443061841',
    'Boulangerie Martin SAS',
    'À l’attention de Élise Martin',
    '3 place du Marché',
    '69001 Lyon',
    'Le 2 novembre 2026',
    'Lettre recommandée avec demande d’avis de réception',
    'Objet : mise en demeure de payer – facture F-2026-0042',
    'Madame, Monsieur,',
    // Reminders went out by email before the letter.
    'Malgré nos relances, la facture ci-dessous demeure impayée',
    'F-2026-0042',
    '1er septembre 2026',
    '1er octobre 2026',
    '1 234,56 €',
    'taux de refinancement de la Banque centrale européenne, 2,15 %, majoré de 10 points',
    'du 2 octobre 2026 au',
    'art. L441-10 du Code de commerce',
    'Indemnité forfaitaire pour frais de recouvrement (art. L441-10 et D441-5 du Code de commerce)',
    '40,00 €',
    'Total dû à ce jour',
    'dans un délai de 8 jours',
    'soit au plus tard le 10 novembre 2026',
    'injonction de payer',
    'Virement sur FR76 3000 6000 0112 3456 7890 189',
  ])
    t.ok(text.includes(mention), `says: ${mention}`);

  // The fee lines and the total add up: principal + interest + fixed fee.
  const amount = (pattern: RegExp) => Number((text.match(pattern)?.[1] ?? 'NaN').replace(/ /g, '').replace(',', '.'));
  const interest = amount(/\(art\. L441-10 du Code de commerce\) ([\d ]+,\d\d) €/);
  const total = amount(/Total dû à ce jour ([\d ]+,\d\d) €/);
  t.ok(interest > 0, `interest stated: ${interest}`);
  t.equal(Math.round(total * 100), 123_456 + 4_000 + Math.round(interest * 100), 'the total adds up');
  // 12.15 % a year (ECB 2.15 % + 10 points) on 1 234,56 € from 2 October to 1 November, the
  // day before the letter (a day is charged once it is over): 31 days, 12,74 €.
  t.ok(text.includes('du 2 octobre 2026 au 1er novembre 2026'), 'the period is stated');
  t.equal(interest, 12.74, 'the interest, hand-computed');

  // Stored once: later runs neither write another letter nor change this one.
  await until(call, '2026-11-04', '2026-11-06');
  const again = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(createHash('sha256').update(again.rawPayload).digest('hex'), meta.sha256, 'the same bytes');
  t.equal((await call('GET', '/v1/events?type=document.created')).json().data.length, 1);

  const json = await call('GET', `/v1/documents/${task.document_id}`, undefined, { accept: 'application/json' });
  t.same(json.json(), meta, 'Accept: application/json gives the metadata');

  const gql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: account.auth,
    payload: { query: `{ task(id: "${task.id}") { documentId document { sha256 filename purged } } }` },
  });
  t.same(gql.json().data.task, {
    documentId: task.document_id,
    document: { sha256: meta.sha256, filename: meta.filename, purged: false },
  });

  // Another account sees nothing of it.
  const other = await ctx.createAccount({ name: 'Other' });
  const theirs = await ctx.app.inject({ method: 'GET', url: `/v1/documents/${task.document_id}`, headers: other.auth });
  t.equal(theirs.statusCode, 404);
  t.equal(theirs.json().code, 'document/not_found');
  const theirsGql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: other.auth,
    payload: { query: `{ document(id: "${task.document_id}") { id } }` },
  });
  t.equal(theirsGql.json().data.document, null);

  // Erasure: the file goes, the metadata stays.
  t.equal((await call('POST', `/v1/customers/${customer.id}/anonymize`)).statusCode, 200);
  const gone = await call('GET', `/v1/documents/${task.document_id}`);
  t.equal(gone.statusCode, 410);
  t.equal(gone.json().code, 'document/purged');
  t.equal(gone.headers['content-type'], 'application/problem+json; charset=utf-8');
  const kept = await call('GET', `/v1/documents/${task.document_id}`, undefined, { accept: 'application/json' });
  t.match(kept.json(), { purged: true, sha256: meta.sha256 });
});

t.test('an English letter before action under the UK Late Payment Act', async (t) => {
  const ctx = await setupApp(t);
  const account = await ctx.createAccount({ name: 'Smith Joinery', mode: 'test', time_zone: 'Europe/London' });
  const call = await sandbox(ctx, account);
  const identity = await call('PATCH', '/v1/account', {
    locale: 'en',
    default_currency: 'GBP',
    late_fee_preset: 'uk_b2b',
    legal_name: 'Smith Joinery Ltd',
    registration_number: '01234567',
    billing_address: { line1: '1 High Street', postal_code: 'M1 1AA', city: 'Manchester', country: 'GB' },
  });
  t.equal(identity.statusCode, 200, identity.body);
  await call('POST', '/v1/test_clock/advance', { to: '2026-09-01T08:00:00Z' });
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Jones Builders',
      email: 'accounts@jones.example',
      locale: 'en',
      billing_address: { line1: '22 Queen Street', postal_code: 'EH2 1JX', city: 'Edinburgh', country: 'GB' },
    })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'SJ-7',
      customer_id: customer.id,
      currency: 'GBP',
      subtotal: 250_000,
      issue_date: '2026-09-01',
      due_date: '2026-10-01',
    })
  ).json();
  await until(call, '2026-09-01', '2026-11-03');
  const { download, text } = await letterOf(call, invoice.id);
  t.match(download.headers['content-disposition'], 'letter-before-action-SJ-7.pdf');
  for (const mention of [
    'Smith Joinery Ltd',
    'Company number: 01234567',
    'Jones Builders',
    '22 Queen Street',
    'EH2 1JX Edinburgh',
    '2 November 2026',
    'Letter before action – invoice SJ-7',
    'Dear Sir or Madam,',
    'Despite our reminders, the invoice below remains unpaid.',
    '£2,500.00',
    'Bank of England base rate, 3.75%, plus 8 points',
    'Late Payment of Commercial Debts (Interest) Act 1998',
    // £1,000 to £9,999.99: £70 (s. 5A).
    'Fixed compensation for recovery costs (Late Payment of Commercial Debts (Interest) Act 1998, s. 5A) £70.00',
    'within 8 days of the date of this letter, that is by 10 November 2026',
    'court proceedings',
  ])
    t.ok(text.includes(mention), `says: ${mention}`);
  t.notOk(text.includes('Edinburgh United Kingdom'), 'no country line for a letter within the country');
});

t.test('a letter that is the first the customer hears: no "despite our reminders"', async (t) => {
  const ctx = await setupApp(t);
  const account = await ctx.createAccount({ name: 'Smith Joinery', mode: 'test', time_zone: 'Europe/London' });
  const call = await sandbox(ctx, account);
  await call('PATCH', '/v1/account', {
    locale: 'en',
    billing_address: { line1: '1 High Street', postal_code: 'M1 1AA', city: 'Manchester', country: 'GB' },
  });
  await call('POST', '/v1/test_clock/advance', { to: '2026-09-01T08:00:00Z' });
  // A postal address only: no email and no phone, so no reminder can go out before the letter.
  const customer = (
    await call('POST', '/v1/customers', {
      name: 'Brown & Sons',
      locale: 'en',
      billing_address: { line1: '5 Mill Lane', postal_code: 'LS1 4AP', city: 'Leeds', country: 'GB' },
    })
  ).json();
  const invoice = (
    await call('POST', '/v1/invoices', {
      number: 'SJ-9',
      customer_id: customer.id,
      currency: 'GBP',
      subtotal: 80_000,
      issue_date: '2026-09-01',
      due_date: '2026-10-01',
    })
  ).json();
  // The call at two weeks is a task, not a message; the letter waits the policy's gap after it.
  await until(call, '2026-09-01', '2026-11-06');
  const messages = (await call('GET', `/v1/messages?invoice_id=${invoice.id}`)).json().data;
  t.same(
    messages.filter((m: { status: string }) => !['failed', 'canceled', 'bounced'].includes(m.status)),
    [],
    'no message reached the customer',
  );
  const { text } = await letterOf(call, invoice.id);
  t.ok(text.includes('According to our records, the invoice below remains unpaid.'), 'states the facts only');
  t.notOk(/despite our reminders/i.test(text), 'claims no reminder');
  t.ok(text.includes('Letter before action – invoice SJ-9'), 'still the letter before action');
});
