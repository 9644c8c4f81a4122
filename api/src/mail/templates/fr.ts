/**
 * Modèles français par défaut, un par étape du calendrier de relance : d'un rappel courtois
 * avant l'échéance à un dernier rappel ferme, jamais agressif. Vouvoiement ; « Madame,
 * Monsieur » quand le client n'a pas de nom de contact.
 */
import type { TemplateSource } from '../render.ts';
import { buildTemplate, type Fact, type FactList, type MessageCopy } from './layout.ts';

const greeting = '{{#if customer.contact_name}}Bonjour {{customer.contact_name}},{{else}}Madame, Monsieur,{{/if}}';
const about = '{{#if invoice.description}} ({{invoice.description}}){{/if}}';
const daysOverdue = '{{invoice.days_overdue}} {{plural invoice.days_overdue "jour" "jours"}}';
const includingFees =
  '{{#if invoice.late_fees}}, dont {{money invoice.late_fees}} de pénalités et frais de retard{{/if}}';

function facts(late: boolean): Array<Fact | FactList> {
  return [
    { label: 'Facture', value: `{{invoice.number}}${about}` },
    { label: 'Émise le', value: '{{date invoice.issue_date}}' },
    { label: 'Échéance', value: '{{date invoice.due_date}}' },
    ...(late ? [{ label: 'Jours de retard', value: '{{invoice.days_overdue}}' }] : []),
    { label: 'Montant de la facture', value: '{{money invoice.total}}' },
    { label: 'Déjà réglé', value: '{{money invoice.amount_paid}}', if: 'invoice.amount_paid' },
    { label: 'Avoirs', value: '{{money invoice.amount_credited}}', if: 'invoice.amount_credited' },
    {
      label: 'Pénalités et frais de retard',
      value: '{{money invoice.late_fees}}',
      if: 'invoice.late_fees',
      unless: 'invoice.fee_parts',
    },
    { each: 'invoice.fee_parts' },
    {
      label: 'Échéance {{installment.number}} sur {{installment.count}}, au {{date installment.due_date}}',
      value: '{{money installment.amount_due}}',
      if: 'installment',
      strong: true,
    },
    { label: late ? 'Montant dû à ce jour' : 'Montant à régler', value: '{{money invoice.total_due}}', strong: true },
  ];
}

const payment = {
  link: 'Régler la facture {{invoice.number}} en ligne',
  instructions: 'Modalités de règlement',
  copy: 'Télécharger la facture',
  portal: 'Votre compte : tout ce qui reste dû, régler, ou nous signaler un paiement',
};
const alreadyPaid =
  'Si vous avez déjà procédé au règlement, nous vous en remercions et vous prions de ne pas tenir compte de ce message.';
const questions =
  'Pour toute question sur cette facture, répondez simplement à ce message{{#if creditor.contact_phone}} ou appelez-nous au {{creditor.contact_phone}}{{/if}}.';

