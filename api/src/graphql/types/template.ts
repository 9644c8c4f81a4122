import type {
  Template,
  TemplateContent,
  TemplateDeleted,
  TemplatePreview,
  TemplatePreviewRequest,
} from '../../domain/templates/index.ts';
import { builder } from '../builder.ts';
import { orNull, toServiceInput } from '../convert.ts';
import { listType } from './common.ts';

const TemplateSource = builder.enumType('TemplateSource', {
  description: "`CUSTOM`: this account's own version; `DEFAULT`: Relance's.",
  values: { DEFAULT: { value: 'default' }, CUSTOM: { value: 'custom' } } as const,
});

const LOCALE = 'Language of the template: `fr` or `en`.';

export const TemplateRef = builder.objectRef<Template>('Template').implement({
  description: 'The Handlebars source of a reminder email (subject, HTML and text) for one key and locale.',
  fields: (t) => ({
    key: t.exposeString('key'),
    locale: t.exposeString('locale', { description: LOCALE }),
    source: t.expose('source', { type: TemplateSource }),
    subject: t.exposeString('subject'),
    html: t.exposeString('html'),
    text: t.exposeString('text'),
    sms: t.exposeString('sms', {
      nullable: true,
      description: 'The text message of an `sms` step with this key; null: none.',
    }),
    updatedAt: t.expose('updated_at', {
      type: 'DateTime',
      nullable: true,
      description: 'Null for a default template.',
    }),
  }),
});

const TemplateList = listType('Template', TemplateRef);

const DeletedTemplate = builder.objectRef<TemplateDeleted>('DeletedTemplate').implement({
  description: "The answer to deleteTemplate: the account's version is gone, the default applies again.",
  fields: (t) => ({
    key: t.exposeString('key'),
    locale: t.exposeString('locale'),
    deleted: t.exposeBoolean('deleted'),
  }),
});

const SmsPreviewRef = builder.objectRef<NonNullable<TemplatePreview['sms']>>('SmsPreview').implement({
  description: 'A text message as it would be sent, with its encoding and the segments it travels in.',
  fields: (t) => ({
    text: t.exposeString('text'),
    encoding: t.exposeString('encoding', {
      description: '`GSM-7` (160, then 153 per segment) or `UCS-2` (70, then 67).',
    }),
    characters: t.exposeInt('characters'),
    segments: t.exposeInt('segments', { description: 'At most 3 for a template to be saved.' }),
  }),
});

const TemplatePreviewRef = builder.objectRef<TemplatePreview>('TemplatePreview').implement({
  description: 'A template rendered with a real invoice; nothing is sent or stored.',
  fields: (t) => ({
    invoiceId: t.exposeID('invoice_id'),
    key: t.exposeString('key'),
    locale: t.exposeString('locale', { description: LOCALE }),
    subject: t.exposeString('subject'),
    html: t.exposeString('html'),
    text: t.exposeString('text'),
    sms: t.expose('sms', {
      type: SmsPreviewRef,
      nullable: true,
      description: 'Null: the template has no text message.',
    }),
  }),
});

// Optional in the SDL; the service says what is missing, as over REST.
const TemplateInput = builder.inputType('TemplateInput', {
  description:
    "The Handlebars source of the three parts of the email, all required, and of the text message (optional: Relance's for a default key).",
  fields: (t) => ({ subject: t.string(), html: t.string(), text: t.string(), sms: t.string() }),
});

const PreviewTemplateInput = builder.inputType('PreviewTemplateInput', {
  description:
    "The template `key` (the account's version, else the default) rendered with a real invoice; `locale` defaults to the " +
    "customer's, else the account's. A `subject`, `html`, `text` or `sms` given here is rendered instead of the stored one.",
  fields: (t) => ({
    invoiceId: t.id(),
    key: t.string(),
    locale: t.string({ description: LOCALE }),
    subject: t.string(),
    html: t.string(),
    text: t.string(),
    sms: t.string({ description: 'A text message to render instead of the stored one.' }),
  }),
});

const keyAndLocale = builder.args((t) => ({
  key: t.string({ required: true }),
  locale: t.string({ required: true, description: LOCALE }),
}));

builder.queryFields((t) => ({
  templates: t.field({
    type: TemplateList,
    description:
      "The templates in effect: each default key in each locale (the account's version where it wrote one), then the account's own keys.",
    resolve: (_root, _args, { actor, services }) => services.templates.list(actor),
  }),
  template: t.field({
    type: TemplateRef,
    nullable: true,
    description: 'The template in effect for a key and locale, or null.',
    args: keyAndLocale,
    resolve: (_root, { key, locale }, { actor, services }) => orNull(services.templates.get(actor, key, locale)),
  }),
  previewTemplate: t.field({
    type: TemplatePreviewRef,
    description: 'Renders a template with a real invoice, as it would be sent today. Nothing is sent or stored.',
    args: { input: t.arg({ type: PreviewTemplateInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.templates.preview(actor, toServiceInput<TemplatePreviewRequest>(input)),
  }),
}));

builder.mutationFields((t) => ({
  putTemplate: t.field({
    type: TemplateRef,
    description: "Writes the account's version of a template; refused (nothing stored) if it does not render.",
    args: { ...keyAndLocale, input: t.arg({ type: TemplateInput, required: true }) },
    resolve: (_root, { key, locale, input }, { actor, services }) =>
      services.templates.put(actor, key, locale, toServiceInput<TemplateContent>(input)),
  }),
  deleteTemplate: t.field({
    type: DeletedTemplate,
    description: "Deletes the account's version of a template: the default applies again.",
    args: keyAndLocale,
    resolve: (_root, { key, locale }, { actor, services }) => services.templates.delete(actor, key, locale),
  }),
}));
