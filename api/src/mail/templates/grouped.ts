/**
 * The default `grouped` template: one message listing a customer's invoices whose reminders fall
 * due on the same day (a policy's `grouping: "customer"`, docs/reminders.md#one-message-per-customer).
 * Its tone is that of the most advanced step among them (`tone.*`); it speaks of earlier
 * reminders only when one of the invoices listed had one (`group.reminded_before`), and each line
 * says whether its invoice was reminded before.
 */
import type { TemplateLocale } from '../context.ts';
import type { TemplateSource } from '../render.ts';
import { emailShell, frenchSpacing } from './layout.ts';

interface GroupedCopy {
  lang: TemplateLocale;
  subject: string;
  greeting: string;
  /** One paragraph per tone, most advanced first (an `else if` chain). */
  intro: { final: string; firm: string; overdue: string; first_overdue: string; due_today: string; before_due: string };
  columns: { invoice: string; due: string; late: string; amount: string };
  /** The state of one line: "12 days late", "due in 3 days", "due today". */
  late: string;
  remindedBefore: string;
  total: string;
  includingFees: string;
  pay: string;
  instructions: string;
  portal: string;
  outro: string[];
  signoff: string;
}

const EN: GroupedCopy = {
  lang: 'en',
  subject:
    '{{#if tone.final}}Final notice: {{else if tone.firm}}Reminder: {{/if}}{{creditor.name}}, {{group.count}} {{plural group.count "invoice" "invoices"}}' +
    '{{#if group.overdue_count}}, {{group.overdue_count}} overdue{{else if tone.before_due}} due soon{{else}} due{{/if}}: ' +
    '{{#each totals}}{{money this.total_due this.currency}}{{#unless @last}} + {{/unless}}{{/each}}',
  greeting:
    '{{#if tone.firm}}{{#if customer.contact_name}}Dear {{customer.contact_name}},{{else}}Dear Sir or Madam,{{/if}}{{else if tone.final}}{{#if customer.contact_name}}Dear {{customer.contact_name}},{{else}}Dear Sir or Madam,{{/if}}{{else}}{{#if customer.contact_name}}Hello {{customer.contact_name}},{{else}}Hello,{{/if}}{{/if}}',
  intro: {
    final:
      '{{#if group.reminded_before}}Despite our reminders, the invoices below remain unpaid.{{else}}The invoices below remain unpaid.{{/if}} ' +
      'We ask you to settle them promptly and, in any case, to tell us where payment stands by replying to this email. ' +
      'Without payment or an answer from you, we will have to take further steps to recover these amounts.',
    firm:
      '{{#if group.reminded_before}}We have already written to you about some of the invoices below, and they remain unpaid.{{else}}The invoices below remain unpaid.{{/if}} ' +
      'Please pay them without further delay, or tell us by return when payment will be made.',
    overdue:
      'We have not yet received payment for the invoices below; {{group.overdue_count}} of them {{plural group.overdue_count "is" "are"}} past the due date. ' +
      'If any of them looks wrong or did not reach you, let us know and we will sort it out.',
    first_overdue:
      'According to our records, the invoices below have not been paid yet; {{group.overdue_count}} of them {{plural group.overdue_count "is" "are"}} past the due date. ' +
      'If any of them looks wrong, let us know and we will correct it.',
    due_today: 'A quick reminder of the invoices below, which are now due.',
    before_due: 'This is a courtesy reminder of the invoices below, which fall due soon.',
  },
  columns: { invoice: 'Invoice', due: 'Due date', late: 'Status', amount: 'Amount due' },
  late: '{{#if this.days_overdue}}{{this.days_overdue}} {{plural this.days_overdue "day" "days"}} overdue{{else if this.days_until_due}}due in {{this.days_until_due}} {{plural this.days_until_due "day" "days"}}{{else}}due today{{/if}}',
  remindedBefore: 'reminded before',
  total: 'Total due',
  includingFees: 'including {{money this.late_fees this.currency}} of late fees',
  pay: 'Pay online',
  instructions: 'How to pay',
  portal: 'Your account: all you owe, pay, or tell us you have paid',
  outro: [
    'If you have already paid, thank you, and please ignore this message.',
    'If you have any question, simply reply to this email{{#if creditor.contact_phone}} or call us on {{creditor.contact_phone}}{{/if}}.',
  ],
  signoff: '{{#if tone.firm}}Regards,{{else if tone.final}}Regards,{{else}}Kind regards,{{/if}}',
};