const copies: Record<string, MessageCopy> = {
  before_due: {
    lang: 'fr',
    subject:
      '{{creditor.name}} : facture {{invoice.number}}{{#if invoice.description}} ({{invoice.description}}){{/if}} à régler le {{date invoice.due_date}}',
    greeting,
    intro: [
      'Nous nous permettons de vous rappeler que la facture {{invoice.number}}, émise le {{date invoice.issue_date}}, arrive à échéance le ' +
        '{{date invoice.due_date}}{{#if invoice.days_until_due}}, dans {{invoice.days_until_due}} {{plural invoice.days_until_due "jour" "jours"}}{{/if}}.',
    ],
    facts: facts(false),
    payment,
    outro: [alreadyPaid, questions, 'Nous vous remercions de votre confiance.'],
    signoff: 'Cordialement,',
  },
  due_today: {
    lang: 'fr',
    // Moved past the due date (a weekend, a holiday), the message speaks of a date already passed.
    subject:
      '{{creditor.name}} : facture {{invoice.number}}{{#if invoice.description}} ({{invoice.description}}){{/if}} {{#if invoice.days_overdue}}échue le {{date invoice.due_date "full"}}{{else}}à régler aujourd\'hui{{/if}}',
    greeting,
    intro: [
      '{{#if invoice.days_overdue}}Un petit rappel : la facture {{invoice.number}}, émise le {{date invoice.issue_date}}, est arrivée à échéance le {{date invoice.due_date "full"}}.{{else}}Un petit rappel : la facture {{invoice.number}}, émise le {{date invoice.issue_date}}, arrive à échéance aujourd\'hui, {{date invoice.due_date}}.{{/if}}',
    ],
    facts: facts(false),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Cordialement,',
  },
  first_overdue: {
    lang: 'fr',
    // The first message about an invoice already late (registered late, a backlog imported, a
    // long pause): the facts only, never "despite our reminders".
    subject: `{{creditor.name}} : facture {{invoice.number}} en retard de ${daysOverdue}, {{money invoice.total_due}} à régler`,
    greeting,
    intro: [
      `Sauf erreur de notre part, la facture {{invoice.number}}${about}, émise le {{date invoice.issue_date}} et échue le {{date invoice.due_date}}, n'a pas encore été réglée : elle est en retard de ${daysOverdue}.`,
      `Le montant dû à ce jour s'élève à {{money invoice.total_due}}${includingFees}. Nous vous remercions de bien vouloir procéder à son règlement, ou de nous indiquer par retour la date à laquelle il interviendra.`,
      'Si un élément de cette facture vous semble inexact, dites-le-nous et nous la corrigerons.',
    ],
    facts: facts(true),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Cordialement,',
  },
  overdue_friendly: {
    lang: 'fr',
    subject: "{{creditor.name}} : facture {{invoice.number}} en retard, l'avez-vous bien reçue ?",
    greeting,
    intro: [
      `Sauf erreur de notre part, nous n'avons pas encore reçu le règlement de la facture {{invoice.number}}, émise le {{date invoice.issue_date}} et échue le {{date invoice.due_date}} : elle est en retard de ${daysOverdue}.`,
      "Peut-être ne vous est-elle pas parvenue : l'avez-vous bien reçue ? Si un élément manque ou vous semble inexact, dites-le-nous et nous la corrigerons.",
      `Le montant dû à ce jour s'élève à {{money invoice.total_due}}${includingFees}.`,
    ],
    facts: facts(true),
    payment,
    outro: [alreadyPaid, questions],
    signoff: 'Cordialement,',
  },
  overdue_firm: {
    lang: 'fr',
    subject: `{{creditor.name}} : facture {{invoice.number}} en retard de ${daysOverdue}, {{money invoice.total_due}} à régler`,
    greeting,
    intro: [
      `Malgré nos précédents rappels, la facture {{invoice.number}}, échue le {{date invoice.due_date}}, reste impayée à ce jour : elle est en retard de ${daysOverdue}.`,
      `Le montant dû s'élève désormais à {{money invoice.total_due}}${includingFees}. Nous vous demandons de procéder à son règlement sans plus attendre, ou de nous indiquer par retour la date à laquelle il interviendra.`,
    ],
    facts: facts(true),
    payment,
    outro: [
      alreadyPaid,
      'Si une difficulté vous empêche de régler cette facture, contactez-nous dès maintenant{{#if creditor.contact_phone}} au {{creditor.contact_phone}}{{/if}} : nous préférons trouver une solution avec vous.',
    ],
    signoff: 'Cordialement,',
  },
  final_notice: {
    lang: 'fr',
    subject: `Dernier rappel – {{creditor.name}} : facture {{invoice.number}} en retard de ${daysOverdue}`,
    greeting,
    intro: [
      `Malgré nos relances, la facture {{invoice.number}}, échue le {{date invoice.due_date}}, demeure impayée : elle est en retard de ${daysOverdue}.`,
      `Le montant dû s'élève à {{money invoice.total_due}}${includingFees}.`,
      {
        if: 'invoice.late_fees',
        text: 'Les pénalités et frais de retard ont été appliqués conformément à nos conditions de paiement.',
      },
      'Nous vous prions de bien vouloir régulariser cette situation dans les plus brefs délais et, en tout état de cause, de nous faire savoir où en est ce règlement en répondant à ce message.',
      "Si vous rencontrez des difficultés, nous sommes disposés à convenir avec vous d'un échéancier de paiement : répondez à ce message{{#if creditor.contact_phone}} ou appelez-nous au {{creditor.contact_phone}}{{/if}} pour en discuter.",
    ],
    facts: facts(true),
    payment,
    outro: [
      alreadyPaid,
      "À défaut de règlement ou de réponse de votre part, nous serons contraints d'engager d'autres démarches pour recouvrer cette somme.",
    ],
    signoff: "Nous vous prions d'agréer nos salutations distinguées.",
  },
};

export const FR_TEMPLATES: Record<string, TemplateSource> = Object.fromEntries(
  Object.entries(copies).map(([key, copy]) => [key, buildTemplate(copy)]),
);
