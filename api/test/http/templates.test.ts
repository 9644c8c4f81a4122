import t from 'tap';
import { DEFAULT_KEYS, DEFAULT_TEMPLATES, defaultSms } from '../../src/mail/templates/index.ts';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

const NNBSP = '\u202F';
const NBSP = '\u00A0';

const CUSTOM = {
  subject: '{{creditor.name}}: {{invoice.number}} ({{invoice.days_overdue}} days)',
  html: '<p>Hello {{customer.name}}, {{money invoice.total_due}} is due.</p>',
  text: 'Hello {{customer.name}}, {{money invoice.total_due}} is due.',
};

const TEMPLATE_FIELDS = 'key locale source subject html text updatedAt';
const PREVIEW_FIELDS = 'invoiceId key locale subject html text';

function client(ctx: TestContext, account: TestAccount) {
  return async (method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) => {
    const res = await ctx.app.inject({ method, url, headers: account.auth, ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() };
  };
}

// One app for the file: each test has accounts of its own.
const ctx = await setupApp(t);

t.test('templates: list, get, put, delete', async (t) => {
  const acme = await ctx.createAccount();
  const call = client(ctx, acme);
  const gql = graphqlClient(ctx, acme.auth);

  t.test('every default key in both locales, defaults first', async (t) => {
    const list = await call('GET', '/v1/templates');
    t.equal(list.status, 200);
    t.match(list.body, { object: 'list', has_more: false, next_cursor: null });
    t.same(
      list.body.data.map((d: { key: string; locale: string }) => `${d.key}/${d.locale}`),
      DEFAULT_KEYS.flatMap((k) => [`${k}/fr`, `${k}/en`]),
    );
    t.ok(
      list.body.data.every(
        (d: { source: string; updated_at: unknown }) => d.source === 'default' && d.updated_at === null,
      ),
    );
    const one = await call('GET', '/v1/templates/overdue_firm/fr');
    t.same(one.body, {
      object: 'template',
      key: 'overdue_firm',
      locale: 'fr',
      source: 'default',
      ...DEFAULT_TEMPLATES.fr.overdue_firm,
      sms: defaultSms('overdue_firm', 'fr'),
      updated_at: null,
    });
    const viaGraphql = await gql(`{ template(key: "overdue_firm", locale: "fr") { ${TEMPLATE_FIELDS} } }`);
    t.same(viaGraphql.data.template, {
      key: 'overdue_firm',
      locale: 'fr',
      source: 'DEFAULT',
      ...DEFAULT_TEMPLATES.fr.overdue_firm,
      updatedAt: null,
    });
    t.equal((await gql('{ templates { data { key } hasMore } }')).data.templates.data.length, DEFAULT_KEYS.length * 2);
  });

  t.test('an override replaces the default for its key and locale only, until deleted', async (t) => {
    const put = await call('PUT', '/v1/templates/overdue_firm/fr', CUSTOM);
    t.equal(put.status, 200);
    t.match(put.body, {
      object: 'template',
      key: 'overdue_firm',
      locale: 'fr',
      source: 'custom',
      ...CUSTOM,
      updated_at: String,
    });
    t.match((await call('GET', '/v1/templates/overdue_firm/fr')).body, { source: 'custom', subject: CUSTOM.subject });
    t.match((await call('GET', '/v1/templates/overdue_firm/en')).body, {
      source: 'default',
      subject: DEFAULT_TEMPLATES.en.overdue_firm.subject,
    });
    const again = await call('PUT', '/v1/templates/overdue_firm/fr', {
      ...CUSTOM,
      subject: 'Relance {{invoice.number}}',
    });
    t.equal(again.body.subject, 'Relance {{invoice.number}}', 'a second put replaces the first');

    const deleted = await call('DELETE', '/v1/templates/overdue_firm/fr');
    t.same(deleted.body, { object: 'template', key: 'overdue_firm', locale: 'fr', deleted: true });
    t.match((await call('GET', '/v1/templates/overdue_firm/fr')).body, { source: 'default' });
    const twice = await call('DELETE', '/v1/templates/overdue_firm/fr');
    t.equal(twice.status, 404);
    t.equal(twice.body.code, 'template/not_found');
  });

  t.test('keys of its own, in the locales it writes', async (t) => {
    const put = await call('PUT', '/v1/templates/thank_you/en', CUSTOM);
    t.equal(put.status, 200);
    const list = (await call('GET', '/v1/templates')).body.data;
    t.match(list.at(-1), { key: 'thank_you', locale: 'en', source: 'custom' });
    t.equal(list.length, DEFAULT_KEYS.length * 2 + 1);
    const missing = await call('GET', '/v1/templates/thank_you/fr');
    t.equal(missing.status, 404);
    t.equal(missing.body.code, 'template/not_found');
    t.equal((await gql('{ template(key: "thank_you", locale: "fr") { key } }')).data.template, null);

    const viaGraphql = await gql(
      `mutation ($input: TemplateInput!) { putTemplate(key: "thank_you", locale: "fr", input: $input) { ${TEMPLATE_FIELDS} } }`,
      { input: CUSTOM },
    );
    t.match(viaGraphql.data.putTemplate, { key: 'thank_you', locale: 'fr', source: 'CUSTOM', ...CUSTOM });
    const deleted = await gql('mutation { deleteTemplate(key: "thank_you", locale: "fr") { key locale deleted } }');
    t.same(deleted.data.deleteTemplate, { key: 'thank_you', locale: 'fr', deleted: true });
    t.equal(
      codeOf(await gql('mutation { deleteTemplate(key: "thank_you", locale: "fr") { deleted } }')),
      'template/not_found',
    );
  });

  t.test('bad keys, locales and bodies are refused', async (t) => {
    for (const [url, field] of [
      ['/v1/templates/Overdue/fr', '/key'],
      ['/v1/templates/overdue_firm/de', '/locale'],
      [`/v1/templates/${'k'.repeat(41)}/fr`, '/key'],
    ] as const) {
      const res = await call('GET', url);
      t.equal(res.status, 400, url);
      t.match(res.body, { code: 'request/validation_failed', errors: [{ field }] }, url);
    }
    const gqlBadLocale = await gql('{ template(key: "overdue_firm", locale: "de") { key } }');
    t.match(
      gqlBadLocale.errors,
      [{ extensions: { code: 'request/validation_failed', errors: [{ field: '/locale' }] } }],
      'GraphQL: the same code',
    );
    for (const body of [
      { subject: 'x', html: 'y' },
      { ...CUSTOM, from: 'me' },
      { ...CUSTOM, subject: '' },
    ]) {
      const res = await call('PUT', '/v1/templates/before_due/en', body);
      t.equal(res.status, 400, JSON.stringify(body));
      t.equal(res.body.code, 'request/validation_failed');
    }
    const gqlMissing = await gql(
      'mutation { putTemplate(key: "before_due", locale: "en", input: { subject: "x", html: "y" }) { key } }',
    );
    t.match(gqlMissing.errors, [{ extensions: { code: 'request/validation_failed', errors: [{ field: '/text' }] } }]);
  });

  t.test('a template that does not render is a 422 naming the problem, and nothing is stored', async (t) => {
    const typo = await call('PUT', '/v1/templates/overdue_firm/en', {
      ...CUSTOM,
      html: '<p>Invoice {{invoice.nmber}}</p>',
    });
    t.equal(typo.status, 422);
    t.match(typo.body, {
      code: 'template/missing_variable',
      detail: /\{\{invoice\.nmber\}\}.*does not exist/,
      errors: [{ field: '/html', message: 'uses {{invoice.nmber}}, which does not exist' }],
    });
    // Only the sample without a contact name takes this branch: it is tried too.
    const hidden = await call('PUT', '/v1/templates/overdue_firm/en', {
      ...CUSTOM,
      text: '{{#if customer.contact_name}}Hi{{else}}Hi {{custmer.name}}{{/if}}',
    });
    t.match(hidden.body, { code: 'template/missing_variable', errors: [{ field: '/text' }] });
    const syntax = await call('PUT', '/v1/templates/overdue_firm/en', {
      ...CUSTOM,
      subject: 'Invoice {{invoice.number}',
    });
    t.match(syntax.body, { status: 422, code: 'template/invalid', errors: [{ field: '/subject' }] });
    const viaGraphql = await gql(
      'mutation ($input: TemplateInput!) { putTemplate(key: "overdue_firm", locale: "en", input: $input) { key } }',
      { input: { ...CUSTOM, html: '<p>Invoice {{invoice.nmber}}</p>' } },
    );
    t.match(viaGraphql.errors, [
      { extensions: { code: 'template/missing_variable', status: 422, errors: [{ field: '/html' }] } },
    ]);
    t.match((await call('GET', '/v1/templates/overdue_firm/en')).body, { source: 'default' }, 'nothing stored');
    const custom = (await call('GET', '/v1/templates')).body.data.filter(
      (d: { source: string }) => d.source === 'custom',
    );
    t.same(
      custom.map((d: { key: string }) => d.key),
      ['thank_you'],
      'only the custom key written before',
    );
  });
});

t.test('preview renders with a real invoice, the same over REST and GraphQL', async (t) => {
  // The app's clock: 2026-03-02 09:00 UTC.
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const other = await ctx.createAccount({ name: 'Other' });
  const call = client(ctx, acme);
  const gql = graphqlClient(ctx, acme.auth);
  await call('PATCH', '/v1/account', {
    locale: 'en',
    contact_phone: '+33 1 00 00 00 00',
    payment_instructions: 'IBAN FR76 0000',
  });

  const customer = (
    await call('POST', '/v1/customers', { name: 'Dupont SARL', contact_name: 'Marie Dupont', locale: 'fr-FR' })
  ).body;
  const make = async (number: string, currency: string, subtotal: number, extra: object = {}) =>
    (
      await call('POST', '/v1/invoices', {
        number,
        customer_id: customer.id,
        currency,
        subtotal,
        issue_date: '2026-01-13',
        due_date: '2026-02-12',
        ...extra,
      })
    ).body;
  const eur = await make('F-100', 'EUR', 123456, { payment_url: 'https://pay.example/F-100' });
  const jpy = await make('F-101', 'JPY', 150000);
  const kwd = await make('F-102', 'KWD', 1234560);

  const both = async (input: Record<string, unknown>) => {
    const rest = await call('POST', '/v1/templates/preview', input);
    const graphqlInput = Object.fromEntries(
      Object.entries(input).map(([k, v]) => [k === 'invoice_id' ? 'invoiceId' : k, v]),
    );
    const graphql = await gql(
      `query ($input: PreviewTemplateInput!) { previewTemplate(input: $input) { ${PREVIEW_FIELDS} } }`,
      { input: graphqlInput },
    );
    return { rest, graphql };
  };

  t.test("the customer's language, the invoice's currency, today's delay", async (t) => {
    const { rest, graphql } = await both({ invoice_id: eur.id, key: 'overdue_firm' });
    t.equal(rest.status, 200);
    t.match(rest.body, { object: 'template_preview', invoice_id: eur.id, key: 'overdue_firm', locale: 'fr' });
    t.equal(rest.body.subject, `Acme${NBSP}: facture F-100 en retard de 18 jours, 1${NNBSP}234,56${NBSP}€ à régler`);
    t.match(rest.body.text, /^Bonjour Marie Dupont,/);
    t.match(rest.body.text, `Échéance${NBSP}: 12 février 2026`);
    t.match(rest.body.text, 'IBAN FR76 0000');
    t.match(rest.body.text, 'contactez-nous dès maintenant au +33 1 00 00 00 00');
    t.match(rest.body.html, 'href="https://pay.example/F-100"');
    t.notOk(graphql.errors);
    t.same(
      graphql.data.previewTemplate,
      {
        invoiceId: eur.id,
        key: 'overdue_firm',
        locale: 'fr',
        subject: rest.body.subject,
        html: rest.body.html,
        text: rest.body.text,
      },
      'GraphQL renders the same message',
    );

    const english = (
      await call('POST', '/v1/templates/preview', { invoice_id: jpy.id, key: 'final_notice', locale: 'en' })
    ).body;
    t.equal(english.subject, 'Final notice: Acme invoice F-101 overdue for 18 days');
    t.match(english.text, 'Amount now due: ¥150,000');
    t.notMatch(english.html, 'href=', 'no payment link on an invoice without one');
    const kuwaiti = (await call('POST', '/v1/templates/preview', { invoice_id: kwd.id, key: 'before_due' })).body;
    t.match(kuwaiti.text, `Montant à régler${NBSP}: 1${NNBSP}234,560${NBSP}KWD`);
  });

  t.test("the account's version, and parts given in the request", async (t) => {
    await call('PUT', '/v1/templates/overdue_firm/fr', CUSTOM);
    const stored = (await call('POST', '/v1/templates/preview', { invoice_id: eur.id, key: 'overdue_firm' })).body;
    t.equal(stored.subject, 'Acme: F-100 (18 days)');
    t.equal(stored.text, `Hello Dupont SARL, 1${NNBSP}234,56${NBSP}€ is due.\n`);
    const draft = (
      await call('POST', '/v1/templates/preview', {
        invoice_id: eur.id,
        key: 'overdue_firm',
        subject: 'Draft {{invoice.number}}',
      })
    ).body;
    t.equal(draft.subject, 'Draft F-100', 'the subject given');
    t.equal(draft.text, stored.text, 'the rest as stored');
    const ownKey = (
      await call('POST', '/v1/templates/preview', { invoice_id: eur.id, key: 'not_stored_yet', ...CUSTOM })
    ).body;
    t.equal(ownKey.subject, 'Acme: F-100 (18 days)', 'a key with nothing stored renders when all parts are given');
    await call('DELETE', '/v1/templates/overdue_firm/fr');
  });

  t.test('errors: the same codes over REST and GraphQL', async (t) => {
    const typo = await both({ invoice_id: eur.id, key: 'overdue_firm', html: '<p>{{invoice.nmber}}</p>' });
    t.equal(typo.rest.status, 422);
    t.match(typo.rest.body, {
      code: 'template/missing_variable',
      detail: /\{\{invoice\.nmber\}\}/,
      errors: [{ field: '/html' }],
    });
    t.equal(codeOf(typo.graphql), 'template/missing_variable');
    t.same(typo.graphql.errors?.[0]?.extensions.errors, typo.rest.body.errors);

    const unknownKey = await both({ invoice_id: eur.id, key: 'nothing_here' });
    t.equal(unknownKey.rest.status, 404);
    t.equal(unknownKey.rest.body.code, 'template/not_found');
    t.equal(codeOf(unknownKey.graphql), 'template/not_found');

    const badId = await both({ invoice_id: 'nope', key: 'overdue_firm' });
    t.equal(badId.rest.status, 400);
    t.equal(codeOf(badId.graphql), 'request/validation_failed');
  });

  t.test("another account cannot preview with this account's invoice", async (t) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/templates/preview',
      headers: other.auth,
      payload: { invoice_id: eur.id, key: 'overdue_firm' },
    });
    t.equal(res.statusCode, 404);
    t.equal(res.json().code, 'invoice/not_found');
    const viaGraphql = await graphqlClient(ctx, other.auth)(
      'query ($id: ID!) { previewTemplate(input: { invoiceId: $id, key: "overdue_firm" }) { subject } }',
      { id: eur.id },
    );
    t.equal(codeOf(viaGraphql), 'invoice/not_found');
    t.notOk(viaGraphql.data?.previewTemplate);
  });

  t.test("another account's templates are its own", async (t) => {
    await call('PUT', '/v1/templates/before_due/en', CUSTOM);
    const theirs = await ctx.app.inject({ method: 'GET', url: '/v1/templates/before_due/en', headers: other.auth });
    t.match(theirs.json(), { source: 'default' });
    const deleted = await ctx.app.inject({ method: 'DELETE', url: '/v1/templates/before_due/en', headers: other.auth });
    t.equal(deleted.json().code, 'template/not_found');
    t.match((await call('GET', '/v1/templates/before_due/en')).body, { source: 'custom' }, 'still there');
  });

  t.test('a read-only key previews and reads, but cannot write', async (t) => {
    const key = (await call('POST', '/v1/api_keys', { name: 'dashboard', read_only: true })).body;
    const readOnly = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const ro = client(ctx, readOnly);
    t.equal((await ro('POST', '/v1/templates/preview', { invoice_id: eur.id, key: 'due_today' })).status, 200);
    t.equal((await ro('GET', '/v1/templates')).status, 200);
    for (const [method, url, body] of [
      ['PUT', '/v1/templates/due_today/fr', CUSTOM],
      ['DELETE', '/v1/templates/before_due/en', undefined],
    ] as const) {
      const res = await ro(method, url, body);
      t.equal(res.status, 403, `${method} ${url}`);
      t.equal(res.body.code, 'auth/read_only_key');
    }
    const gqlRo = graphqlClient(ctx, readOnly.auth);
    t.equal(
      codeOf(
        await gqlRo(
          'mutation ($input: TemplateInput!) { putTemplate(key: "due_today", locale: "fr", input: $input) { key } }',
          { input: CUSTOM },
        ),
      ),
      'auth/read_only_key',
    );
    t.equal(
      codeOf(await gqlRo('mutation { deleteTemplate(key: "before_due", locale: "en") { deleted } }')),
      'auth/read_only_key',
    );
    t.match((await call('GET', '/v1/templates/due_today/fr')).body, { source: 'default' }, 'nothing written');
    t.match((await call('GET', '/v1/templates/before_due/en')).body, { source: 'custom' }, 'nothing deleted');
  });
});