const FR: GroupedCopy = {
  lang: 'fr',
  subject:
    '{{#if tone.final}}Dernier rappel – {{else if tone.firm}}Rappel – {{/if}}{{creditor.name}} : {{group.count}} {{plural group.count "facture" "factures"}}' +
    '{{#if group.overdue_count}}, dont {{group.overdue_count}} en retard{{else if tone.before_due}} à échéance prochaine{{else}} à régler{{/if}} : ' +
    '{{#each totals}}{{money this.total_due this.currency}}{{#unless @last}} + {{/unless}}{{/each}}',
  greeting: '{{#if customer.contact_name}}Bonjour {{customer.contact_name}},{{else}}Madame, Monsieur,{{/if}}',
  intro: {
    final:
      '{{#if group.reminded_before}}Malgré nos relances, les factures ci-dessous restent impayées.{{else}}Les factures ci-dessous restent impayées.{{/if}} ' +
      'Nous vous demandons de les régler dans les meilleurs délais et, en tout état de cause, de nous indiquer où en est le règlement en répondant à ce message. ' +
      'Sans règlement ni réponse de votre part, nous devrons engager d’autres démarches pour recouvrer ces sommes.',
    firm:
      '{{#if group.reminded_before}}Nous vous avons déjà écrit au sujet de certaines des factures ci-dessous, qui restent impayées.{{else}}Les factures ci-dessous restent impayées.{{/if}} ' +
      'Merci de les régler sans attendre, ou de nous indiquer par retour la date du règlement.',
    overdue:
      'Sauf erreur de notre part, nous n’avons pas encore reçu le règlement des factures ci-dessous ; {{group.overdue_count}} {{plural group.overdue_count "a dépassé" "ont dépassé"}} la date d’échéance. ' +
      'Si l’une d’elles vous semble erronée ou ne vous est pas parvenue, dites-le-nous.',
    first_overdue:
      'D’après nos comptes, les factures ci-dessous ne sont pas encore réglées ; {{group.overdue_count}} {{plural group.overdue_count "a dépassé" "ont dépassé"}} la date d’échéance. ' +
      'Si l’une d’elles vous semble erronée, dites-le-nous et nous la corrigerons.',
    due_today: 'Un petit rappel des factures ci-dessous, qui arrivent à échéance.',
    before_due: 'Nous vous rappelons que les factures ci-dessous arrivent prochainement à échéance.',
  },
  columns: { invoice: 'Facture', due: 'Échéance', late: 'État', amount: 'Reste à payer' },
  late: '{{#if this.days_overdue}}en retard de {{this.days_overdue}} {{plural this.days_overdue "jour" "jours"}}{{else if this.days_until_due}}échéance dans {{this.days_until_due}} {{plural this.days_until_due "jour" "jours"}}{{else}}échéance aujourd’hui{{/if}}',
  remindedBefore: 'déjà relancée',
  total: 'Total à régler',
  includingFees: 'dont {{money this.late_fees this.currency}} de pénalités de retard',
  pay: 'Payer en ligne',
  instructions: 'Modalités de paiement',
  portal: 'Votre espace : tout ce qui reste dû, payer, ou nous signaler un règlement',
  outro: [
    'Si vous avez déjà effectué le règlement, nous vous en remercions et vous prions de ne pas tenir compte de ce message.',
    'Pour toute question, il vous suffit de répondre à ce message{{#if creditor.contact_phone}} ou de nous appeler au {{creditor.contact_phone}}{{/if}}.',
  ],
  signoff: 'Cordialement,',
};

const P = 'margin:0 0 16px';
const TH = 'padding:6px 12px 6px 0;text-align:left;border-bottom:1px solid #e5e7eb;color:#555555;font-weight:normal';
const TD = 'padding:6px 12px 6px 0;vertical-align:top;border-bottom:1px solid #f1f1f1';

const intro = (c: GroupedCopy) =>
  `{{#if tone.final}}${c.intro.final}{{else if tone.firm}}${c.intro.firm}{{else if tone.overdue}}${c.intro.overdue}{{else if tone.first_overdue}}${c.intro.first_overdue}{{else if tone.due_today}}${c.intro.due_today}{{else}}${c.intro.before_due}{{/if}}`;

