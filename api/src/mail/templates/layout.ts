/**
 * Builds a default template's subject, HTML and text from one piece of copy, so the two bodies
 * of a step always say the same thing. The output is plain Handlebars source: it is what
 * `GET /v1/templates/…` shows and what an account copies to write its own.
 */
import type { TemplateSource } from '../render.ts';

/** A paragraph, shown only when `if` (a variable) is truthy. */
export type Paragraph = string | { if: string; text: string };

/** A line of the invoice summary, shown only when `if` is truthy. */
export interface Fact {
  label: string;
  value: string;
  if?: string;
  /** Shown only when this variable is falsy (an empty list included). */
  unless?: string;
  strong?: boolean;
}

/** One line per item of a list of `{ label, amount }` (the fee parts). */
export interface FactList {
  each: string;
}

const isList = (f: Fact | FactList): f is FactList => 'each' in f;

export interface MessageCopy {
  lang: string;
  subject: string;
  greeting: string;
  /** What the message is about, before the summary. */
  intro: Paragraph[];
  facts: Array<Fact | FactList>;
  /** Label of the payment button / line, the heading of the payment instructions, the invoice copy line, the customer page line. */
  payment: { link: string; instructions: string; copy: string; portal: string };
  /** After the payment details: "if you have already paid…", whom to call. */
  outro: Paragraph[];
  signoff: string;
}

const conditional = (condition: string | undefined, body: string, standalone: boolean) => {
  if (!condition) return body;
  return standalone ? `{{#if ${condition}}}\n${body}\n{{/if}}` : `{{#if ${condition}}}${body}{{/if}}`;
};

const negated = (condition: string | undefined, body: string, standalone: boolean) => {
  if (!condition) return body;
  return standalone ? `{{#unless ${condition}}}\n${body}\n{{/unless}}` : `{{#unless ${condition}}}${body}{{/unless}}`;
};

const paragraphText = (p: Paragraph) => (typeof p === 'string' ? p : conditional(p.if, p.text, true));

/** French puts a no-break space before a colon. */
const colonOf = (lang: string) => (lang === 'fr' ? '\u00a0:' : ':');

/**
 * French typography (Imprimerie nationale, Lexique des règles typographiques): a no-break space
 * before ":" and inside « », a narrow no-break space before ";", "!" and "?", so a line never
 * starts with the sign.
 */
export function frenchSpacing(text: string): string {
  return text
    .replace(/ :(?=\s|$)/g, '\u00a0:')
    .replace(/ ([;!?])/g, '\u202f$1')
    .replace(/« /g, '«\u00a0')
    .replace(/ »/g, '\u00a0»');
}

function text(copy: MessageCopy): string {
  const colon = colonOf(copy.lang);
  const facts = copy.facts
    .map((f) =>
      isList(f)
        ? `{{#each ${f.each}}}\n{{this.label}}${colon} {{money this.amount}}\n{{/each}}`
        : negated(f.unless, conditional(f.if, `${f.label}${colon} ${f.value}`, true), true),
    )
    .join('\n');
  const payment = [
    conditional('invoice.payment_url', `${copy.payment.link}${colon} {{invoice.payment_url}}`, true),
    conditional(
      'creditor.payment_instructions',
      `${copy.payment.instructions}${colon}\n{{creditor.payment_instructions}}`,
      true,
    ),
    conditional('invoice.pdf_url', `${copy.payment.copy}${colon} {{invoice.pdf_url}}`, true),
    conditional('portal_url', `${copy.payment.portal}${colon} {{portal_url}}`, true),
  ].join('\n\n');
  return `${[
    copy.greeting,
    ...copy.intro.map(paragraphText),
    facts,
    payment,
    ...copy.outro.map(paragraphText),
    `${copy.signoff}\n{{creditor.sender_name}}`,
    '{{#if creditor.identity}}\n--\n{{creditor.identity}}\n{{/if}}',
  ].join('\n\n')}\n`;
}

const P = 'margin:0 0 16px';
const TD_LABEL = 'padding:4px 24px 4px 0;color:#555555;vertical-align:top';
const TD_VALUE = 'padding:4px 0;vertical-align:top';

const paragraphHtml = (p: Paragraph) =>
  typeof p === 'string' ? `<p style="${P}">${p}</p>` : conditional(p.if, `<p style="${P}">${p.text}</p>`, false);

/**
 * The frame of every default email: a white card on grey, the body, the signature and the
 * creditor's legal identity as footer. `width`: the card's maximum width in pixels.
 */
export function emailShell(lang: string, signoff: string, body: string, width = 560): string {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2937">
<div style="max-width:${width}px;margin:0 auto;padding:32px;background:#ffffff;border-radius:6px">
${body}<p style="margin:0">${signoff}<br>{{creditor.sender_name}}</p>
{{#if creditor.identity}}<p style="margin:24px 0 0;padding-top:12px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">{{creditor.identity}}</p>{{/if}}
</div>
</body>
</html>
`;
}

function html(copy: MessageCopy): string {
  const rows = copy.facts.map((f) => {
    if (isList(f))
      return `{{#each ${f.each}}}<tr><td style="${TD_LABEL}">{{this.label}}</td><td style="${TD_VALUE}">{{money this.amount}}</td></tr>{{/each}}`;
    const value = f.strong ? `<strong>${f.value}</strong>` : f.value;
    return negated(
      f.unless,
      conditional(f.if, `<tr><td style="${TD_LABEL}">${f.label}</td><td style="${TD_VALUE}">${value}</td></tr>`, false),
      false,
    );
  });
  return emailShell(
    copy.lang,
    copy.signoff,
    `<p style="${P}">${copy.greeting}</p>
${copy.intro.map(paragraphHtml).join('\n')}
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px">
${rows.join('\n')}
</table>
{{#if invoice.payment_url}}<p style="${P}"><a href="{{invoice.payment_url}}" style="display:inline-block;padding:10px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${copy.payment.link}</a></p>{{/if}}
{{#if creditor.payment_instructions}}<p style="${P}">${copy.payment.instructions}${colonOf(copy.lang)}<br><span style="white-space:pre-line">{{creditor.payment_instructions}}</span></p>{{/if}}
{{#if invoice.pdf_url}}<p style="${P}"><a href="{{invoice.pdf_url}}" style="color:#1d4ed8">${copy.payment.copy}</a></p>{{/if}}
{{#if portal_url}}<p style="${P}"><a href="{{portal_url}}" style="color:#1d4ed8">${copy.payment.portal}</a></p>{{/if}}
${copy.outro.map(paragraphHtml).join('\n')}
`,
  );
}

/** The subject, HTML and text of one default template. */
export function buildTemplate(copy: MessageCopy): TemplateSource {
  const source = { subject: copy.subject, html: html(copy), text: text(copy) };
  if (copy.lang !== 'fr') return source;
  return { subject: frenchSpacing(source.subject), html: frenchSpacing(source.html), text: frenchSpacing(source.text) };
}
