/**
 * The debtor's page as HTML: server-rendered, no script, one inline style sheet whose hash the
 * Content-Security-Policy names, readable at 390 px. Pure: the route reads the overview and
 * hands it here.
 */
import { createHash } from 'node:crypto';
import { daysBetween } from '../domain/calendar.ts';
import { isChased } from '../domain/invoices/index.ts';
import { formatMoney } from '../domain/money.ts';
import type { PortalCreditor, PortalInvoicePage, PortalOverview } from '../domain/portal/index.ts';
import { feeLines, resolveTemplateLocale, type TemplateLocale } from '../mail/context.ts';
import { formatDate } from '../mail/render.ts';
import { frenchSpacing } from '../mail/templates/layout.ts';
import Handlebars from 'handlebars';

const TEXT = {
  en: {
    title: (creditor: string) => `Your account with ${creditor}`,
    hello: (name: string) => `Hello ${name},`,
    intro: 'Here is what remains to be paid, and what you paid over the last twelve months.',
    nothing: 'Nothing remains to be paid. Thank you.',
    totalDue: 'Total due',
    payAll: 'Pay everything',
    open: 'To pay',
    invoice: 'Invoice',
    issued: 'Issued',
    due: 'Due',
    late: (days: number) => (days === 1 ? '1 day late' : `${days} days late`),
    dueIn: 'Not yet due',
    amountDue: 'Amount due',
    ofWhichInvoice: 'Invoice balance',
    pay: 'Pay this invoice',
    pdf: 'Download the invoice',
    paid: 'Paid in the last 12 months',
    paidNone: 'No invoice paid in the last 12 months.',
    statement: 'Download your statement of account (PDF)',
    howToPay: 'How to pay',
    contact: 'Questions?',
    write: 'Write to us',
    call: 'Call us',
    invoicesDue: (n: number) => (n === 1 ? '1 invoice' : `${n} invoices`),
    answer: 'Reply about this invoice',
    details: (number: string) => `Invoice ${number}: details and answers`,
    back: 'Back to your account',
    detailsLink: 'Details, reply',
    claimTitle: 'I have already paid',
    claimDate: 'Paid on',
    claimAmount: 'Amount paid',
    claimReference: 'Transfer or cheque reference (optional)',
    claimSend: 'Tell us about my payment',
    promiseTitle: 'I will pay later',
    planTitle: 'Pay in installments',
    planCount: 'Number of monthly installments',
    planFirst: 'First installment on',
    planSend: 'Ask for this plan',
    planHint: 'Equal monthly installments of the amount due.',
    disputeTitle: 'Something is wrong with this invoice',
    messageTitle: 'Write to us',
    planHeading: 'Your payment plan',
    installment: (n: number) => `Installment ${n}`,
    installmentPaid: 'paid',
    installmentMissed: 'missed',
    claimed: (day: string) => `You told us you paid this invoice: we are checking. Reminders wait until ${day}.`,
    promised: (day: string) => `You promised to pay on ${day}.`,
    disputed: 'You disputed this invoice: reminders are stopped while it is looked into.',
    promiseLabel: 'I will pay it on',
    promiseSend: 'Record my promise',
    disputeLabel: 'What is wrong with it',
    disputeNote: 'Details (optional)',
    disputeSend: 'Dispute this invoice',
    messageLabel: 'Your message',
    messageSend: 'Send',
    done: {
      promise: 'Thank you: your promise to pay is recorded. Reminders about this invoice wait until then.',
      dispute: 'Your dispute is recorded: reminders about this invoice stop while it is looked into.',
      message: 'Your message was sent. Someone will get back to you.',
      claim: 'Thank you: we will check your payment. Reminders about this invoice wait meanwhile.',
      plan: 'Your payment plan is agreed: the installments are below. Reminders now follow them.',
      plan_request: 'Your request is sent: someone will get back to you about the plan.',
    },
    error: 'Your answer could not be recorded:',
    notFoundTitle: 'This link does not open any more',
    notFound:
      'The link may have been replaced by a newer one, or everything has been settled. Use the link in the latest message you received, or contact the sender.',
  },
  fr: {
    title: (creditor: string) => `Votre compte chez ${creditor}`,
    hello: (name: string) => `Bonjour ${name},`,
    intro: 'Voici ce qui reste à régler, et ce que vous avez réglé ces douze derniers mois.',
    nothing: 'Plus rien ne reste à régler. Merci.',
    totalDue: 'Total dû',
    payAll: 'Tout régler',
    open: 'À régler',
    invoice: 'Facture',
    issued: 'Émise le',
    due: 'Échéance',
    late: (days: number) => (days === 1 ? '1 jour de retard' : `${days} jours de retard`),
    dueIn: 'Pas encore échue',
    amountDue: 'Montant dû',
    ofWhichInvoice: 'Solde de la facture',
    pay: 'Régler cette facture',
    pdf: 'Télécharger la facture',
    paid: 'Réglées ces 12 derniers mois',
    paidNone: 'Aucune facture réglée ces 12 derniers mois.',
    statement: 'Télécharger votre relevé de compte (PDF)',
    howToPay: 'Modalités de règlement',
    contact: 'Une question ?',
    write: 'Nous écrire',
    call: 'Nous appeler',
    invoicesDue: (n: number) => (n === 1 ? '1 facture' : `${n} factures`),
    answer: 'Répondre au sujet de cette facture',
    details: (number: string) => `Facture ${number} : détail et réponses`,
    back: 'Retour à votre compte',
    detailsLink: 'Détail, répondre',
    claimTitle: 'J’ai déjà payé',
    claimDate: 'Payée le',
    claimAmount: 'Montant payé',
    claimReference: 'Référence du virement ou du chèque (facultatif)',
    claimSend: 'Signaler mon paiement',
    promiseTitle: 'Je paierai plus tard',
    planTitle: 'Payer en plusieurs fois',
    planCount: 'Nombre de mensualités',
    planFirst: 'Première mensualité le',
    planSend: 'Demander cet échéancier',
    planHint: 'Des mensualités égales du montant dû.',
    disputeTitle: 'Cette facture pose problème',
    messageTitle: 'Nous écrire',
    planHeading: 'Votre échéancier',
    installment: (n: number) => `Échéance ${n}`,
    installmentPaid: 'réglée',
    installmentMissed: 'manquée',
    claimed: (day: string) =>
      `Vous nous avez signalé le paiement de cette facture : nous le vérifions. Les relances attendent jusqu’au ${day}.`,
    promised: (day: string) => `Vous avez promis de payer le ${day}.`,
    disputed: 'Vous contestez cette facture : les relances sont suspendues pendant son examen.',
    promiseLabel: 'Je la réglerai le',
    promiseSend: 'Enregistrer ma promesse',
    disputeLabel: 'Ce qui ne va pas',
    disputeNote: 'Précisions (facultatif)',
    disputeSend: 'Contester la facture',
    messageLabel: 'Votre message',
    messageSend: 'Envoyer',
    done: {
      promise:
        'Merci : votre promesse de paiement est enregistrée. Les relances de cette facture attendent cette date.',
      dispute: 'Votre contestation est enregistrée : les relances de cette facture s’arrêtent pendant son examen.',
      message: 'Votre message est envoyé. Nous reviendrons vers vous.',
      claim: 'Merci : nous allons vérifier votre paiement. Les relances de cette facture sont suspendues d’ici là.',
      plan: 'Votre échéancier est accepté : les mensualités figurent ci-dessous. Les relances les suivent désormais.',
      plan_request: 'Votre demande est envoyée : nous reviendrons vers vous au sujet de l’échéancier.',
    },
    error: "Votre réponse n'a pas pu être enregistrée :",
    notFoundTitle: "Ce lien ne s'ouvre plus",
    notFound:
      'Il a peut-être été remplacé par un lien plus récent, ou tout a été réglé. Utilisez le lien du dernier message reçu, ou contactez l’expéditeur.',
  },
} as const;

