import t, { type Test } from 'tap';
import type { Account } from '../../src/domain/accounts/account.schemas.ts';
import { addDays } from '../../src/domain/calendar.ts';
import type { Customer } from '../../src/domain/customers/customer.schemas.ts';
import type { Invoice } from '../../src/domain/invoices/invoice.schemas.ts';
import { AppError } from '../../src/errors.ts';
import {
  buildReminderContext,
  type ReminderContextInput,
  resolveTemplateLocale,
  sampleReminderContexts,
  TEMPLATE_LOCALES,
  type TemplateLocale,
} from '../../src/mail/context.ts';
import { renderTemplate, type TemplateSource } from '../../src/mail/render.ts';
import { DEFAULT_STEP_OFFSETS, DEFAULT_TEMPLATES, TEMPLATE_KEYS } from '../../src/mail/templates/index.ts';

const NNBSP = '\u202F';
const NBSP = '\u00A0';

const account: ReminderContextInput['account'] = {
  name: 'Acme & Co',
  legal_name: 'Acme SAS',
  sender_name: 'Acme accounts',
  sender_email: 'billing@acme.example',
  reply_to: null,
  contact_phone: '+33 1 23 45 67 89',
  payment_instructions: 'IBAN FR76 3000 6000 0112 3456 7890 189',
  locale: 'fr-FR',
  registration_number: '443061841',
  vat_number: 'FR64443061841',
  billing_address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
};
const customer = (overrides: Partial<ReminderContextInput['customer']> = {}): ReminderContextInput['customer'] => ({
  name: 'Globex',
  contact_name: 'Jane Doe',
  email: 'ap@globex.example',
  locale: null,
  ...overrides,
});
const DUE = '2026-03-01';

function invoice(
  currency: string,
  total: number,
  lateFees: number,
  overrides: Partial<ReminderContextInput['invoice']> = {},
): ReminderContextInput['invoice'] {
  return {
    number: 'F-2026-0042',
    status: 'open',
    memo: null,
    line_items: [{ description: 'Website redesign', quantity: 1, unit_amount: total, amount: total }],
    issue_date: '2026-01-30',
    due_date: DUE,
    currency,
    total,
    amount_paid: 0,
    amount_credited: 0,
    late_fees: lateFees,
    balance: total + lateFees,
    payment_url: 'https://pay.example/F-2026-0042',
    pdf_url: null,
    ...overrides,
  };
}

/** Days from the due date each default template is rendered at here (`first_overdue` has no step: 45 days late). */
const OFFSETS: Record<string, number> = { ...DEFAULT_STEP_OFFSETS, first_overdue: 45 };

function render(
  key: string,
  locale: TemplateLocale,
  input: Partial<ReminderContextInput> & Pick<ReminderContextInput, 'invoice'>,
) {
  const offsetDays = OFFSETS[key] ?? 0;
  const context = buildReminderContext({
    account,
    customer: customer(),
    today: addDays(DUE, offsetDays),
    stepKey: key,
    offsetDays,
    locale,
    ...input,
  });
  return renderTemplate(DEFAULT_TEMPLATES[locale][key as keyof (typeof DEFAULT_TEMPLATES)['fr']], context);
}

// Amounts as Intl writes them (French groups with U+202F and puts U+00A0 before the symbol).
const CASES = [
  {
    currency: 'EUR',
    total: 123456,
    fee: 4000,
    fr: { total: `1${NNBSP}234,56${NBSP}€`, fee: `40,00${NBSP}€`, due: `1${NNBSP}274,56${NBSP}€` },
    en: { total: '€1,234.56', fee: '€40.00', due: '€1,274.56' },
  },
  {
    currency: 'JPY',
    total: 150000,
    fee: 4000,
    fr: { total: `150${NNBSP}000${NBSP}JPY`, fee: `4${NNBSP}000${NBSP}JPY`, due: `154${NNBSP}000${NBSP}JPY` },
    en: { total: '¥150,000', fee: '¥4,000', due: '¥154,000' },
  },
  {
    currency: 'KWD',
    total: 1234560,
    fee: 40000,
    fr: { total: `1${NNBSP}234,560${NBSP}KWD`, fee: `40,000${NBSP}KWD`, due: `1${NNBSP}274,560${NBSP}KWD` },
    en: { total: `KWD${NBSP}1,234.560`, fee: `KWD${NBSP}40.000`, due: `KWD${NBSP}1,274.560` },
  },
];

