/**
 * The formal-notice letter as a PDF (pdfkit: a maintained, pure-JavaScript PDF writer with text
 * layout, line wrapping and the 14 standard fonts, so no font file ships with Relance). French
 * "mise en demeure de payer" and English "letter before action", from the facts the documents
 * module gathers. The standard fonts encode WinAnsi (Latin-1 and a few signs such as €): text
 * outside it is written as "?" rather than lost silently.
 */
import type { FeeBasis, FormalNotice, FormalNoticeRenderer } from '../domain/documents/index.ts';
import { formatMoney } from '../domain/money.ts';
import type { PostalAddress } from '../domain/shared/index.ts';
import { formatDate } from '../mail/render.ts';
import { interestLabel, recoveryFeeLabel } from './legal-wording.ts';
import { pdfDocument } from './pdfkit.ts';

/** Windows-1252's characters above Latin-1's, which the standard fonts can draw. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text the standard fonts can draw: narrow and thin spaces become no-break spaces, the rest "?". */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\u202f\u2009\u2007]/g, '\u00a0')) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch) || ch === '\n'
        ? ch
        : '?';
  }
  return out;
}

interface Wording {
  lang: string;
  /** ":" as the language writes it (French puts a no-break space before it). */
  colon: string;
  registered: string;
  subject: (number: string) => string;
  title: string;
  dateLine: (date: string) => string;
  attention: (name: string) => string;
  greeting: string;
  intro: string;
  columns: [string, string, string, string, string];
  interest: (rateBps: number, from: string, to: string, basis: FeeBasis) => string;
  recoveryFee: (basis: FeeBasis) => string;
  total: string;
  demand: (total: string, days: number, deadline: string) => string;
  consequence: string;
  interestRuns: string;
  paidMeanwhile: string;
  howToPay: string;
  signoff: string;
  registration: string;
  vat: string;
  filename: string;
}

function wording(notice: FormalNotice): Wording {
  if (notice.locale === 'fr') {
    return {
      lang: 'fr-FR',
      colon: '\u00a0:',
      registered: 'Lettre recommandée avec demande d’avis de réception',
      subject: (number) => `Objet\u00a0: mise en demeure de payer – facture ${number}`,
      title: 'Mise en demeure de payer',
      dateLine: (date) => `Le ${date}`,
      attention: (name) => `À l’attention de ${name}`,
      greeting: 'Madame, Monsieur,',
      intro:
        notice.reminded_before === false
          ? 'Sauf erreur de notre part, la facture ci-dessous demeure impayée à ce jour. Le détail des sommes dues est le suivant :'
          : 'Malgré nos relances, la facture ci-dessous demeure impayée à ce jour. Le détail des sommes dues est le suivant :',
      columns: ['Facture', 'Émise le', 'Échéance', 'Montant', 'Reste dû'],
      interest: (rateBps, from, to, basis) => interestLabel('fr', notice.reference, basis, rateBps, 'fr-FR', from, to),
      recoveryFee: (basis) => recoveryFeeLabel('fr', basis),
      total: 'Total dû à ce jour',
      demand: (total, days, deadline) =>
        `Par la présente, nous vous mettons en demeure de nous régler la somme de ${total} dans un délai de ${days} jours à compter de la date du présent courrier, soit au plus tard le ${deadline}.`,
      consequence:
        'À défaut de règlement dans ce délai, nous engagerons sans autre avis toute procédure utile au recouvrement de cette créance, notamment une procédure d’injonction de payer, dont les frais resteront à votre charge.',
      interestRuns: 'Les intérêts de retard continuent de courir jusqu’au complet paiement.',
      paidMeanwhile:
        'Si vous avez procédé au règlement entre-temps, nous vous prions de ne pas tenir compte de ce courrier.',
      howToPay: 'Modalités de règlement',
      signoff: 'Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.',
      registration: 'SIREN / n° d’immatriculation',
      vat: 'N° de TVA',
      filename: 'mise-en-demeure',
    };
  }
  return {
    lang: 'en-GB',
    colon: ':',
    registered: 'By recorded delivery',
    subject: (number) => `Letter before action – invoice ${number}`,
    title: 'Letter before action',
    dateLine: (date) => date,
    attention: (name) => `For the attention of ${name}`,
    greeting: 'Dear Sir or Madam,',
    intro:
      notice.reminded_before === false
        ? 'According to our records, the invoice below remains unpaid. The amounts now due are:'
        : 'Despite our reminders, the invoice below remains unpaid. The amounts now due are:',
    columns: ['Invoice', 'Issued', 'Due', 'Amount', 'Still due'],
    interest: (rateBps, from, to, basis) => interestLabel('en', notice.reference, basis, rateBps, 'en-GB', from, to),
    recoveryFee: (basis) => recoveryFeeLabel('en', basis),
    total: 'Total now due',
    demand: (total, days, deadline) =>
      `We now require payment of ${total} within ${days} days of the date of this letter, that is by ${deadline}.`,
    consequence:
      'If we do not receive payment, or hear from you, by then, we intend to start court proceedings to recover the debt, with interest and costs, without further notice.',
    interestRuns: 'Interest continues to accrue until payment is made in full.',
    paidMeanwhile: 'If you have paid in the meantime, please disregard this letter.',
    howToPay: 'How to pay',
    signoff: 'Yours faithfully,',
    registration: 'Company number',
    vat: 'VAT number',
    filename: 'letter-before-action',
  };
}