/** HTML-escaped, as the email templates escape their variables. */
const esc = (value: string | number | null | undefined) => Handlebars.Utils.escapeExpression(String(value ?? ''));

/** French typography, as in the emails. */
const typeset = (text: string, locale: TemplateLocale) => (locale === 'fr' ? frenchSpacing(text) : text);

const DEFAULT_COLOUR = '#1d4ed8';

function styleSheet(colour: string): string {
  return `*{box-sizing:border-box}body{margin:0;background:#f4f4f5;color:#1f2937;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:760px;margin:0 auto;padding:16px}header{display:flex;align-items:center;gap:12px;padding:16px 0}
header img{max-height:48px;max-width:160px}header p{margin:0;font-weight:600}
h1{font-size:1.5rem;margin:8px 0 4px}h2{font-size:1.15rem;margin:28px 0 8px}h3{font-size:1.05rem;margin:0 0 4px}
section.card,article{background:#fff;border-radius:8px;padding:16px;margin:0 0 12px;border:1px solid #e5e7eb}
.totals{display:flex;flex-wrap:wrap;gap:12px}.total{flex:1 1 200px}.total strong{display:block;font-size:1.4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}dt{color:#4b5563}dd{margin:0;overflow-wrap:anywhere}
.late{color:#9f1239;font-weight:600}.fees dd,.fees dt{font-size:.9rem}
details{margin-top:12px}summary{cursor:pointer;color:${colour};font-weight:600}form{margin:12px 0;display:grid;gap:6px}
label{font-weight:600}input,textarea,select,button{font:inherit;padding:8px;border:1px solid #6b7280;border-radius:6px;max-width:100%}
button{background:${colour};color:#fff;border:0;font-weight:600;cursor:pointer;justify-self:start}
.notice{padding:12px 16px;border-radius:8px;margin:12px 0;background:#ecfdf5;border:1px solid #047857}
.notice.error{background:#fef2f2;border-color:#b91c1c}
a.button{display:inline-block;background:${colour};color:#fff;text-decoration:none;padding:10px 16px;border-radius:6px;font-weight:600;margin:8px 8px 0 0}
a{color:${colour}}a:focus,a.button:focus{outline:3px solid #111827;outline-offset:2px}
.muted{color:#4b5563}ul.paid{list-style:none;padding:0;margin:0}ul.paid li{padding:8px 0;border-bottom:1px solid #e5e7eb}ul.paid li:last-child{border-bottom:0}
table.card{width:100%;border-collapse:collapse;padding:0}th,td{text-align:left;vertical-align:top;padding:10px 12px;border-bottom:1px solid #e5e7eb}
thead th{font-size:.85rem;color:#4b5563}tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}.num{text-align:right}
a.small{font-size:.85rem;font-weight:400}th a:first-child{white-space:nowrap}section.card h2{margin-top:0}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){th,td{padding:8px 6px;font-size:.9rem}}
footer{color:#4b5563;font-size:.85rem;padding:24px 0}pre{white-space:pre-wrap;font:inherit;margin:0}`;
}