const OVERDUE_WORDS = { en: (n: number) => `${n} days overdue`, fr: (n: number) => `en retard de ${n} jours` };

t.test('every default template renders in French and English with EUR, JPY and KWD amounts', async (t) => {
  t.same(Object.keys(DEFAULT_TEMPLATES).sort(), [...TEMPLATE_LOCALES].sort());
  for (const locale of TEMPLATE_LOCALES) {
    t.same(Object.keys(DEFAULT_TEMPLATES[locale]), [...TEMPLATE_KEYS], `${locale}: one template per key`);
  }
  for (const { currency, total, fee, ...expected } of CASES) {
    for (const locale of TEMPLATE_LOCALES) {
      const amounts = expected[locale];
      for (const key of TEMPLATE_KEYS) {
        const offset = OFFSETS[key] ?? 0;
        // Fees accrue from the firm step on, as a policy that applies them there would.
        const lateFees = offset >= 14 ? fee : 0;
        const out = render(key, locale, { invoice: invoice(currency, total, lateFees) });
        const label = `${key} ${locale} ${currency}`;
        t.match(out.subject, 'Acme & Co', `${label}: subject names the creditor`);
        t.match(out.subject, 'F-2026-0042', `${label}: subject names the invoice`);
        t.notMatch(out.subject, /[\r\n]/, `${label}: subject on one line`);
        for (const [part, body] of [
          ['text', out.text],
          ['html', out.html],
        ] as const) {
          t.ok(body.includes(amounts.total), `${label} ${part}: total ${amounts.total}`);
          const due = lateFees > 0 ? amounts.due : amounts.total;
          t.ok(body.includes(due), `${label} ${part}: amount due ${due}`);
          t.equal(
            body.includes(amounts.fee),
            lateFees > 0,
            `${label} ${part}: late fees line only when there are fees`,
          );
          t.ok(
            body.includes(locale === 'fr' ? '1er mars 2026' : 'March 1, 2026'),
            `${label} ${part}: due date in words`,
          );
          t.ok(body.includes(locale === 'fr' ? '30 janvier 2026' : 'January 30, 2026'), `${label} ${part}: date sent`);
          t.ok(body.includes('https://pay.example/F-2026-0042'), `${label} ${part}: payment link`);
          t.ok(body.includes('IBAN FR76'), `${label} ${part}: how to pay`);
          t.ok(body.includes('+33 1 23 45 67 89'), `${label} ${part}: whom to call`);
          t.match(
            body,
            locale === 'fr' ? /déjà procédé au règlement/ : /already paid/,
            `${label} ${part}: already paid? ignore`,
          );
          t.equal(
            body.includes(OVERDUE_WORDS[locale](offset)),
            offset > 0,
            `${label} ${part}: days overdue from the first late step`,
          );
        }
        if (offset >= 14) t.match(out.subject, String(offset), `${label}: subject says for how long`);
        if (offset > 0) t.match(out.subject, locale === 'fr' ? /retard/ : /overdue/i, `${label}: subject says overdue`);
        else
          t.notMatch(
            out.subject + out.text,
            locale === 'fr' ? /retard/ : /overdue/i,
            `${label}: nothing late before it is`,
          );
      }
    }
  }
});

