import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import {
  buildGroupedContext,
  buildReminderContext,
  buildStatementContext,
  resolveTemplateLocale,
  sampleGroupedContexts,
  sampleReminderContexts,
  sampleStatementContexts,
  TEMPLATE_LOCALES,
  type ToneLevel,
} from '../../mail/context.ts';
import { renderSms, renderTemplate, TEMPLATE_PARTS, type TemplateSource } from '../../mail/render.ts';
import {
  DEFAULT_KEYS,
  DEFAULT_STEP_OFFSETS,
  defaultSms,
  defaultTemplate,
  GROUPED_TEMPLATE_KEY,
  isDefaultTemplateKey,
  STATEMENT_TEMPLATE_KEY,
  stepOffsetOf,
} from '../../mail/templates/index.ts';
import type { Database, Db } from '../../store/database.ts';
import { MAX_SMS_SEGMENTS, smsSize } from '../../sms/segments.ts';
import { parseInput } from '../../validation.ts';
import { getAccount, presentAccount } from '../accounts/index.ts';
import { addDays, addMonths, daysBetween, todayIn } from '../calendar.ts';
import { findCustomer, presentCustomer } from '../customers/index.ts';
import { findInvoice, presentInvoice } from '../invoices/index.ts';
import { invoicesContacted } from '../messages/index.ts';
import { type Actor, assertWriteAccess, type Page } from '../shared/index.ts';
import {
  customerBalances,
  deleteOverride,
  findOverride,
  listOverrides,
  openInvoicesOfCustomer,
  presentDefaultTemplate as presentDefault,
  presentTemplate as present,
  upsertOverride,
} from './template.repository.ts';
import {
  type Template,
  TemplateContent,
  type TemplateDeleted,
  type TemplateLocale,
  TemplateParams,
  type SmsPreview,
  type TemplatePreview,
  TemplatePreviewRequest,
} from './template.schemas.ts';

/** A template as the sender renders it: the email's three parts and the text message (null: none). */
export interface ResolvedTemplate extends TemplateSource {
  sms: string | null;
}

const templateNotFound = (key: string, locale: string) =>
  new AppError(
    'template/not_found',
    404,
    `No template '${key}' in '${locale}': Relance has no default for it and this account has not written one.`,
  );

/**
 * The template of `key` in `locale` for the account of `trx`: its own version, else Relance's
 * default. For the sender, inside its transaction.
 * @throws AppError `template/not_found` when there is neither.
 */
export async function resolveTemplate(trx: Db, key: string, locale: TemplateLocale): Promise<ResolvedTemplate> {
  const row = await findOverride(trx, key, locale);
  const sms = row?.sms ?? defaultSms(key, locale) ?? null;
  if (row) return { subject: row.subject, html: row.html, text: row.text, sms };
  const fallback = defaultTemplate(key, locale);
  if (!fallback) throw templateNotFound(key, locale);
  return { ...fallback, sms };
}

const smsPreview = (text: string): SmsPreview => {
  const size = smsSize(text);
  return { text, encoding: size.encoding, characters: size.characters, segments: size.segments };
};

/** Whether `key` has a text message in some locale: one of Relance's keys, or the account's own with an `sms`. */
export async function hasTextMessage(trx: Db, key: string): Promise<boolean> {
  for (const locale of TEMPLATE_LOCALES) {
    const template = await resolveTemplate(trx, key, locale).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'template/not_found') return null;
      throw error;
    });
    if (template?.sms) return true;
  }
  return false;
}

/** A text message's encoding and segments, refused past {@link MAX_SMS_SEGMENTS}. */
export function measureSms(text: string): SmsPreview {
  const size = smsPreview(text);
  if (size.segments > MAX_SMS_SEGMENTS)
    throw new AppError(
      'template/sms_too_long',
      422,
      `The text message renders in ${size.segments} segments (${size.characters} characters, ${size.encoding}); at most ${MAX_SMS_SEGMENTS} are allowed. Shorten it${size.encoding === 'UCS-2' ? ', or use only GSM-7 characters (ê, ç, ô and emoji are not)' : ''}.`,
      { errors: [{ field: '/sms', message: `renders in ${size.segments} segments, over ${MAX_SMS_SEGMENTS}` }] },
    );
  return size;
}

/**
 * Refuses a template that does not render on a made-up reminder, with every optional value
 * present and with none, or whose text message would take more than 3 segments.
 */
