/**
 * A customer's statement of account as a PDF (pdfkit, the standard fonts; see
 * formal-notice-pdf.ts): per currency, the opening balance, each entry with the running balance,
 * the closing balance and the aging of what is still owed. French or English.
 */
import type { Account } from '../domain/accounts/index.ts';
import type { Customer } from '../domain/customers/index.ts';
import { formatMoney } from '../domain/money.ts';
import type { Statement } from '../domain/reports/index.ts';
import { formatDate } from '../mail/render.ts';
import { winAnsi } from './formal-notice-pdf.ts';
import { pdfDocument } from './pdfkit.ts';

type Kind = Statement['currencies'][number]['entries'][number]['kind'];

const WORDS = {
  fr: {
    lang: 'fr-FR',
    title: 'Relevé de compte',
    period: (from: string, to: string) => `Du ${from} au ${to}`,
    columns: ['Date', 'Référence', 'Opération', 'Débit', 'Crédit', 'Solde'],
    opening: 'Solde au début de la période',
    closing: 'Solde à la fin de la période',
    aging: 'Montants restant dus par ancienneté',
    bucket: (name: string) =>
      name === 'current'
        ? 'Non échu'
        : name.endsWith('_plus')
          ? `Plus de ${name.split('_')[0]} jours`
          : `${name.replace('_', ' à ')} jours`,
    total: 'Total',
    kinds: {
      invoice: 'Facture',
      interest: 'Intérêts de retard',
      recovery_fee: 'Indemnité forfaitaire de recouvrement',
      fee_waived: 'Frais annulés',
      payment: 'Règlement reçu',
      payment_reversed: 'Règlement annulé',
      invoice_voided: 'Facture annulée',
    } satisfies Record<Kind, string>,
    questions: 'Pour toute question sur ce relevé, contactez-nous',
    registration: 'N° d’immatriculation',
    vat: 'N° TVA',
  },
  en: {
    lang: 'en-GB',
    title: 'Statement of account',
    period: (from: string, to: string) => `From ${from} to ${to}`,
    columns: ['Date', 'Reference', 'Description', 'Debit', 'Credit', 'Balance'],
    opening: 'Balance brought forward',
    closing: 'Balance at the end of the period',
    aging: 'Amounts still due, by age',
    bucket: (name: string) =>
      name === 'current'
        ? 'Not yet due'
        : name.endsWith('_plus')
          ? `Over ${name.split('_')[0]} days`
          : `${name.replace('_', '–')} days`,
    total: 'Total',
    kinds: {
      invoice: 'Invoice',
      interest: 'Late payment interest',
      recovery_fee: 'Fixed recovery costs',
      fee_waived: 'Fees waived',
      payment: 'Payment received',
      payment_reversed: 'Payment reversed',
      invoice_voided: 'Invoice voided',
    } satisfies Record<Kind, string>,
    questions: 'For any question about this statement, contact us',
    registration: 'Registration No.',
    vat: 'VAT No.',
  },
} as const;

const MARGIN = 48;
const WIDTH = 595.28 - 2 * MARGIN;
const COLUMNS = [0.14, 0.18, 0.32, 0.12, 0.12, 0.12].map((f) => f * WIDTH);