t.test('the final notice asks for the payment status and offers a payment plan', async (t) => {
  const en = render('final_notice', 'en', { invoice: invoice('EUR', 10000, 4000) });
  t.match(en.text, /where payment stands/);
  t.match(en.text, /payment plan/);
  t.match(en.subject, /^Final notice/);
  const fr = render('final_notice', 'fr', { invoice: invoice('EUR', 10000, 4000) });
  t.match(fr.text, /où en est ce règlement/);
  t.match(fr.text, /échéancier de paiement/);
  t.match(fr.text, /pénalités et frais de retard/);
  t.match(fr.subject, /^Dernier rappel/);
  const friendly = render('overdue_friendly', 'en', { invoice: invoice('EUR', 10000, 0) });
  t.match(friendly.subject, /did you receive it\?/i);
  t.match(
    render('overdue_friendly', 'fr', { invoice: invoice('EUR', 10000, 0) }).subject,
    /l'avez-vous bien reçue\u202f\?/,
  );
});

t.test('greeting: by name, else "Madame, Monsieur"; one day, two days', async (t) => {
  const named = render('overdue_firm', 'fr', { invoice: invoice('EUR', 100, 0) });
  t.match(named.text, /^Bonjour Jane Doe,/);
  const anonymous = render('overdue_firm', 'fr', {
    invoice: invoice('EUR', 100, 0),
    customer: customer({ contact_name: null }),
  });
  t.match(anonymous.text, /^Madame, Monsieur,/);
  t.match(
    render('overdue_firm', 'en', { invoice: invoice('EUR', 100, 0), customer: customer({ contact_name: null }) }).text,
    /^Dear Sir or Madam,/,
  );
  const oneDay = (locale: TemplateLocale) =>
    renderTemplate(
      DEFAULT_TEMPLATES[locale].overdue_firm,
      buildReminderContext({
        account,
        customer: customer(),
        invoice: invoice('EUR', 100, 0),
        today: addDays(DUE, 1),
        stepKey: 'overdue_firm',
        offsetDays: 14,
        locale,
      }),
    );
  t.match(oneDay('fr').text, 'en retard de 1 jour.');
  t.match(oneDay('en').text, 'now 1 day overdue.');
});

t.test('payment link, invoice copy and late fees appear only when present', async (t) => {
  for (const locale of TEMPLATE_LOCALES) {
    const without = render('overdue_firm', locale, { invoice: invoice('EUR', 100, 0, { payment_url: null }) });
    for (const body of [without.text, without.html]) {
      t.notMatch(body, /pay\.example/, `${locale}: no link`);
      t.notMatch(body, locale === 'fr' ? /en ligne/ : /online/, `${locale}: no link label`);
      t.notMatch(body, locale === 'fr' ? /Pénalités/ : /Late fees/, `${locale}: no late fees line`);
      t.notMatch(body, /files\.example/, `${locale}: no invoice copy`);
    }
    t.notMatch(without.html, /href=/, `${locale}: no link at all in the HTML`);
    const withCopy = render('overdue_firm', locale, {
      invoice: invoice('EUR', 100, 0, { pdf_url: 'https://files.example/F.pdf' }),
    });
    t.match(withCopy.html, 'href="https://files.example/F.pdf"');
    t.match(withCopy.text, 'https://files.example/F.pdf');
  }
});