function html(c: GroupedCopy): string {
  const colon = c.lang === 'fr' ? '\u00a0:' : ':';
  return emailShell(
    c.lang,
    c.signoff,
    `<p style="${P}">${c.greeting}</p>
<p style="${P}">${intro(c)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px;width:100%">
<tr><th style="${TH}">${c.columns.invoice}</th><th style="${TH}">${c.columns.due}</th><th style="${TH}">${c.columns.late}</th><th style="${TH};padding-right:0;text-align:right">${c.columns.amount}</th></tr>
{{#each invoices}}<tr><td style="${TD}">{{#if this.payment_url}}<a href="{{this.payment_url}}" style="color:#1d4ed8">{{this.number}}</a>{{else}}{{this.number}}{{/if}}{{#if this.description}}<br><span style="color:#6b7280;font-size:13px">{{this.description}}</span>{{/if}}</td><td style="${TD}">{{date this.due_date}}</td><td style="${TD}">${c.late}{{#if this.reminded_before}}<br><span style="color:#6b7280;font-size:13px">${c.remindedBefore}</span>{{/if}}</td><td style="${TD};padding-right:0;text-align:right;white-space:nowrap">{{money this.total_due this.currency}}{{#if this.late_fees}}<br><span style="color:#6b7280;font-size:13px">${c.includingFees}</span>{{/if}}</td></tr>
{{/each}}
{{#each totals}}<tr><td style="padding:8px 12px 4px 0" colspan="3"><strong>${c.total}{{#if this.late_fees}} (${c.includingFees}){{/if}}</strong></td><td style="padding:8px 0 4px;text-align:right;white-space:nowrap"><strong>{{money this.total_due this.currency}}</strong></td></tr>
{{/each}}
</table>
{{#if portal_url}}<p style="${P}"><a href="{{portal_url}}" style="display:inline-block;padding:10px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${c.portal}</a></p>{{/if}}
{{#if creditor.payment_instructions}}<p style="${P}">${c.instructions}${colon}<br><span style="white-space:pre-line">{{creditor.payment_instructions}}</span></p>{{/if}}
${c.outro.map((p) => `<p style="${P}">${p}</p>`).join('\n')}
`,
    600,
  );
}

function text(c: GroupedCopy): string {
  const colon = c.lang === 'fr' ? '\u00a0:' : ':';
  const lines =
    '{{#each invoices}}\n' +
    `- {{this.number}}{{#if this.description}} ({{this.description}}){{/if}}, ${c.columns.due.toLowerCase()} {{date this.due_date}}, ${c.late}` +
    `{{#if this.reminded_before}} (${c.remindedBefore}){{/if}}${colon} {{money this.total_due this.currency}}` +
    `{{#if this.late_fees}} (${c.includingFees}){{/if}}{{#if this.payment_url}}\n  ${c.pay}${colon} {{this.payment_url}}{{/if}}\n` +
    '{{/each}}';
  const totals = `{{#each totals}}\n${c.total}${colon} {{money this.total_due this.currency}}\n{{/each}}`;
  return `${[
    c.greeting,
    intro(c),
    lines,
    totals,
    `{{#if portal_url}}\n${c.portal}${colon} {{portal_url}}\n{{/if}}`,
    `{{#if creditor.payment_instructions}}\n${c.instructions}${colon}\n{{creditor.payment_instructions}}\n{{/if}}`,
    ...c.outro,
    `${c.signoff}\n{{creditor.sender_name}}`,
    '{{#if creditor.identity}}\n--\n{{creditor.identity}}\n{{/if}}',
  ].join('\n\n')}\n`;
}

function build(c: GroupedCopy): TemplateSource {
  const source = { subject: c.subject, html: html(c), text: text(c) };
  if (c.lang !== 'fr') return source;
  return { subject: frenchSpacing(source.subject), html: frenchSpacing(source.html), text: frenchSpacing(source.text) };
}

/** The key of the grouped message's template. */
export const GROUPED_TEMPLATE_KEY = 'grouped';

export const GROUPED_TEMPLATES: Readonly<Record<TemplateLocale, TemplateSource>> = Object.freeze({
  fr: Object.freeze(build(FR)),
  en: Object.freeze(build(EN)),
});

const totals = '{{#each totals}}{{money this.total_due this.currency}}{{#unless @last}} + {{/unless}}{{/each}}';
const link = '{{#if portal_url}} {{portal_url}}{{/if}}';

/** The grouped text message: how many invoices, how much, one link (the customer's page). GSM-7 only. */
export const GROUPED_SMS: Readonly<Record<TemplateLocale, string>> = Object.freeze({
  fr: `{{creditor.name}} : {{group.count}} factures à régler{{#if group.overdue_count}}, dont {{group.overdue_count}} en retard{{/if}}. Total : ${totals}.${link}`,
  en: `{{creditor.name}}: {{group.count}} invoices to pay{{#if group.overdue_count}}, {{group.overdue_count}} overdue{{/if}}. Total: ${totals}.${link}`,
});
