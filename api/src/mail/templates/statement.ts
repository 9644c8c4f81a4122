/**
 * The default templates of the monthly statement email (`statement`): the customer's statement
 * of account is attached; the email says which period it covers and what is owed at its end, per
 * currency. Courteous, never a reminder's tone: it goes to every customer with a balance.
 */
import type { TemplateSource } from '../render.ts';
import { emailShell, frenchSpacing } from './layout.ts';

interface StatementCopy {
  lang: 'fr' | 'en';
  subject: string;
  greeting: string;
  intro: string;
  balances: string;
  portal: string;
  instructions: string;
  outro: string[];
  signoff: string;
}

const COPY: Record<'fr' | 'en', StatementCopy> = {
  fr: {
    lang: 'fr',
    subject: '{{creditor.name}} : votre relevé de compte au {{date statement.to}}',
    greeting: '{{#if customer.contact_name}}Bonjour {{customer.contact_name}},{{else}}Bonjour,{{/if}}',
    intro:
      'Veuillez trouver ci-joint votre relevé de compte du {{date statement.from}} au {{date statement.to}} : les factures, frais et règlements de la période, et ce qui reste dû.',
    balances: 'Solde au {{date statement.to}}',
    portal: 'Votre espace : tout ce que vous devez, régler en ligne ou nous signaler un paiement',
    instructions: 'Pour régler',
    outro: [
      'Si vous avez déjà réglé, merci, et ne tenez pas compte de ce relevé.',
      'Pour toute question sur ce relevé, répondez simplement à cet e-mail{{#if creditor.contact_phone}} ou appelez-nous au {{creditor.contact_phone}}{{/if}}.',
    ],
    signoff: 'Cordialement,',
  },
  en: {
    lang: 'en',
    subject: '{{creditor.name}}: your statement of account at {{date statement.to}}',
    greeting: '{{#if customer.contact_name}}Hello {{customer.contact_name}},{{else}}Hello,{{/if}}',
    intro:
      'Please find attached your statement of account from {{date statement.from}} to {{date statement.to}}: the invoices, fees and payments of the period, and what is still owed.',
    balances: 'Balance at {{date statement.to}}',
    portal: 'Your account: all you owe, pay, or tell us you have paid',
    instructions: 'How to pay',
    outro: [
      'If you have already paid, thank you, and please disregard this statement.',
      'If you have any question about this statement, simply reply to this email{{#if creditor.contact_phone}} or call us on {{creditor.contact_phone}}{{/if}}.',
    ],
    signoff: 'Kind regards,',
  },
};

const P = 'margin:0 0 16px';

function build(copy: StatementCopy): TemplateSource {
  const colon = copy.lang === 'fr' ? '\u00a0:' : ':';
  const text = `${[
    copy.greeting,
    copy.intro,
    `${copy.balances}${colon}\n{{#each statement.balances}}\n- {{money this.amount this.currency}}\n{{/each}}`,
    `{{#if creditor.payment_instructions}}\n${copy.instructions}${colon}\n{{creditor.payment_instructions}}\n{{/if}}`,
    `{{#if portal_url}}\n${copy.portal}${colon} {{portal_url}}\n{{/if}}`,
    ...copy.outro,
    `${copy.signoff}\n{{creditor.sender_name}}`,
    '{{#if creditor.identity}}\n--\n{{creditor.identity}}\n{{/if}}',
  ].join('\n\n')}\n`;
  const html = emailShell(
    copy.lang,
    copy.signoff,
    `<p style="${P}">${copy.greeting}</p>
<p style="${P}">${copy.intro}</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px">
{{#each statement.balances}}<tr><td style="padding:4px 24px 4px 0;color:#555555;vertical-align:top">${copy.balances.replace('statement.to', '@root.statement.to')}</td><td style="padding:4px 0;vertical-align:top"><strong>{{money this.amount this.currency}}</strong></td></tr>{{/each}}
</table>
{{#if creditor.payment_instructions}}<p style="${P}">${copy.instructions}${colon}<br><span style="white-space:pre-line">{{creditor.payment_instructions}}</span></p>{{/if}}
{{#if portal_url}}<p style="${P}"><a href="{{portal_url}}" style="color:#1d4ed8">${copy.portal}</a></p>{{/if}}
${copy.outro.map((p) => `<p style="${P}">${p}</p>`).join('\n')}
`,
  );
  const source = { subject: copy.subject, html, text };
  if (copy.lang !== 'fr') return source;
  return { subject: frenchSpacing(source.subject), html: frenchSpacing(source.html), text: frenchSpacing(source.text) };
}

/** The statement email's default template per language. */
export const STATEMENT_TEMPLATES: Readonly<Record<'fr' | 'en', TemplateSource>> = Object.freeze({
  fr: Object.freeze(build(COPY.fr)),
  en: Object.freeze(build(COPY.en)),
});
