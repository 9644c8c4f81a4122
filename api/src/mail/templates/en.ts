/**
 * Default English templates, one per step of the seed schedule. The tone rises from a courteous
 * notice before the due date to a firm final notice, never aggressive.
 */
import type { TemplateSource } from '../render.ts';
import { buildTemplate, type Fact, type FactList, type MessageCopy } from './layout.ts';

const helloGreeting = '{{#if customer.contact_name}}Hello {{customer.contact_name}},{{else}}Hello,{{/if}}';
const dearGreeting = '{{#if customer.contact_name}}Dear {{customer.contact_name}},{{else}}Dear Sir or Madam,{{/if}}';
const about = '{{#if invoice.description}} ({{invoice.description}}){{/if}}';
const daysOverdue = '{{invoice.days_overdue}} {{plural invoice.days_overdue "day" "days"}}';
const includingFees = '{{#if invoice.late_fees}}, including {{money invoice.late_fees}} of late fees{{/if}}';

function facts(late: boolean): Array<Fact | FactList> {
  return [
    { label: 'Invoice', value: `{{invoice.number}}${about}` },
    { label: 'Sent on', value: '{{date invoice.issue_date}}' },
    { label: 'Due date', value: '{{date invoice.due_date}}' },
    ...(late ? [{ label: 'Days overdue', value: '{{invoice.days_overdue}}' }] : []),
    { label: 'Invoice total', value: '{{money invoice.total}}' },
    { label: 'Already paid', value: '{{money invoice.amount_paid}}', if: 'invoice.amount_paid' },
    { label: 'Credited', value: '{{money invoice.amount_credited}}', if: 'invoice.amount_credited' },
    { label: 'Late fees', value: '{{money invoice.late_fees}}', if: 'invoice.late_fees', unless: 'invoice.fee_parts' },
    { each: 'invoice.fee_parts' },
    {
      label: 'Installment {{installment.number}} of {{installment.count}}, due {{date installment.due_date}}',
      value: '{{money installment.amount_due}}',
      if: 'installment',
      strong: true,
    },
    { label: late ? 'Amount now due' : 'Amount due', value: '{{money invoice.total_due}}', strong: true },
  ];
}

const payment = {
  link: 'Pay invoice {{invoice.number}} online',
  instructions: 'How to pay',
  copy: 'Download a copy of the invoice',
  portal: 'Your account: all you owe, pay, or tell us you have paid',
};
const alreadyPaid = 'If you have already paid, thank you, and please ignore this message.';
const questions =
  'If you have any question about this invoice, simply reply to this email{{#if creditor.contact_phone}} or call us on {{creditor.contact_phone}}{{/if}}.';

