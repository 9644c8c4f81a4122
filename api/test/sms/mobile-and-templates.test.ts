import t from 'tap';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

t.test('mobile numbers: E.164, read with the right country, refused when wrong', async (t) => {
  const ctx = await setupApp(t);
  const { call } = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const create = (body: object) => call(acme, 'POST', '/v1/customers', { name: 'Globex', ...body });

  const international = await create({ mobile: '+44 7911 123456' });
  t.equal(international.statusCode, 201, international.body);
  t.equal(international.json().mobile, '+447911123456');
  const national = await create({
    mobile: '06 12 34 56 78',
    billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
  });
  t.equal(national.json().mobile, '+33612345678', "the customer's billing country reads the national form");

  const refusals: Array<[object, RegExp]> = [
    [{ mobile: '06 12 34 56 78' }, /international form/], // no country anywhere
    [{ mobile: '+33 1 23 45 67 89' }, /fixed line number: it cannot receive texts/],
    [{ mobile: '+33 6 12' }, /not a valid FR number|not a phone number/],
    [{ mobile: 'call me' }, /not a phone number/],
  ];
  for (const [body, message] of refusals) {
    const res = await create(body);
    t.equal(res.statusCode, 422, JSON.stringify(body));
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json(), { code: 'customer/invalid_mobile', errors: [{ field: '/mobile', message }] });
  }
  const listed = (await call(acme, 'GET', '/v1/customers?limit=100')).json().data;
  t.equal(listed.length, 2, 'nothing stored by a refusal');

  // The account's country reads national numbers of customers without one; a PATCH is checked too.
  await call(acme, 'PATCH', '/v1/account', {
    billing_address: { line1: 'Unter den Linden 1', postal_code: '10117', city: 'Berlin', country: 'DE' },
  });
  const id = international.json().id;
  const patched = await call(acme, 'PATCH', `/v1/customers/${id}`, { mobile: '0151 23456789' });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal(patched.json().mobile, '+4915123456789');
  const bad = await call(acme, 'PATCH', `/v1/customers/${id}`, { mobile: '030 1234567' });
  t.equal(bad.statusCode, 422);
  t.equal((await call(acme, 'GET', `/v1/customers/${id}`)).json().mobile, '+4915123456789', 'unchanged');

  // GraphQL: the same rule and the same error.
  const gql = graphqlClient(ctx, acme.auth);
  const ok = await gql('mutation { createCustomer(input: { name: "Initech", mobile: "+1 212 555 0123" }) { mobile } }');
  t.equal(ok.data?.createCustomer.mobile, '+12125550123');
  const refused = await gql('mutation { createCustomer(input: { name: "Initech", mobile: "1234" }) { mobile } }');
  t.match(refused.errors?.[0]?.extensions, { code: 'customer/invalid_mobile', status: 422 });
});

