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

const Sms = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    'Handlebars source of the text message an `sms` step sends (plain text on one line; typographic spaces, quotes and ' +
    'dashes become their GSM-7 equivalents). Refused when it renders over 3 segments (docs/sms.md#segments).',
});

export const SmsPreview = Type.Object(
  {
    text: Type.String({ description: 'The text as it would be sent.' }),
    encoding: Type.Enum(['GSM-7', 'UCS-2'], {
      description:
        '`GSM-7`: 160 characters in one segment, 153 in each of several; `UCS-2` (any character outside GSM-7): 70, then 67.',
    }),
    characters: Type.Integer({ description: 'Characters as the reader sees them.' }),
    segments: Type.Integer({ description: 'Segments the text travels (and is billed) in; at most 3.' }),
  },
  { additionalProperties: false },
);
export type SmsPreview = Type.Static<typeof SmsPreview>;

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
    sms: Nullable(
      Type.String({
        description:
          "The text message of an `sms` step with this key; null: none (an account's own key without one, which an `sms` step cannot use).",
      }),
    ),
    updated_at: Nullable(Timestamp),
  },
  { $id: 'Template', additionalProperties: false },
);
export type Template = Type.Static<typeof Template>;

export const TemplateContent = Type.Object(
  {
    subject: Subject,
    html: Html,
    text: Text,
    sms: Type.Optional(
      Type.Union([Sms, Type.Null()], {
        description:
          "The text message; absent or null: Relance's default for a default key, none for a key of your own.",
      }),
    ),
  },
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
    sms: Type.Optional(Sms),
  },
  {
    $id: 'TemplatePreviewRequest',
    additionalProperties: false,
    description:
      "Renders the template `key` (the account's version, else the default) with a real invoice. `locale` defaults to the " +
      "customer's, else the account's. A `subject`, `html`, `text` or `sms` given here is rendered instead of the stored " +
      'one: try a change before saving it.',
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
    sms: Type.Union([SmsPreview, Type.Null()], {
      description: 'The text message with its encoding and segments; null: the template has none.',
    }),
  },
  { $id: 'TemplatePreview', additionalProperties: false },
);
export type TemplatePreview = Type.Static<typeof TemplatePreview>;