const copies: Record<string, MessageCopy> = {
  before_due: {
    lang: 'en',
    subject:
      '{{creditor.name}}: invoice {{invoice.number}}{{#if invoice.description}} ({{invoice.description}}){{/if}} is due on {{date invoice.due_date}}',
    greeting: helloGreeting,
    intro: [
      'This is a courtesy reminder that invoice {{invoice.number}}, sent on {{date invoice.issue_date}}, is due on ' +
        '{{date invoice.due_date}}{{#if invoice.days_until_due}}, in {{invoice.days_until_due}} {{plural invoice.days_until_due "day" "days"}}{{/if}}.',
    ],
    facts: facts(false),
    payment,
    outro: [alreadyPaid, questions, 'Thank you for your business.'],
    signoff: 'Kind regards,',
  },
  due_today: {
    lang: 'en',
    // Moved past the due date (a weekend, a holiday), the message speaks of a date already passed.
    subject:
      '{{creditor.name}}: invoice {{invoice.number}}{{#if invoice.description}} ({{invoice.description}}){{/if}} {{#if invoice.days_overdue}}was due on {{date invoice.due_date "full"}}{{else}}is due today{{/if}}',
    greeting: helloGreeting,
    intro: [
      '{{#if invoice.days_overdue}}A quick reminder that invoice {{invoice.number}}, sent on {{date invoice.issue_date}}, fell due on {{date invoice.due_date "full"}}.{{else}}A quick reminder that invoice {{invoice.number}}, sent on {{date invoice.issue_date}}, is due today, {{date invoice.due_date}}.{{/if}}',
    ],
    facts: facts(false),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Kind regards,',
  },
  first_overdue: {
    lang: 'en',
    // The first message about an invoice already late (registered late, a backlog imported, a
    // long pause): the facts only, never "despite our reminders".
    subject: `{{creditor.name}}: invoice {{invoice.number}} is ${daysOverdue} overdue, {{money invoice.total_due}} due`,
    greeting: helloGreeting,
    intro: [
      `According to our records, invoice {{invoice.number}}${about}, sent on {{date invoice.issue_date}} and due on {{date invoice.due_date}}, has not been paid yet: it is now ${daysOverdue} overdue.`,
      `The amount now due is {{money invoice.total_due}}${includingFees}. Please pay it at your earliest convenience, or tell us by return when payment will be made.`,
      'If anything on this invoice looks wrong, let us know and we will correct it.',
    ],
    facts: facts(true),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Kind regards,',
  },
  overdue_friendly: {
    lang: 'en',
    subject: '{{creditor.name}}: invoice {{invoice.number}} is overdue. Did you receive it?',
    greeting: helloGreeting,
    intro: [
      `We have not yet received payment for invoice {{invoice.number}}, sent on {{date invoice.issue_date}} and due on {{date invoice.due_date}}: it is now ${daysOverdue} overdue.`,
      'It may simply have gone astray: did you receive it? If anything is missing or wrong on it, let us know and we will sort it out.',
      `The amount now due is {{money invoice.total_due}}${includingFees}.`,
    ],
    facts: facts(true),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Kind regards,',
  },
  overdue_firm: {
    lang: 'en',
    subject: `{{creditor.name}}: invoice {{invoice.number}} overdue for ${daysOverdue}, {{money invoice.total_due}} due`,
    greeting: dearGreeting,
    intro: [
      `Despite our previous reminders, invoice {{invoice.number}}, due on {{date invoice.due_date}}, remains unpaid: it is now ${daysOverdue} overdue.`,
      `The amount now due is {{money invoice.total_due}}${includingFees}. Please pay it without further delay, or tell us by return when payment will be made.`,
    ],
    facts: facts(true),
    payment,
    outro: [
      alreadyPaid,
      'If something prevents you from paying, please contact us now{{#if creditor.contact_phone}} on {{creditor.contact_phone}}{{/if}}: we would rather find a solution with you.',
    ],
    signoff: 'Regards,',
  },
  final_notice: {
    lang: 'en',
    subject: `Final notice: {{creditor.name}} invoice {{invoice.number}} overdue for ${daysOverdue}`,
    greeting: dearGreeting,
    intro: [
      `Invoice {{invoice.number}}, due on {{date invoice.due_date}}, is now ${daysOverdue} overdue and remains unpaid despite our reminders.`,
      `The amount now due is {{money invoice.total_due}}${includingFees}.`,
      { if: 'invoice.late_fees', text: 'Late fees have been added to the invoice as set out in our payment terms.' },
      'We ask you to settle this amount promptly and, in any case, to tell us where payment stands by replying to this email.',
      'If you are facing difficulties, we are open to agreeing on a payment plan: reply to this email{{#if creditor.contact_phone}} or call us on {{creditor.contact_phone}}{{/if}} to discuss it.',
    ],
    facts: facts(true),
    payment,
    outro: [
      alreadyPaid,
      'Without payment or an answer from you, we will have to take further steps to recover this amount.',
    ],
    signoff: 'Regards,',
  },
};

export const EN_TEMPLATES: Record<string, TemplateSource> = Object.fromEntries(
  Object.entries(copies).map(([key, copy]) => [key, buildTemplate(copy)]),
);