/** The page, and the Content-Security-Policy that goes with it (its style sheet's hash, the logo's origin). */
export interface RenderedPage {
  html: string;
  csp: string;
}

function policy(style: string, logoUrl: string | null): string {
  const hash = createHash('sha256').update(style, 'utf8').digest('base64');
  const images = ["'self'", 'data:'];
  if (logoUrl?.startsWith('https://')) images.push(new URL(logoUrl).origin);
  return [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    `img-src ${images.join(' ')}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function checkoutUrl(template: string, overview: PortalOverview, currency: string, amount: number): string {
  return template
    .replaceAll('{customer_id}', encodeURIComponent(overview.customer.id))
    .replaceAll('{customer_external_id}', encodeURIComponent(overview.customer.external_id ?? ''))
    .replaceAll('{currency}', encodeURIComponent(currency))
    .replaceAll('{amount}', String(amount));
}

/** What each answer's form says once it is recorded (`?done=`). */
export type Answer = 'promise' | 'dispute' | 'message' | 'claim' | 'plan' | 'plan_request';

export type Notice = { kind: 'done'; what: Answer } | { kind: 'error'; lines: string[] };

/** What the overview needs besides the data: where its links go, and what to tell the visitor. */
export interface PageOptions {
  statement: string;
  /** The page's own path (`/p/<token>`): invoice pages and forms are under it. */
  base: string;
  notice?: Notice | undefined;
}

/** What an invoice's page needs besides the data: its forms' anti-forgery values. */
export interface InvoicePageOptions {
  base: string;
  /** The anti-forgery value the visitor's cookie holds, repeated in each form. */
  csrf: string;
  /** A fresh id per form shown: a second submission of the same form does nothing more. */
  submission: () => string;
  notice?: Notice | undefined;
}

/** The language, formats and texts of a customer's pages. */
function speech(customer: { locale: string | null }, account: { locale: string }) {
  const locale = resolveTemplateLocale(customer.locale, account.locale);
  const format = customer.locale?.startsWith(locale) ? customer.locale : locale;
  return {
    locale,
    t: TEXT[locale],
    money: (minor: number, currency: string) => formatMoney(minor, currency, format),
    day: (d: string) => formatDate(d, format),
    format,
  };
}

type Speech = ReturnType<typeof speech>;

function noticeHtml(notice: Notice | undefined, { t, locale }: Speech): string {
  if (!notice) return '';
  return notice.kind === 'done'
    ? `<p class="notice" role="status">${esc(typeset(t.done[notice.what], locale))}</p>`
    : `<div class="notice error" role="alert"><p>${esc(typeset(t.error, locale))}</p><ul>${notice.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>`;
}

/** The frame of every page of a customer: the creditor's header, name, colour, contact and footer. */
function shell(account: PortalCreditor, say: Speech, title: string, body: string): RenderedPage {
  const { t, locale } = say;
  const style = styleSheet(account.brand_colour ?? DEFAULT_COLOUR);
  const colon = locale === 'fr' ? '\u00a0:' : ':';
  const contact = [
    account.contact_email
      ? `<p><a href="mailto:${esc(account.contact_email)}">${esc(t.write)}${colon} ${esc(account.contact_email)}</a></p>`
      : '',
    account.contact_phone
      ? `<p><a href="tel:${esc(account.contact_phone.replace(/\s/g, ''))}">${esc(t.call)}${colon} ${esc(account.contact_phone)}</a></p>`
      : '',
  ].join('');
  const html = `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
<header>${account.logo_url ? `<img src="${esc(account.logo_url)}" alt="${esc(account.name)}">` : ''}<p>${esc(account.name)}</p></header>
${body}
${account.payment_instructions ? `<h2>${esc(t.howToPay)}</h2>\n<section class="card"><pre>${esc(account.payment_instructions)}</pre></section>` : ''}
${contact ? `<h2>${esc(typeset(t.contact, locale))}</h2>\n<section class="card">${contact}</section>` : ''}
<footer>${esc(account.legal_name ?? account.name)}</footer>
</main>
</body>
</html>
`;
  return { html, csp: policy(style, account.logo_url) };
}

const lateness = (dueDate: string, today: string, { t }: Speech) => {
  const late = Math.max(0, daysBetween(dueDate, today));
  return late > 0 ? `<span class="late">${esc(t.late(late))}</span>` : esc(t.dueIn);
};

/**
 * The customer's page, in its language (the customer's locale, else the account's): the totals
 * per currency, one line per open invoice (its own page has the detail and the answers), the
 * invoices paid in 12 months, the statement. No form: it stays small for a customer with
 * hundreds of invoices.
 */
export function renderPortalPage(overview: PortalOverview, links: PageOptions): RenderedPage {
  const say = speech(overview.customer, overview.account);
  const { t, money, day } = say;
  const { account } = overview;

  const totals = new Map<string, { amount: number; count: number }>();
  for (const i of overview.open) {
    const entry = totals.get(i.currency) ?? { amount: 0, count: 0 };
    entry.amount += i.balance;
    entry.count += 1;
    totals.set(i.currency, entry);
  }
  const totalsHtml = [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([
        currency,
        total,
      ]) => `<div class="total"><span class="muted">${esc(t.totalDue)} · ${esc(t.invoicesDue(total.count))}</span>
<strong>${esc(money(total.amount, currency))}</strong>${
        account.checkout_url_template
          ? `<a class="button" href="${esc(checkoutUrl(account.checkout_url_template, overview, currency, total.amount))}" rel="noopener noreferrer">${esc(t.payAll)} (${esc(currency)})</a>`
          : ''
      }</div>`,
    )
    .join('\n');

  const rows = overview.open
    .map(
      (
        i,
      ) => `<tr><th scope="row"><a href="${esc(links.base)}/invoices/${esc(i.id)}">${esc(i.number)}</a><br><a class="small" href="${esc(links.base)}/invoices/${esc(i.id)}">${esc(t.detailsLink)}</a></th>
<td>${esc(day(i.due_date))}<br>${lateness(i.due_date, overview.today, say)}</td>
<td class="num"><strong>${esc(money(i.balance, i.currency))}</strong>${i.payment_url ? `<br><a href="${esc(i.payment_url)}" rel="noopener noreferrer">${esc(t.pay)}</a>` : ''}</td></tr>`,
    )
    .join('\n');
  const table = `<table class="card"><caption class="sr">${esc(t.open)}</caption>
<thead><tr><th scope="col">${esc(t.invoice)}</th><th scope="col">${esc(t.due)}</th><th scope="col" class="num">${esc(t.amountDue)}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;

  const paid =
    overview.paid.length === 0
      ? `<p class="muted">${esc(t.paidNone)}</p>`
      : `<ul class="paid">${overview.paid
          .map(
            (i) =>
              `<li>${esc(t.invoice)} ${esc(i.number)} · ${esc(money(i.total, i.currency))} · ${esc(t.issued.toLowerCase())} ${esc(day(i.issue_date))}</li>`,
          )
          .join('')}</ul>`;

  const body = `<h1>${esc(t.title(account.name))}</h1>
${noticeHtml(links.notice, say)}
<p>${esc(t.hello(overview.customer.name))}</p>
<p>${esc(overview.open.length > 0 ? t.intro : t.nothing)}</p>
${overview.open.length > 0 ? `<section class="card totals" aria-label="${esc(t.totalDue)}">${totalsHtml}</section>\n<h2>${esc(t.open)}</h2>\n${table}` : ''}
<h2>${esc(t.paid)}</h2>
<section class="card">${paid}</section>
<p><a href="${esc(links.statement)}">${esc(t.statement)}</a></p>`;
  return shell(account, say, t.title(account.name), body);
}

/**
 * One invoice's page: what is owed on it with the fee breakdown, where it stands (a promise, a
 * dispute, a payment being checked, a plan), and the customer's answers, each a form.
 */
export function renderInvoicePage(page: PortalInvoicePage, links: InvoicePageOptions): RenderedPage {
  const say = speech(page.customer, page.account);
  const { t, money, day, locale, format } = say;
  const i = page.invoice;
  const fees = feeLines(i.fees, locale, format);
  const feeRows =
    i.late_fees > 0
      ? `<dt>${esc(t.ofWhichInvoice)}</dt><dd>${esc(money(i.balance - i.late_fees, i.currency))}</dd>${(fees.length > 0
          ? fees
          : [{ label: locale === 'fr' ? 'Pénalités de retard' : 'Late fees', amount: i.late_fees }]
        )
          .map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(money(f.amount, i.currency))}</dd>`)
          .join('')}`
      : '';
  const standing = [
    i.disputed ? t.disputed : null,
    i.payment_claimed_until ? t.claimed(day(i.payment_claimed_until)) : null,
    i.promise_to_pay_on ? t.promised(day(i.promise_to_pay_on)) : null,
  ]
    .filter((line): line is string => line !== null)
    .map((line) => `<p class="notice">${esc(typeset(line, locale))}</p>`)
    .join('\n');
  const plan =
    i.installments.length > 0
      ? `<h2>${esc(t.planHeading)}</h2>\n<section class="card"><ul class="paid">${i.installments
          .map(
            (x) =>
              `<li>${esc(t.installment(x.number))} · ${esc(day(x.due_date))} · ${esc(money(Number(x.amount), i.currency))}${x.status === 'paid' ? ` · ${esc(t.installmentPaid)}` : x.status === 'missed' ? ` · <span class="late">${esc(t.installmentMissed)}</span>` : ''}</li>`,
          )
          .join('')}</ul></section>`
      : '';

  const open = isChased(i);
  const hidden = () =>
    `<input type="hidden" name="csrf" value="${esc(links.csrf)}"><input type="hidden" name="submission" value="${esc(links.submission())}">`;
  const action = (what: string) => `${esc(links.base)}/invoices/${esc(i.id)}/${what}`;
  const form = (what: string, title: string, fields: string, send: string) =>
    `<section class="card" aria-labelledby="${what}-title"><h2 id="${what}-title">${esc(title)}</h2>
<form method="post" action="${action(what)}">${hidden()}${fields}
<button type="submit">${esc(send)}</button></form></section>`;
  const planOptions = Array.from({ length: 11 }, (_, k) => k + 2)
    .map((n) => `<option value="${n}"${n === 3 ? ' selected' : ''}>${n}</option>`)
    .join('');
  const forms = open
    ? [
        i.payment_claimed_until
          ? ''
          : form(
              'claim',
              t.claimTitle,
              `<label for="claim-date">${esc(t.claimDate)}</label>
<input type="date" id="claim-date" name="paid_on" required max="${esc(page.today)}">
<label for="claim-amount">${esc(t.claimAmount)} (${esc(i.currency)})</label>
<input type="text" id="claim-amount" name="amount" required inputmode="decimal" autocomplete="off" maxlength="30">
<label for="claim-reference">${esc(t.claimReference)}</label>
<input type="text" id="claim-reference" name="reference" maxlength="200" autocomplete="off">`,
              t.claimSend,
            ),
        form(
          'promise',
          t.promiseTitle,
          `<label for="promise-date">${esc(t.promiseLabel)}</label>
<input type="date" id="promise-date" name="date" required min="${esc(page.today)}" max="${esc(page.promiseMax)}">`,
          t.promiseSend,
        ),
        i.active_payment_plan_id || i.disputed
          ? ''
          : form(
              'plan',
              t.planTitle,
              `<p class="muted">${esc(t.planHint)}</p>
<label for="plan-count">${esc(t.planCount)}</label>
<select id="plan-count" name="count">${planOptions}</select>
<label for="plan-first">${esc(t.planFirst)}</label>
<input type="date" id="plan-first" name="first_due_date" required min="${esc(page.today)}">`,
              t.planSend,
            ),
        i.disputed
          ? ''
          : form(
              'dispute',
              t.disputeTitle,
              `<label for="dispute-reason">${esc(t.disputeLabel)}</label>
<input type="text" id="dispute-reason" name="reason" required maxlength="500">
<label for="dispute-note">${esc(t.disputeNote)}</label>
<textarea id="dispute-note" name="note" rows="3" maxlength="2000"></textarea>`,
              t.disputeSend,
            ),
        form(
          'message',
          t.messageTitle,
          `<label for="message-text">${esc(t.messageLabel)}</label>
<textarea id="message-text" name="message" rows="4" required maxlength="2000"></textarea>`,
          t.messageSend,
        ),
      ].join('\n')
    : '';

  const title = t.details(i.number);
  const body = `<p><a href="${esc(links.base)}">← ${esc(t.back)}</a></p>
<h1>${esc(typeset(title, locale))}</h1>
${noticeHtml(links.notice, say)}
${standing}
<article aria-label="${esc(t.invoice)} ${esc(i.number)}">
<dl>
<dt>${esc(t.issued)}</dt><dd>${esc(day(i.issue_date))}</dd>
<dt>${esc(t.due)}</dt><dd>${esc(day(i.due_date))} · ${lateness(i.due_date, page.today, say)}</dd>
<dt>${esc(t.amountDue)}</dt><dd><strong>${esc(money(Math.max(0, i.balance), i.currency))}</strong></dd>
</dl>${feeRows ? `\n<dl class="fees">${feeRows}</dl>` : ''}
${open && i.payment_url ? `<a class="button" href="${esc(i.payment_url)}" rel="noopener noreferrer">${esc(t.pay)} ${esc(i.number)}</a>` : ''}${
  i.pdf_url ? `<a href="${esc(i.pdf_url)}" rel="noopener noreferrer">${esc(t.pdf)} ${esc(i.number)}</a>` : ''
}
</article>
${plan}
${forms}`;
  return shell(page.account, say, typeset(title, locale), body);
}

/** The page every unknown, revoked or expired link gets: the same for all, in both languages. */
export function renderNotFoundPage(): RenderedPage {
  const style = styleSheet(DEFAULT_COLOUR);
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(TEXT.en.notFoundTitle)}</title>
<style>${style}</style>
</head>
<body>
<main>
<h1>${esc(TEXT.en.notFoundTitle)}</h1>
<p>${esc(TEXT.en.notFound)}</p>
<h2 lang="fr">${esc(TEXT.fr.notFoundTitle)}</h2>
<p lang="fr">${esc(TEXT.fr.notFound)}</p>
</main>
</body>
</html>
`;
  return { html, csp: policy(style, null) };
}