t.test('text message templates: defaults, preview with encoding and segments, 3 segments at most', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const fr = (await call(acme, 'GET', '/v1/templates/overdue_firm/fr')).json();
  t.match(fr.sms, /malgré nos rappels/, 'every default step has a text message');
  const customer = await kit.customer(acme, { locale: 'fr' });
  const invoice = await kit.invoice(acme, {
    customer_id: customer.id,
    number: 'F-2026-0042',
    issue_date: '2026-01-02',
    due_date: '2026-02-01',
    subtotal: 123456,
  });
  for (const key of ['before_due', 'due_today', 'first_overdue', 'overdue_friendly', 'overdue_firm', 'final_notice'])
    for (const locale of ['fr', 'en']) {
      const preview = await call(acme, 'POST', '/v1/templates/preview', { invoice_id: invoice.id, key, locale });
      t.equal(preview.statusCode, 200, preview.body);
      const sms = preview.json().sms;
      t.equal(sms.encoding, 'GSM-7', `${key}/${locale} stays in GSM-7`);
      t.ok(sms.segments <= 2, `${key}/${locale}: ${sms.segments} segments, ${sms.characters} characters`);
      t.match(sms.text, /F-2026-0042/);
    }

  // One letter outside GSM-7 sends the whole text as UCS-2: the preview says so.
  const tried = await call(acme, 'POST', '/v1/templates/preview', {
    invoice_id: invoice.id,
    key: 'overdue_firm',
    sms: 'Votre facture {{invoice.number}} est à régler, merci de votre réactivité : {{money invoice.total_due}} ✓',
  });
  t.match(tried.json().sms, { encoding: 'UCS-2', segments: 2 });

  // Over 3 segments is refused on saving, and nothing is stored.
  const long = await call(acme, 'PUT', '/v1/templates/overdue_firm/fr', {
    subject: fr.subject,
    html: fr.html,
    text: fr.text,
    sms: `{{invoice.number}} ${'é'.repeat(10)}ê ${'x'.repeat(200)}`,
  });
  t.equal(long.statusCode, 422);
  t.match(long.json(), { code: 'template/sms_too_long', errors: [{ field: '/sms' }] });
  t.equal((await call(acme, 'GET', '/v1/templates/overdue_firm/fr')).json().source, 'default');
  const broken = await call(acme, 'PUT', '/v1/templates/overdue_firm/fr', {
    subject: fr.subject,
    html: fr.html,
    text: fr.text,
    sms: 'Facture {{invoice.nmber}}',
  });
  t.match(broken.json(), { code: 'template/missing_variable', errors: [{ field: '/sms' }] });

  // Saved, it is what the next text says; an email-only override keeps the default text.
  const saved = await call(acme, 'PUT', '/v1/templates/overdue_firm/fr', {
    subject: fr.subject,
    html: fr.html,
    text: fr.text,
    sms: '{{creditor.name}}: facture {{invoice.number}}, {{money invoice.total_due}} a regler.',
  });
  t.equal(saved.statusCode, 200, saved.body);
  t.match(saved.json(), { source: 'custom', sms: /a regler/ });
  const emailOnly = await call(acme, 'PUT', '/v1/templates/overdue_friendly/fr', {
    subject: 'Rappel',
    html: '<p>{{invoice.number}}</p>',
    text: '{{invoice.number}}',
  });
  t.match(emailOnly.json(), { source: 'custom', sms: /sauf erreur/ }, "a default key keeps Relance's text");
  const own = await call(acme, 'PUT', '/v1/templates/gentle/fr', { subject: 'S', html: '<p>H</p>', text: 'T' });
  t.equal(own.json().sms, null, 'a key of its own has no text unless given');

  const gql = graphqlClient(ctx, acme.auth);
  const res = await gql(
    `query($id: ID!) { template(key: "overdue_firm", locale: "fr") { sms }
      previewTemplate(input: { invoiceId: $id, key: "overdue_firm", locale: "fr" }) { sms { text encoding segments characters } } }`,
    { id: invoice.id },
  );
  t.match(res.data?.template.sms, /a regler/);
  t.match(res.data?.previewTemplate.sms, {
    encoding: 'GSM-7',
    segments: 1,
    text: /^Acme: facture F-2026-0042, 1 234,56 € a regler\.$/,
  });
});

t.test('an sms step names a template with a text message', async (t) => {
  const ctx = await setupApp(t);
  const { call } = engineKit(ctx);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const policy = (steps: object[]) => call(acme, 'POST', '/v1/reminder_policies', { name: 'Texts', steps });
  const count = async () => (await call(acme, 'GET', '/v1/reminder_policies')).json().data.length;
  t.equal((await policy([{ offset_days: 3, channel: 'sms', template_key: 'overdue_friendly' }])).statusCode, 201);
  const before = await count();
  await call(acme, 'PUT', '/v1/templates/gentle/fr', { subject: 'S', html: '<p>H</p>', text: 'T' });
  const refused = await policy([
    { offset_days: 3, channel: 'email', template_key: 'gentle' },
    { offset_days: 3, channel: 'sms', template_key: 'gentle' },
    { offset_days: 5, channel: 'sms', template_key: 'nowhere' },
  ]);
  t.equal(refused.statusCode, 422);
  t.match(refused.json(), {
    code: 'reminder_policy/template_without_sms',
    errors: [{ field: '/steps/1/template_key' }, { field: '/steps/2/template_key' }],
  });
  t.equal(await count(), before, 'nothing stored');
  await call(acme, 'PUT', '/v1/templates/gentle/en', {
    subject: 'S',
    html: '<p>H</p>',
    text: 'T',
    sms: 'Invoice {{invoice.number}}',
  });
  t.equal(
    (await policy([{ offset_days: 3, channel: 'sms', template_key: 'gentle' }])).statusCode,
    201,
    'a text in one locale will do',
  );
});