/** An address as lines; the country by its name, left out when it is `home` (the sender's). */
function addressLines(address: PostalAddress | null, lang: string, home?: string): string[] {
  if (!address) return [];
  const country =
    address.country === home
      ? null
      : (new Intl.DisplayNames([lang], { type: 'region' }).of(address.country) ?? address.country);
  return [
    address.line1,
    address.line2 ?? null,
    [address.postal_code, address.city].filter(Boolean).join(' '),
    address.region ?? null,
    country,
  ].filter((line): line is string => Boolean(line));
}

const PAGE = { margin: 56, width: 595.28 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** Renders a formal notice into a one- or two-page A4 PDF. */
async function render(notice: FormalNotice): Promise<Uint8Array> {
  const w = wording(notice);
  const money = (amount: number) => formatMoney(amount, notice.currency, w.lang);
  const date = (day: string) => formatDate(day, w.lang);
  const { creditor, debtor } = notice;
  const creditorName = creditor.legal_name ?? creditor.name;
  const PDFDocument = pdfDocument();
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    lang: w.lang,
    info: { Title: winAnsi(w.subject(notice.invoices.map((i) => i.number).join(', '))), Author: winAnsi(creditorName) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const text = (value: string, options: PDFKit.Mixins.TextOptions = {}) => doc.text(winAnsi(value), options);

  // The creditor, top left.
  doc.font('Helvetica-Bold').fontSize(11);
  text(creditorName);
  doc.font('Helvetica').fontSize(9.5);
  for (const line of addressLines(creditor.address, w.lang)) text(line);
  if (creditor.registration_number) text(`${w.registration}${w.colon} ${creditor.registration_number}`);
  if (creditor.vat_number) text(`${w.vat}${w.colon} ${creditor.vat_number}`);
  if (creditor.contact_phone) text(creditor.contact_phone);
  if (creditor.email) text(creditor.email);

  // The debtor, right, as an envelope window would show it.
  const right = PAGE.margin + CONTENT_WIDTH * 0.52;
  doc.font('Helvetica-Bold').fontSize(10.5);
  doc.text(winAnsi(debtor.legal_name ?? debtor.name), right, 170, { width: CONTENT_WIDTH * 0.48 });
  doc.font('Helvetica').fontSize(10);
  if (debtor.contact_name) text(w.attention(debtor.contact_name), { width: CONTENT_WIDTH * 0.48 });
  for (const line of addressLines(debtor.address, w.lang, creditor.address?.country))
    text(line, { width: CONTENT_WIDTH * 0.48 });
  doc.moveDown(1.5);
  text(w.dateLine(date(notice.date)), { width: CONTENT_WIDTH * 0.48 });

  doc.x = PAGE.margin;
  doc.y = Math.max(doc.y + 24, 290);
  doc.font('Helvetica-Oblique').fontSize(9.5);
  text(w.registered, { width: CONTENT_WIDTH });
  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(11);
  text(w.subject(notice.invoices.map((i) => i.number).join(', ')), { width: CONTENT_WIDTH });
  doc.moveDown(1);
  doc.font('Helvetica').fontSize(10);
  text(w.greeting, { width: CONTENT_WIDTH });
  doc.moveDown(0.6);
  text(w.intro, { width: CONTENT_WIDTH, align: 'justify' });
  doc.moveDown(0.8);

  // The invoices and the fees, as a table whose last column is what is owed.
  const widths = [0.24, 0.19, 0.19, 0.19, 0.19].map((f) => f * CONTENT_WIDTH);
  const row = (cells: string[], options: { bold?: boolean; spanFirst?: boolean } = {}) => {
    const y = doc.y;
    doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9.5);
    let x = PAGE.margin;
    let bottom = y;
    const layout = options.spanFirst
      ? [
          { cell: cells[0] ?? '', width: widths.slice(0, 4).reduce((a, b) => a + b, 0), align: 'left' as const },
          { cell: cells[1] ?? '', width: widths[4] ?? 0, align: 'right' as const },
        ]
      : cells.map((cell, i) => ({
          cell,
          width: widths[i] ?? 0,
          align: i >= 3 ? ('right' as const) : ('left' as const),
        }));
    for (const { cell, width, align } of layout) {
      doc.text(winAnsi(cell), x + 2, y, { width: width - 4, align });
      bottom = Math.max(bottom, doc.y);
      x += width;
    }
    doc.x = PAGE.margin;
    doc.y = bottom + 4;
  };
  const rule = () => {
    doc
      .moveTo(PAGE.margin, doc.y)
      .lineTo(PAGE.margin + CONTENT_WIDTH, doc.y)
      .lineWidth(0.5)
      .strokeColor('#888')
      .stroke();
    doc.y += 4;
  };
  row(w.columns, { bold: true });
  rule();
  for (const invoice of notice.invoices)
    row([
      invoice.number,
      date(invoice.issue_date),
      date(invoice.due_date),
      money(invoice.total),
      money(invoice.principal_due),
    ]);
  for (const run of notice.interest)
    row([w.interest(run.rate_bps, date(run.from), date(run.to), notice.basis ?? 'contract'), money(run.amount)], {
      spanFirst: true,
    });
  if (notice.recovery_fee > 0)
    row([w.recoveryFee(notice.basis ?? 'contract'), money(notice.recovery_fee)], { spanFirst: true });
  rule();
  row([w.total, money(notice.total_due)], { bold: true, spanFirst: true });
  doc.moveDown(1);

  doc.font('Helvetica').fontSize(10);
  text(w.demand(money(notice.total_due), notice.deadline_days, date(notice.deadline)), {
    width: CONTENT_WIDTH,
    align: 'justify',
  });
  doc.moveDown(0.6);
  text(w.consequence, { width: CONTENT_WIDTH, align: 'justify' });
  if (notice.interest.length > 0) {
    doc.moveDown(0.6);
    text(w.interestRuns, { width: CONTENT_WIDTH });
  }
  doc.moveDown(0.6);
  text(w.paidMeanwhile, { width: CONTENT_WIDTH });
  if (creditor.payment_instructions) {
    doc.moveDown(0.8);
    doc.font('Helvetica-Bold');
    text(w.howToPay, { width: CONTENT_WIDTH });
    doc.font('Helvetica');
    text(creditor.payment_instructions, { width: CONTENT_WIDTH });
  }
  doc.moveDown(1);
  text(w.signoff, { width: CONTENT_WIDTH });
  doc.moveDown(1.5);
  doc.font('Helvetica-Bold');
  text(creditorName, { width: CONTENT_WIDTH });

  // The creditor's legal identity at the foot of the page.
  const footer = [
    creditorName,
    addressLines(creditor.address, w.lang).join(', '),
    creditor.registration_number ? `${w.registration} ${creditor.registration_number}` : null,
    creditor.vat_number ? `${w.vat} ${creditor.vat_number}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  doc.font('Helvetica').fontSize(7.5).fillColor('#555');
  doc.text(winAnsi(footer), PAGE.margin, 842 - PAGE.margin + 14, {
    width: CONTENT_WIDTH,
    align: 'center',
    lineBreak: true,
    height: 30,
  });
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

export const formalNoticePdf: FormalNoticeRenderer = {
  render,
  filename: (notice, invoiceNumber) =>
    `${wording(notice).filename}-${invoiceNumber.replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`,
};
