import type { Selectable } from 'kysely';
import type { TemplateSource } from '../../mail/render.ts';
import { defaultSms } from '../../mail/templates/index.ts';
import type { Db } from '../../store/database.ts';
import type { MessageTemplates } from '../../store/db-types.ts';
import { CHASED_STATUSES } from '../shared/index.ts';
import type { Template, TemplateContent, TemplateLocale } from './template.schemas.ts';

type Row = Selectable<MessageTemplates>;

/** The account's own version of a template. */
export const presentTemplate = (row: Row): Template => ({
  object: 'template',
  key: row.key,
  locale: row.locale as TemplateLocale,
  source: 'custom',
  subject: row.subject,
  html: row.html,
  text: row.text,
  sms: row.sms ?? defaultSms(row.key, row.locale as TemplateLocale) ?? null,
  updated_at: row.updated_at.toISOString(),
});

/** Relance's default of a template, where the account wrote none. */
export const presentDefaultTemplate = (key: string, locale: TemplateLocale, template: TemplateSource): Template => ({
  object: 'template',
  key,
  locale,
  source: 'default',
  ...template,
  sms: defaultSms(key, locale) ?? null,
  updated_at: null,
});

/** The account's own version of `key` in `locale`, if it wrote one. */
export const findOverride = (trx: Db, key: string, locale: string) =>
  trx
    .selectFrom('message_templates')
    .selectAll()
    .where('key', '=', key)
    .where('locale', '=', locale)
    .executeTakeFirst();

/** Every template the account wrote. */
export const listOverrides = (trx: Db) => trx.selectFrom('message_templates').selectAll().execute();

/** Writes the account's version of `key` in `locale`, replacing the one it had. */
export const upsertOverride = (
  trx: Db,
  template: { accountId: string; key: string; locale: string; content: TemplateContent },
  now: Date,
) => {
  const { content } = template;
  return trx
    .insertInto('message_templates')
    .values({
      account_id: template.accountId,
      key: template.key,
      locale: template.locale,
      ...content,
      sms: content.sms ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'key', 'locale'])
        .doUpdateSet({ ...content, sms: content.sms ?? null, updated_at: now }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
};

/** Removes the account's version of `key` in `locale`; undefined if it had none. */
export const deleteOverride = (trx: Db, key: string, locale: string) =>
  trx
    .deleteFrom('message_templates')
    .where('key', '=', key)
    .where('locale', '=', locale)
    .returning('key')
    .executeTakeFirst();

/** What the customer owes now, per currency (a statement preview). */
export async function customerBalances(trx: Db, customerId: string) {
  return (
    await trx
      .selectFrom('invoices')
      .select(['currency', (eb) => eb.fn.sum<string>('balance').as('amount')])
      .where('customer_id', '=', customerId)
      .where('status', 'in', [...CHASED_STATUSES])
      .where('balance', '>', 0)
      .groupBy('currency')
      .orderBy('currency')
      .execute()
  ).map((b) => ({ currency: b.currency, amount: Number(b.amount) }));
}

/** The customer's chased invoices, oldest due first, up to 50 (a grouped message's preview). */
export const openInvoicesOfCustomer = (trx: Db, customerId: string) =>
  trx
    .selectFrom('invoices')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('status', 'in', [...CHASED_STATUSES])
    .orderBy('due_date')
    .orderBy('id')
    .limit(50)
    .execute();