function assertRenders(template: TemplateSource & { sms?: string | null }, key: string, locale: TemplateLocale): void {
  if (key === STATEMENT_TEMPLATE_KEY) {
    // The statement email has a statement, not an invoice, and no text message.
    for (const context of sampleStatementContexts(locale)) renderTemplate(template, context);
    return;
  }
  const contexts = key === GROUPED_TEMPLATE_KEY ? sampleGroupedContexts(locale) : sampleReminderContexts(locale, key);
  for (const context of contexts) {
    renderTemplate(template, context);
    if (template.sms) measureSms(renderSms(template.sms, context));
  }
}

/**
 * The default schedule's step for an invoice this many days past due: the last of its overdue
 * steps already reached (the friendly one from the first day late), else due today, else before.
 */
const toneForDays = (days: number): { key: string; tone: ToneLevel } => {
  const at = (key: keyof typeof DEFAULT_STEP_OFFSETS) => DEFAULT_STEP_OFFSETS[key] ?? 0;
  if (days >= at('final_notice')) return { key: 'final_notice', tone: 'final' };
  if (days >= at('overdue_firm')) return { key: 'overdue_firm', tone: 'firm' };
  if (days > at('due_today')) return { key: 'overdue_friendly', tone: 'overdue' };
  if (days === at('due_today')) return { key: 'due_today', tone: 'due_today' };
  return { key: 'before_due', tone: 'before_due' };
};

/**
 * A grouped message previewed on the customer's open invoices: each as the default schedule
 * would be reminding it today, in the tone of the latest of them.
 */
function groupedPreviewContext(
  read: {
    customer: Parameters<typeof buildReminderContext>[0]['customer'];
    account: Parameters<typeof buildReminderContext>[0]['account'];
    locale: TemplateLocale;
    open: Array<{ invoice: ReturnType<typeof presentInvoice>; remindedBefore: boolean }>;
  },
  today: string,
) {
  const items = read.open.map(({ invoice, remindedBefore }) => {
    const days = daysBetween(invoice.due_date, today);
    const { key } = toneForDays(days);
    return {
      input: {
        account: read.account,
        customer: read.customer,
        invoice,
        today,
        stepKey: key,
        offsetDays: days,
        locale: read.locale,
      },
      remindedBefore,
    };
  });
  let lead = 0;
  for (const [i, item] of items.entries()) if (item.input.offsetDays > (items[lead]?.input.offsetDays ?? 0)) lead = i;
  const leadDays = items[lead]?.input.offsetDays ?? 0;
  return buildGroupedContext(items, lead, toneForDays(leadDays).tone);
}

const isActor = (scope: Actor | Db): scope is Actor => typeof (scope as Actor).accountId === 'string';

