/**
 * The debtor's page as HTML: server-rendered, no script, one inline style sheet whose hash the
 * Content-Security-Policy names, readable at 390 px. Pure: the route reads the overview and
 * hands it here.
 */
import { createHash } from 'node:crypto';
import { daysBetween } from '../domain/calendar.ts';
import { formatMoney } from '../domain/money.ts';
import type { PortalOverview } from '../domain/portal/index.ts';
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
label{font-weight:600}input,textarea,button{font:inherit;padding:8px;border:1px solid #6b7280;border-radius:6px;max-width:100%}
button{background:${colour};color:#fff;border:0;font-weight:600;cursor:pointer;justify-self:start}
.notice{padding:12px 16px;border-radius:8px;margin:12px 0;background:#ecfdf5;border:1px solid #047857}
.notice.error{background:#fef2f2;border-color:#b91c1c}
a.button{display:inline-block;background:${colour};color:#fff;text-decoration:none;padding:10px 16px;border-radius:6px;font-weight:600;margin:8px 8px 0 0}
a{color:${colour}}a:focus,a.button:focus{outline:3px solid #111827;outline-offset:2px}
.muted{color:#4b5563}ul.paid{list-style:none;padding:0;margin:0}ul.paid li{padding:8px 0;border-bottom:1px solid #e5e7eb}ul.paid li:last-child{border-bottom:0}
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

/** The customer's page, in its language (the customer's locale, else the account's). */
/** What the page needs besides the overview: where its links and forms go, and what to tell the visitor. */
export interface PageOptions {
  statement: string;
  /** The page's own path (`/p/<token>`): the forms post under it. */
  base: string;
  /** The anti-forgery value the visitor's cookie holds, repeated in each form. */
  csrf: string;
  /** A fresh id per form shown: a second submission of the same form does nothing more. */
  submission: () => string;
  /** The last day a promise may name. */
  promiseMax: string;
  notice?: { kind: 'done'; what: 'promise' | 'dispute' | 'message' } | { kind: 'error'; lines: string[] } | undefined;
}

export function renderPortalPage(overview: PortalOverview, links: PageOptions): RenderedPage {
  const locale = resolveTemplateLocale(overview.customer.locale, overview.account.locale);
  const format = overview.customer.locale?.startsWith(locale) ? overview.customer.locale : locale;
  const t = TEXT[locale];
  const money = (minor: number, currency: string) => formatMoney(minor, currency, format);
  const day = (d: string) => formatDate(d, format);
  const { account } = overview;
  const style = styleSheet(account.brand_colour ?? DEFAULT_COLOUR);

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

  const hidden = () =>
    `<input type="hidden" name="csrf" value="${esc(links.csrf)}"><input type="hidden" name="submission" value="${esc(links.submission())}">`;
  const answers = (id: string) => {
    const action = (what: string) => `${esc(links.base)}/invoices/${esc(id)}/${what}`;
    return `<details><summary>${esc(t.answer)}</summary>
<form method="post" action="${action('promise')}">${hidden()}<label for="promise-${esc(id)}">${esc(t.promiseLabel)}</label>
<input type="date" id="promise-${esc(id)}" name="date" required min="${esc(overview.today)}" max="${esc(links.promiseMax)}">
<button type="submit">${esc(t.promiseSend)}</button></form>
<form method="post" action="${action('dispute')}">${hidden()}<label for="dispute-${esc(id)}">${esc(t.disputeLabel)}</label>
<input type="text" id="dispute-${esc(id)}" name="reason" required maxlength="500">
<label for="dispute-note-${esc(id)}">${esc(t.disputeNote)}</label>
<textarea id="dispute-note-${esc(id)}" name="note" rows="3" maxlength="2000"></textarea>
<button type="submit">${esc(t.disputeSend)}</button></form>
<form method="post" action="${action('message')}">${hidden()}<label for="message-${esc(id)}">${esc(t.messageLabel)}</label>
<textarea id="message-${esc(id)}" name="message" rows="3" required maxlength="2000"></textarea>
<button type="submit">${esc(t.messageSend)}</button></form>
</details>`;
  };
  const notice = links.notice
    ? links.notice.kind === 'done'
      ? `<p class="notice" role="status">${esc(typeset(t.done[links.notice.what], locale))}</p>`
      : `<div class="notice error" role="alert"><p>${esc(typeset(t.error, locale))}</p><ul>${links.notice.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>`
    : '';
  const invoices = overview.open
    .map((i) => {
      const late = Math.max(0, daysBetween(i.due_date, overview.today));
      const fees = feeLines(i.fees, locale, format);
      const feeRows =
        i.late_fees > 0
          ? `<dt>${esc(t.ofWhichInvoice)}</dt><dd>${esc(money(i.balance - i.late_fees, i.currency))}</dd>${(fees.length >
            0
              ? fees
              : [{ label: locale === 'fr' ? 'Pénalités de retard' : 'Late fees', amount: i.late_fees }]
            )
              .map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(money(f.amount, i.currency))}</dd>`)
              .join('')}`
          : '';
      return `<article aria-labelledby="inv-${esc(i.id)}">
<h3 id="inv-${esc(i.id)}">${esc(t.invoice)} ${esc(i.number)}</h3>
<dl>
<dt>${esc(t.issued)}</dt><dd>${esc(day(i.issue_date))}</dd>
<dt>${esc(t.due)}</dt><dd>${esc(day(i.due_date))}${late > 0 ? ` · <span class="late">${esc(t.late(late))}</span>` : ` · ${esc(t.dueIn)}`}</dd>
<dt>${esc(t.amountDue)}</dt><dd><strong>${esc(money(i.balance, i.currency))}</strong></dd>
</dl>${feeRows ? `\n<dl class="fees">${feeRows}</dl>` : ''}
${i.payment_url ? `<a class="button" href="${esc(i.payment_url)}" rel="noopener noreferrer">${esc(t.pay)} ${esc(i.number)}</a>` : ''}${
  i.pdf_url ? `<a href="${esc(i.pdf_url)}" rel="noopener noreferrer">${esc(t.pdf)} ${esc(i.number)}</a>` : ''
}
${answers(i.id)}
</article>`;
    })
    .join('\n');

  const paid =
    overview.paid.length === 0
      ? `<p class="muted">${esc(t.paidNone)}</p>`
      : `<ul class="paid">${overview.paid
          .map(
            (i) =>
              `<li>${esc(t.invoice)} ${esc(i.number)} · ${esc(money(i.total, i.currency))} · ${esc(t.issued.toLowerCase())} ${esc(day(i.issue_date))}</li>`,
          )
          .join('')}</ul>`;

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
<title>${esc(t.title(account.name))}</title>
<style>${style}</style>
</head>
<body>
<main>
<header>${account.logo_url ? `<img src="${esc(account.logo_url)}" alt="${esc(account.name)}">` : ''}<p>${esc(account.name)}</p></header>
<h1>${esc(t.title(account.name))}</h1>
${notice}
<p>${esc(t.hello(overview.customer.name))}</p>
<p>${esc(overview.open.length > 0 ? t.intro : t.nothing)}</p>
${overview.open.length > 0 ? `<section class="card totals" aria-label="${esc(t.totalDue)}">${totalsHtml}</section>\n<h2>${esc(t.open)}</h2>\n${invoices}` : ''}
<h2>${esc(t.paid)}</h2>
<section class="card">${paid}</section>
<p><a href="${esc(links.statement)}">${esc(t.statement)}</a></p>
${account.payment_instructions ? `<h2>${esc(t.howToPay)}</h2>\n<section class="card"><pre>${esc(account.payment_instructions)}</pre></section>` : ''}
${contact ? `<h2>${esc(typeset(t.contact, locale))}</h2>\n<section class="card">${contact}</section>` : ''}
<footer>${esc(account.legal_name ?? account.name)}</footer>
</main>
</body>
</html>
`;
  return { html, csp: policy(style, account.logo_url) };
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
