import Type from 'typebox';
import { Id, Nullable, Timestamp } from '../shared/index.ts';

export const TemplateKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description:
    'A default step (`before_due`, `due_today`, `overdue_friendly`, `overdue_firm`, `final_notice`) or a key of your own: ' +
    'a lower-case letter, then up to 39 lower-case letters, digits or underscores.',
  examples: ['overdue_firm'],
});

export const TemplateLocale = Type.Enum(['fr', 'en'], { description: 'Language of the template.' });
export type TemplateLocale = Type.Static<typeof TemplateLocale>;

export const TemplateParams = Type.Object(
  { key: TemplateKey, locale: TemplateLocale },
  { additionalProperties: false },
);
export type TemplateParams = Type.Static<typeof TemplateParams>;

const Subject = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'Handlebars source of the subject (not escaped, folded onto one line).',
});
const Html = Type.String({
  minLength: 1,
  maxLength: 200_000,
  description: 'Handlebars source of the HTML body (variables are HTML-escaped).',
});
const Text = Type.String({
  minLength: 1,
  maxLength: 100_000,
  description: 'Handlebars source of the plain-text body (not escaped).',
});

export const Template = Type.Object(
  {
    object: Type.Literal('template'),
    key: Type.String(),
    locale: TemplateLocale,
    source: Type.Enum(['default', 'custom'], {
      description: "`custom`: this account's own version; `default`: Relance's.",
    }),
    subject: Type.String(),
    html: Type.String(),
    text: Type.String(),
    updated_at: Nullable(Timestamp),
  },
  { $id: 'Template', additionalProperties: false },
);
export type Template = Type.Static<typeof Template>;

export const TemplateContent = Type.Object(
  { subject: Subject, html: Html, text: Text },
  { $id: 'TemplateContent', additionalProperties: false },
);
export type TemplateContent = Type.Static<typeof TemplateContent>;

export const TemplateDeleted = Type.Object(
  { object: Type.Literal('template'), key: Type.String(), locale: TemplateLocale, deleted: Type.Literal(true) },
  { $id: 'TemplateDeleted', additionalProperties: false },
);
export type TemplateDeleted = Type.Static<typeof TemplateDeleted>;

export const TemplatePreviewRequest = Type.Object(
  {
    invoice_id: Id('inv'),
    key: TemplateKey,
    locale: Type.Optional(TemplateLocale),
    subject: Type.Optional(Subject),
    html: Type.Optional(Html),
    text: Type.Optional(Text),
  },
  {
    $id: 'TemplatePreviewRequest',
    additionalProperties: false,
    description:
      "Renders the template `key` (the account's version, else the default) with a real invoice. `locale` defaults to the " +
      "customer's, else the account's. A `subject`, `html` or `text` given here is rendered instead of the stored one: try a " +
      'change before saving it.',
  },
);
export type TemplatePreviewRequest = Type.Static<typeof TemplatePreviewRequest>;

export const TemplatePreview = Type.Object(
  {
    object: Type.Literal('template_preview'),
    invoice_id: Type.String(),
    key: Type.String(),
    locale: TemplateLocale,
    subject: Type.String(),
    html: Type.String(),
    text: Type.String(),
  },
  { $id: 'TemplatePreview', additionalProperties: false },
);
export type TemplatePreview = Type.Static<typeof TemplatePreview>;