t.test('HTML escapes variables; subject and text do not', async (t) => {
  const out = render('overdue_friendly', 'en', {
    account: { ...account, sender_name: null },
    invoice: invoice('EUR', 100, 0, { memo: 'Pens & <paper>' }),
    customer: customer({ contact_name: '<script>alert(1)</script>' }),
  });
  t.match(out.html, 'Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
  t.notMatch(out.html, '<script>');
  t.match(out.html, '<br>Acme &amp; Co</p>', 'the signature');
  t.match(out.text, '\nAcme & Co\n');
  t.match(out.text, 'Hello <script>alert(1)</script>,');
  t.match(out.text, '(Pens & <paper>)');
  t.match(out.subject, 'Acme & Co: invoice F-2026-0042');
  const folded = renderTemplate(
    { subject: '{{customer.name}} {{money 100 "EUR"}}', html: 'x', text: 'x' },
    { locale: 'fr', customer: { name: 'Globex\r\n\tBcc: victim@example.com' } },
  );
  t.equal(
    folded.subject,
    `Globex Bcc: victim@example.com 1,00${NBSP}€`,
    'a subject is always one line; no-break spaces stay',
  );
});

const context = sampleReminderContexts('en', 'overdue_firm')[0];
const expectError = (
  t: Test,
  template: Partial<TemplateSource>,
  code: string,
  pattern: RegExp | string,
  field = '/html',
) => {
  let error: unknown;
  try {
    renderTemplate({ subject: 'Subject', html: '<p>ok</p>', text: 'ok', ...template }, context);
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof AppError, `${JSON.stringify(template)} throws`);
  t.match(error, { code, status: 422, message: pattern, errors: [{ field }] }, JSON.stringify(template));
};

t.test('a missing variable is a 422 naming it', async (t) => {
  expectError(
    t,
    { html: '<p>{{invoice.nmber}}</p>' },
    'template/missing_variable',
    /uses \{\{invoice\.nmber\}\} \(line 1\), which does not exist\. invoice has: number, description/,
  );
  expectError(
    t,
    { subject: 'Invoice {{invoice.number}} for {{custmer.name}}' },
    'template/missing_variable',
    /\{\{custmer\}\}/,
    '/subject',
  );
  expectError(
    t,
    { text: 'line one\n{{#if invoice.paymnt_url}}pay{{/if}}' },
    'template/missing_variable',
    /\{\{invoice\.paymnt_url\}\} \(line 2\)/,
    '/text',
  );
  expectError(t, { html: '{{money invoice.totl}}' }, 'template/missing_variable', /\{\{invoice\.totl\}\}/);
  expectError(
    t,
    { html: '{{#with invoice}}{{nmber}}{{/with}}' },
    'template/missing_variable',
    /\{\{invoice\.nmber\}\}/,
  );
  expectError(
    t,
    { html: '{{mony invoice.total}}' },
    'template/missing_variable',
    /\{\{mony\}\}.*the helpers: money, date, plural/,
  );
  expectError(t, { html: '{{@nothing}}' }, 'template/missing_variable', /\{\{@nothing\}\}/);
  expectError(t, { html: '{{log "hello"}}' }, 'template/missing_variable', /\{\{log\}\}/);
});

t.test('syntax errors and misused helpers are 422 template/invalid, per part', async (t) => {
  expectError(
    t,
    { subject: 'Invoice {{invoice.number}' },
    'template/invalid',
    /subject is not a valid template: Parse error on line 1/,
    '/subject',
  );
  expectError(t, { html: '{{#if invoice.payment_url}}open' }, 'template/invalid', /html is not a valid template/);
  expectError(t, { text: '{{> header}}' }, 'template/invalid', /partial header could not be found/, '/text');
  expectError(t, { html: '{{money invoice.number}}' }, 'template/invalid', /\{\{money\}\} needs an integer amount/);
  expectError(t, { html: '{{money invoice.total "EURO"}}' }, 'template/invalid', /ISO 4217 currency/);
  expectError(t, { html: '{{date invoice.total}}' }, 'template/invalid', /\{\{date\}\} needs a YYYY-MM-DD date/);
  expectError(
    t,
    { html: '{{plural invoice.days_overdue "day"}}' },
    'template/invalid',
    /\{\{plural\}\} takes 3 arguments/,
  );
  expectError(t, { html: '{{invoice}}' }, 'template/invalid', /\{\{invoice\}\} is an object, not text/);
  expectError(
    t,
    { subject: '{{#if invoice.late_fees}}{{/if}}' },
    'template/invalid',
    /subject cannot be rendered: it renders empty/,
    '/subject',
  );
});

t.test('no way out of the sandbox through prototypes', async (t) => {
  const attacks = [
    '{{constructor}}',
    '{{__proto__}}',
    '{{invoice.constructor}}',
    '{{invoice.__proto__}}',
    '{{constructor.constructor "return process"}}',
    '{{#with invoice}}{{constructor.name}}{{/with}}',
    '{{lookup invoice "constructor"}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
    '{{customer.name.constructor}}',
    '{{#with "s"}}{{constructor.constructor}}{{/with}}',
    '{{invoice.number.__proto__}}',
    '{{#each invoice.line_items}}{{constructor}}{{/each}}',
  ];
  for (const html of attacks) {
    let output: string | undefined;
    try {
      output = renderTemplate({ subject: 's', html, text: 't' }, context).html;
    } catch (error) {
      t.match(error, { code: /^template\/(missing_variable|invalid)$/, status: 422 }, `${html} is refused`);
      continue;
    }
    t.equal(output.trim(), '', `${html} renders nothing`);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was changed');
});

t.test('no partials, and loops within a budget', async (t) => {
  expectError(
    t,
    { html: '{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}' },
    'template/invalid',
    /Missing decorator: "inline"/,
  );
  const lines = Array.from({ length: 200 }, (_, i) => ({
    description: `Line ${i}`,
    quantity: 1,
    unit_amount: 100,
    amount: 100,
  }));
  const big = { ...context, invoice: { ...context.invoice, line_items: lines } };
  const list = renderTemplate(
    { subject: 's', html: '{{#each invoice.line_items}}{{@index}} {{description}}; {{/each}}', text: 't' },
    big,
  );
  t.match(list.html, '199 Line 199;', 'a loop over 200 lines renders');
  const nested =
    '{{#each invoice.line_items}}{{#each @root.invoice.line_items}}{{#each @root.invoice.line_items}}x{{/each}}{{/each}}{{/each}}';
  const started = Date.now();
  t.throws(() => renderTemplate({ subject: 's', html: nested, text: 't' }, big), {
    code: 'template/invalid',
    message: /loops produce too much/,
  });
  t.ok(Date.now() - started < 2000, 'stopped early, not after 8 million iterations');
});

t.test('helpers format by locale and currency', async (t) => {
  const base = { invoice: { currency: 'EUR', total: 123456, due: '2026-03-01' } };
  const one = (template: string, ctx: object) =>
    renderTemplate({ subject: 's', html: template, text: template }, ctx).text.trim();
  t.equal(one('{{money invoice.total}}', { ...base, locale: 'fr' }), `1${NNBSP}234,56${NBSP}€`);
  t.equal(one('{{money invoice.total}}', { ...base, locale: 'en' }), '€1,234.56');
  t.equal(
    one('{{money 1500 "JPY"}}', { ...base, locale: 'en' }),
    '¥1,500',
    'a currency given wins over the invoice one',
  );
  t.equal(one('{{money 1234 "KWD"}}', { ...base, locale: 'en' }), `KWD${NBSP}1.234`);
  t.equal(one('{{date invoice.due}}', { ...base, locale: 'fr' }), '1er mars 2026');
  t.equal(one('{{date invoice.due "full"}}', { ...base, locale: 'fr' }), 'dimanche 1er mars 2026');
  t.equal(one('{{date invoice.due "full"}}', { ...base, locale: 'en' }), 'Sunday, March 1, 2026');
  t.equal(one('{{date "2026-03-11"}}', { ...base, locale: 'fr' }), '11 mars 2026', 'only the first day is an ordinal');
  t.equal(one('{{date "2026-03-21" "full"}}', { ...base, locale: 'fr' }), 'samedi 21 mars 2026');
  t.equal(one('{{date invoice.due}}', { ...base, locale: 'en' }), 'March 1, 2026');
  t.equal(one('{{date invoice.due}}', { ...base, locale: 'en', format_locale: 'en-GB' }), '1 March 2026');
  t.equal(
    one('{{plural 1 "jour" "jours"}} {{plural 0 "jour" "jours"}} {{plural 2 "jour" "jours"}}', {
      ...base,
      locale: 'fr',
    }),
    'jour jour jours',
  );
  t.equal(one('{{plural 1 "day" "days"}} {{plural 0 "day" "days"}}', { ...base, locale: 'en' }), 'day days');
});

t.test('context: locale resolution, amounts and dates', async (t) => {
  t.equal(resolveTemplateLocale('fr-FR', 'en'), 'fr');
  t.equal(resolveTemplateLocale(null, 'fr-CA'), 'fr');
  t.equal(resolveTemplateLocale('de', 'en-GB'), 'en', 'a language without templates falls through');
  t.equal(resolveTemplateLocale('de', 'es'), 'en');
  t.equal(resolveTemplateLocale(null, null), 'en');

  const built = buildReminderContext({
    account: { ...account, locale: 'en-GB', sender_name: null, reply_to: 'ar@acme.example' },
    customer: customer(),
    invoice: invoice('EUR', 10000, 4000, { amount_paid: 3000, balance: 11000, memo: 'Line one\nline two' }),
    today: '2026-03-15',
    stepKey: 'overdue_firm',
    offsetDays: 14,
  });
  t.equal(built.locale, 'en', "the account's language when the customer has none");
  t.equal(built.format_locale, 'en-GB');
  t.match(built.invoice, {
    total: 10000,
    amount_paid: 3000,
    late_fees: 4000,
    total_due: 11000,
    balance: 7000,
    days_overdue: 14,
    days_until_due: 0,
    description: 'Line one',
  });
  t.match(built.creditor, { name: 'Acme & Co', sender_name: 'Acme & Co', email: 'ar@acme.example' });
  const early = buildReminderContext({
    account,
    customer: customer({ locale: 'en-US' }),
    invoice: invoice('EUR', 100, 0),
    today: '2026-02-22',
    stepKey: 'before_due',
    offsetDays: -7,
  });
  t.match(early, { locale: 'en', format_locale: 'en-US', invoice: { days_overdue: 0, days_until_due: 7 } });
  t.equal(
    buildReminderContext({
      account,
      customer: customer(),
      invoice: invoice('EUR', 100, 0, { memo: 'x'.repeat(200) }),
      today: DUE,
      stepKey: 'k',
      offsetDays: 0,
    }).invoice.description?.length,
    80,
  );
});

// Compile-time check: the API objects fit the context input as they are.
export const fromApi = (a: Account, c: Customer, i: Invoice) =>
  buildReminderContext({ account: a, customer: c, invoice: i, today: DUE, stepKey: 'due_today', offsetDays: 0 });

t.test('days overdue follow the domain: only an invoice still owed is overdue', async (t) => {
  const at = (overrides: Partial<ReminderContextInput['invoice']>) =>
    buildReminderContext({
      account,
      customer: customer(),
      invoice: invoice('EUR', 100, 0, overrides),
      today: '2026-04-01',
      stepKey: 'final_notice',
      offsetDays: 30,
    }).invoice.days_overdue;
  t.equal(at({}), 31);
  t.equal(at({ status: 'partially_paid', amount_paid: 40, balance: 60 }), 31);
  t.equal(at({ status: 'paid', amount_paid: 100, balance: 0 }), 0, 'a paid invoice is not overdue');
  t.equal(at({ status: 'void' }), 0, 'nor a void one');
});

t.test("every message ends with the creditor's legal identity, when the account has it", async (t) => {
  for (const key of TEMPLATE_KEYS) {
    const fr = render(key, 'fr', { invoice: invoice('EUR', 10000, 0) });
    const line = 'Acme SAS · 12 rue de la Paix, 75002 Paris, France · SIREN 443061841 · N° TVA FR64443061841';
    t.ok(fr.text.trimEnd().endsWith(line), `${key} fr text: the footer`);
    t.ok(fr.html.includes(line), `${key} fr html: the footer`);
    const en = render(key, 'en', { invoice: invoice('EUR', 10000, 0) });
    t.ok(
      en.text.includes('Acme SAS · 12 rue de la Paix, 75002 Paris, France · SIREN 443061841 · VAT No. FR64443061841'),
    );
    const none = render(key, 'en', {
      invoice: invoice('EUR', 10000, 0),
      account: { ...account, legal_name: null, registration_number: null, vat_number: null, billing_address: null },
    });
    t.notMatch(none.text, /SIREN|VAT No\./, `${key}: no footer without an identity`);
    t.notOk(none.html.includes('border-top:1px solid #e5e7eb'), `${key}: no footer block`);
  }
});

t.test('French typography: no-break spaces before : ; ! ? and inside « »', async (t) => {
  for (const key of TEMPLATE_KEYS) {
    const fr = render(key, 'fr', { invoice: invoice('EUR', 10000, 4000) });
    for (const [part, body] of [
      ['subject', fr.subject],
      ['text', fr.text],
      ['html', fr.html],
    ] as const) {
      t.notMatch(body, / [:;!?](\s|$)/, `${key} ${part}: no plain space before a high sign`);
      t.notMatch(body, /« | »/, `${key} ${part}: no plain space inside guillemets`);
    }
  }
  t.match(render('overdue_firm', 'fr', { invoice: invoice('EUR', 10000, 0) }).text, `Échéance${NBSP}: 1er mars 2026`);
});

t.test('fee parts name the rate, what it is made of, the days and the law, per preset', async (t) => {
  const parts = (basis: 'fr_b2b' | 'de_b2b' | 'uk_b2b' | 'contract', locale: 'fr' | 'en', rateBps: number) =>
    buildReminderContext({
      account,
      customer: customer({ locale }),
      invoice: invoice('EUR', 10000, 4000),
      today: '2026-03-15',
      stepKey: 'final_notice',
      offsetDays: 14,
      locale,
      fees: {
        interest: [{ from: '2026-03-02', to: '2026-03-14', rate_bps: rateBps, amount: 1000 }],
        recovery_fee: 3000,
        basis,
        reference:
          basis === 'fr_b2b'
            ? { source: 'ecb_mro', margin_bps: 1000 }
            : basis === 'de_b2b'
              ? { source: 'bundesbank_base', margin_bps: 900 }
              : basis === 'uk_b2b'
                ? { source: 'boe_base', margin_bps: 800 }
                : null,
      },
    }).invoice.fee_parts.map((p) => `${p.label.replace(/[\u00a0\u202f]/g, ' ')} = ${p.amount}`);
  t.same(parts('fr_b2b', 'fr', 1215), [
    'Intérêts de retard au taux annuel de 12,15 % (taux de refinancement de la Banque centrale européenne, 2,15 %, majoré de 10 points), du 2 mars 2026 au 14 mars 2026 (art. L441-10 du Code de commerce) = 1000',
    'Indemnité forfaitaire pour frais de recouvrement (art. L441-10 et D441-5 du Code de commerce) = 3000',
  ]);
  t.same(parts('de_b2b', 'en', 1027), [
    'Late payment interest at 10.27% a year (the Bundesbank base rate (Basiszinssatz), 1.27%, plus 9 points), from March 2, 2026 to March 14, 2026 (German Civil Code (BGB), § 288 (2)) = 1000',
    'Fixed compensation for recovery costs (German Civil Code (BGB), § 288 (5)) = 3000',
  ]);
  t.same(parts('contract', 'fr', 800), [
    'Intérêts de retard au taux annuel de 8,00 %, du 2 mars 2026 au 14 mars 2026 (nos conditions de paiement) = 1000',
    'Frais de recouvrement (nos conditions de paiement) = 3000',
  ]);
});