export function createTemplateService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const params = (key: string, locale: string) => parseInput<TemplateParams>(TemplateParams, { key, locale });

  return {
    /**
     * Every template in effect: each default key in each locale (the account's version if it
     * wrote one), then the account's own keys. In schedule order, then by key; French first.
     */
    async list(actor: Actor): Promise<Page<Template>> {
      const rows = await database.withAccount(actor.accountId, listOverrides);
      const custom = new Map(rows.map((row) => [`${row.key}/${row.locale}`, row]));
      const ownKeys = [...new Set(rows.map((row) => row.key).filter((key) => !isDefaultTemplateKey(key)))].sort();
      const data: Template[] = [];
      for (const key of [...DEFAULT_KEYS, ...ownKeys]) {
        for (const locale of TEMPLATE_LOCALES) {
          const row = custom.get(`${key}/${locale}`);
          const fallback = defaultTemplate(key, locale);
          if (row) data.push(present(row));
          else if (fallback) data.push(presentDefault(key, locale, fallback));
        }
      }
      return { object: 'list', data, has_more: false, next_cursor: null };
    },

    /** The template in effect for `key` in `locale`: the account's version, else the default. */
    async get(actor: Actor, key: string, locale: string): Promise<Template> {
      const p = params(key, locale);
      const row = await database.withAccount(actor.accountId, (trx) => findOverride(trx, p.key, p.locale));
      if (row) return present(row);
      const fallback = defaultTemplate(p.key, p.locale);
      if (!fallback) throw templateNotFound(p.key, p.locale);
      return presentDefault(p.key, p.locale, fallback);
    },

    /**
     * Writes the account's version of `key` in `locale` (a default step or a key of its own).
     * It is rendered first on sample reminders: one that fails is refused and nothing is stored.
     */
    async put(actor: Actor, key: string, locale: string, input: TemplateContent): Promise<Template> {
      assertWriteAccess(actor);
      const p = params(key, locale);
      const content = parseInput<TemplateContent>(TemplateContent, input);
      assertRenders(content, p.key, p.locale);
      const now = clock.now();
      const row = await database.withAccount(actor.accountId, (trx) =>
        upsertOverride(trx, { accountId: actor.accountId, key: p.key, locale: p.locale, content }, now),
      );
      return present(row);
    },

    /** Removes the account's version: the default applies again (a key of its own no longer exists). */
    async delete(actor: Actor, key: string, locale: string): Promise<TemplateDeleted> {
      assertWriteAccess(actor);
      const p = params(key, locale);
      const row = await database.withAccount(actor.accountId, (trx) => deleteOverride(trx, p.key, p.locale));
      if (!row) {
        throw new AppError(
          'template/not_found',
          404,
          isDefaultTemplateKey(p.key)
            ? `This account has no version of '${p.key}' in '${p.locale}' to delete: the default is already in use.`
            : `No template '${p.key}' in '${p.locale}' in this account.`,
        );
      }
      return { object: 'template', key: p.key, locale: p.locale, deleted: true };
    },

    /**
     * The template to render for `key` in `locale`: the account's version, else the default.
     * Give the caller's transaction (`trx`) to read it there, or an actor to open one.
     */
    resolve(scope: Actor | Db, key: string, locale: TemplateLocale): Promise<TemplateSource> {
      return isActor(scope)
        ? database.withAccount(scope.accountId, (trx) => resolveTemplate(trx, key, locale))
        : resolveTemplate(scope, key, locale);
    },

    /**
     * Renders a template with a real invoice, its customer and the account, as of today in the
     * account's time zone. Parts given in the request replace the stored ones.
     */
    async preview(actor: Actor, input: TemplatePreviewRequest): Promise<TemplatePreview> {
      const data = parseInput<TemplatePreviewRequest>(TemplatePreviewRequest, input);
      const today = todayIn(clock.now(), actor.timeZone);
      const read = await database.withAccount(actor.accountId, async (trx) => {
        const invoiceRow = await findInvoice(trx, data.invoice_id);
        if (!invoiceRow) throw notFound('invoice', data.invoice_id);
        const customerRow = await findCustomer(trx, invoiceRow.customer_id);
        if (!customerRow) throw notFound('customer', invoiceRow.customer_id);
        const accountRow = await getAccount(trx, actor.accountId);
        const customer = presentCustomer(customerRow);
        const account = presentAccount(accountRow);
        const locale = data.locale ?? resolveTemplateLocale(customer.locale, account.locale);
        // All three parts given: a key not stored yet may be tried (its text message, if any, is the one given).
        const complete = TEMPLATE_PARTS.every((part) => data[part] !== undefined);
        const stored = await resolveTemplate(trx, data.key, locale).catch((error: unknown) => {
          if (complete && error instanceof AppError && error.code === 'template/not_found') return undefined;
          throw error;
        });
        // The statement email's preview: the invoice's customer, what it owes now per currency.
        const balances = data.key === STATEMENT_TEMPLATE_KEY ? await customerBalances(trx, customerRow.id) : [];
        // `grouped`: the customer's open invoices, as one message would list them today.
        const open = data.key === GROUPED_TEMPLATE_KEY ? await openInvoicesOfCustomer(trx, customerRow.id) : [];
        const contacted = await invoicesContacted(
          trx,
          actor.accountId,
          open.map((i) => i.id),
        );
        return {
          invoice: presentInvoice(invoiceRow, today),
          customer,
          account,
          locale,
          stored,
          balances,
          open: open.map((i) => ({ invoice: presentInvoice(i, today), remindedBefore: contacted.has(i.id) })),
        };
      });
      const template = Object.fromEntries(
        TEMPLATE_PARTS.map((part) => [part, data[part] ?? read.stored?.[part] ?? '']),
      ) as TemplateSource;
      const offsetDays = stepOffsetOf(data.key) ?? daysBetween(read.invoice.due_date, today);
      const context =
        data.key === STATEMENT_TEMPLATE_KEY
          ? buildStatementContext({
              ...read,
              today,
              // The period a statement sent today would cover: last month.
              statement: {
                from: `${addMonths(today, -1).slice(0, 7)}-01`,
                to: addDays(`${today.slice(0, 7)}-01`, -1),
                balances: read.balances,
              },
            })
          : data.key === GROUPED_TEMPLATE_KEY && read.open.length > 0
            ? groupedPreviewContext(read, today)
            : buildReminderContext({ ...read, today, stepKey: data.key, offsetDays });
      const sms = data.sms ?? read.stored?.sms ?? null;
      return {
        object: 'template_preview',
        invoice_id: data.invoice_id,
        key: data.key,
        locale: read.locale,
        ...renderTemplate(template, context),
        // Reported as it is, even over the limit (saving it would be refused).
        sms: sms === null ? null : smsPreview(renderSms(sms, context)),
      };
    },
  };
}

export type TemplateService = ReturnType<typeof createTemplateService>;