/** Renders a statement for the customer, in its language (French or English). */
export async function statementPdf(
  statement: Statement,
  parties: { account: Account; customer: Customer; locale: 'fr' | 'en' },
): Promise<Buffer> {
  const w = WORDS[parties.locale];
  const date = (day: string) => formatDate(day, w.lang);
  const PDFDocument = pdfDocument();
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, lang: w.lang, info: { Title: winAnsi(w.title) } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const { account, customer } = parties;
  doc
    .font('Helvetica-Bold')
    .fontSize(11)
    .text(winAnsi(account.legal_name ?? account.name));
  doc.font('Helvetica').fontSize(9);
  const colon = parties.locale === 'fr' ? '\u00a0:' : ':';
  if (account.registration_number) doc.text(winAnsi(`${w.registration}${colon} ${account.registration_number}`));
  if (account.vat_number) doc.text(winAnsi(`${w.vat}${colon} ${account.vat_number}`));
  const own = account.billing_address;
  if (own)
    doc.text(
      winAnsi([own.line1, own.line2, [own.postal_code, own.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')),
    );
  doc
    .font('Helvetica-Bold')
    .fontSize(10.5)
    .text(winAnsi(customer.legal_name ?? customer.name), MARGIN + WIDTH * 0.55, 110);
  doc.font('Helvetica').fontSize(9.5);
  const address = customer.billing_address;
  if (address)
    for (const line of [address.line1, address.line2, [address.postal_code, address.city].filter(Boolean).join(' ')])
      if (line) doc.text(winAnsi(line));
  doc.x = MARGIN;
  doc.y = Math.max(doc.y + 20, 180);
  doc.font('Helvetica-Bold').fontSize(14).text(winAnsi(w.title), { width: WIDTH });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(winAnsi(w.period(date(statement.from), date(statement.to))), { width: WIDTH });
  doc.moveDown(1);

  const row = (cells: string[], bold = false) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    let x = MARGIN;
    let bottom = y;
    cells.forEach((cell, i) => {
      const width = COLUMNS[i] ?? 0;
      doc.text(winAnsi(cell), x + 2, y, { width: width - 4, align: i >= 3 ? 'right' : 'left' });
      bottom = Math.max(bottom, doc.y);
      x += width;
    });
    doc.x = MARGIN;
    doc.y = bottom + 3;
  };
  const rule = () => {
    doc
      .moveTo(MARGIN, doc.y)
      .lineTo(MARGIN + WIDTH, doc.y)
      .lineWidth(0.5)
      .strokeColor('#999')
      .stroke();
    doc.y += 3;
  };

  for (const c of statement.currencies) {
    const money = (amount: number) => (amount === 0 ? '' : formatMoney(amount, c.currency, w.lang));
    const balance = (amount: number) => formatMoney(amount, c.currency, w.lang);
    doc.font('Helvetica-Bold').fontSize(11).text(c.currency, { width: WIDTH });
    doc.moveDown(0.3);
    row([...w.columns], true);
    rule();
    row([date(statement.from), '', w.opening, '', '', balance(c.opening_balance)]);
    for (const e of c.entries) {
      const label =
        e.kind === 'interest' && e.period_from && e.period_to
          ? `${w.kinds.interest} (${date(e.period_from)} – ${date(e.period_to)})`
          : w.kinds[e.kind];
      row([date(e.date), e.reference, label, money(e.debit), money(e.credit), balance(e.balance)]);
    }
    rule();
    row([date(statement.to), '', w.closing, '', '', balance(c.closing_balance)], true);
    doc.moveDown(0.8);
    doc.font('Helvetica-Bold').fontSize(9.5).text(winAnsi(w.aging), { width: WIDTH });
    doc.moveDown(0.2);
    const names = statement.bucket_names;
    doc.font('Helvetica').fontSize(8.5);
    const cell = WIDTH / (names.length + 1);
    const y = doc.y;
    names.forEach((name, i) => {
      doc.text(winAnsi(w.bucket(name)), MARGIN + i * cell, y, { width: cell - 4, align: 'right' });
    });
    doc.font('Helvetica-Bold').text(w.total, MARGIN + names.length * cell, y, { width: cell - 4, align: 'right' });
    const y2 = doc.y + 2;
    doc.font('Helvetica');
    names.forEach((name, i) => {
      doc.text(winAnsi(balance(c.aging.buckets[name] ?? 0)), MARGIN + i * cell, y2, {
        width: cell - 4,
        align: 'right',
      });
    });
    doc.font('Helvetica-Bold').text(winAnsi(balance(c.aging.total)), MARGIN + names.length * cell, y2, {
      width: cell - 4,
      align: 'right',
    });
    doc.x = MARGIN;
    doc.moveDown(1.5);
  }
  const contact = [account.reply_to ?? account.sender_email, account.contact_phone].filter(Boolean).join(' · ');
  if (contact)
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(winAnsi(`${w.questions}${colon} ${contact}`), MARGIN, doc.y, { width: WIDTH });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
