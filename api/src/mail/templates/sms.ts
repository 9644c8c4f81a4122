/**
 * Relance's text messages, one per default step and locale: who writes, the invoice, what is
 * due, how late, and one link (the customer's page, else the invoice's payment page). Written in
 * GSM-7 characters (no ê, ç, ô…) so that each fits one or two segments of 153–160 characters
 * (see sms/segments.ts); `first_overdue` never speaks of earlier reminders.
 */
import type { TemplateLocale } from '../context.ts';

const link = '{{#if portal_url}} {{portal_url}}{{else if invoice.payment_url}} {{invoice.payment_url}}{{/if}}';

const FR_DAYS = '{{invoice.days_overdue}} {{plural invoice.days_overdue "jour" "jours"}}';
const EN_DAYS = '{{invoice.days_overdue}} {{plural invoice.days_overdue "day" "days"}}';

export const SMS_TEMPLATES: Readonly<Record<TemplateLocale, Readonly<Record<string, string>>>> = Object.freeze({
  fr: Object.freeze({
    before_due: `{{creditor.name}} : la facture {{invoice.number}} ({{money invoice.total_due}}) arrive à échéance le {{date invoice.due_date}}.${link}`,
    due_today: `{{creditor.name}} : la facture {{invoice.number}} ({{money invoice.total_due}}) {{#if invoice.days_overdue}}est échue depuis le {{date invoice.due_date "full"}}{{else}}arrive à échéance aujourd'hui{{/if}}.${link}`,
    first_overdue: `{{creditor.name}} : sauf erreur, la facture {{invoice.number}} échue le {{date invoice.due_date}} n'est pas réglée (${FR_DAYS} de retard). Reste à payer : {{money invoice.total_due}}.${link}`,
    overdue_friendly: `{{creditor.name}} : sauf erreur, la facture {{invoice.number}} est en retard de ${FR_DAYS}. Reste à payer : {{money invoice.total_due}}.${link}`,
    overdue_firm: `{{creditor.name}} : malgré nos rappels, la facture {{invoice.number}} reste impayée (${FR_DAYS} de retard). Merci de régler {{money invoice.total_due}} sans attendre.${link}`,
    final_notice: `{{creditor.name}} : dernier rappel. La facture {{invoice.number}} a ${FR_DAYS} de retard, {{money invoice.total_due}} à régler. Sans règlement, d'autres démarches suivront.${link}`,
  }),
  en: Object.freeze({
    before_due: `{{creditor.name}}: invoice {{invoice.number}} ({{money invoice.total_due}}) is due on {{date invoice.due_date}}.${link}`,
    due_today: `{{creditor.name}}: invoice {{invoice.number}} ({{money invoice.total_due}}) {{#if invoice.days_overdue}}has been due since {{date invoice.due_date "full"}}{{else}}is due today{{/if}}.${link}`,
    first_overdue: `{{creditor.name}}: our records show invoice {{invoice.number}}, due {{date invoice.due_date}}, unpaid (${EN_DAYS} late). Amount due: {{money invoice.total_due}}.${link}`,
    overdue_friendly: `{{creditor.name}}: invoice {{invoice.number}} is ${EN_DAYS} overdue. Amount due: {{money invoice.total_due}}.${link}`,
    overdue_firm: `{{creditor.name}}: despite our reminders, invoice {{invoice.number}} is still unpaid (${EN_DAYS} late). Please pay {{money invoice.total_due}} now.${link}`,
    final_notice: `{{creditor.name}}: final reminder. Invoice {{invoice.number}} is ${EN_DAYS} late, {{money invoice.total_due}} due. Without payment, further steps will follow.${link}`,
  }),
});
