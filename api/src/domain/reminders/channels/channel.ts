import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { Accounts, Customers, Invoices, Messages } from '../../../store/db-types.ts';
import type { EmailTransport } from '../../../mail/transport.ts';
import type { SmsTransport } from '../../../sms/transport.ts';
import type { FormalNoticeRenderer } from '../../documents/index.ts';
import type { OccurrenceRow } from '../reminder-occurrence.repository.ts';

// The one interface every reminder channel implements (see channels/registry.ts and
// docs/architecture.md#adding-a-channel). The engine runs the guard and the ledger; a channel
// says what a step of its kind plans, composes, delivers and settles.

/** What the engine needs to compose an email: the rendered message in the recipient's language. */
export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
  locale: string;
  /** The template actually rendered (`first_overdue` in place of a step that presupposes earlier reminders). */
  templateKey?: string;
}

/** What a composer is given: the reminder, its invoice and who it goes to, as they are now. */
export interface ComposeInput {
  account: Selectable<Accounts>;
  customer: Selectable<Customers>;
  invoice: Selectable<Invoices>;
  occurrence: OccurrenceRow;
  today: string;
  /** When the message is written for sending (a preview has none, and creates no page link). */
  now?: Date;
}

/** A text message rendered in the recipient's language, on one line. */
export interface ComposedSms {
  text: string;
  locale: string;
  templateKey: string;
}

/** One invoice of a grouped message and the reminder it carries. */
export interface GroupedItem {
  invoice: Selectable<Invoices>;
  occurrence: OccurrenceRow;
  /** The customer had a message about this invoice before. */
  remindedBefore: boolean;
}

/** A grouped message (docs/reminders.md#one-message-per-customer): one customer, its invoices of the day. */
export interface GroupedComposeInput {
  account: Selectable<Accounts>;
  customer: Selectable<Customers>;
  items: readonly GroupedItem[];
  /** The item whose step is the most advanced: its tone is the message's. */
  lead: number;
  today: string;
  now?: Date;
}

export interface MessageComposer {
  compose(trx: Db, input: ComposeInput): Promise<ComposedEmail>;
  /** The step's text message (the template's `sms`); throws when the template has none. */
  composeSms(trx: Db, input: ComposeInput): Promise<ComposedSms>;
  /** The `grouped` template's email for several invoices of one customer. */
  composeGrouped(trx: Db, input: GroupedComposeInput): Promise<ComposedEmail>;
  /** The `grouped` template's text message; throws when it has none. */
  composeGroupedSms(trx: Db, input: GroupedComposeInput): Promise<ComposedSms>;
}

/** A reminder that passed the guard, in the guard's transaction (its invoice row locked). */
export interface ChannelContext extends ComposeInput {
  trx: Db;
  accountId: string;
  now: Date;
  /** Addresses that must receive nothing from this account (bounces, complaints), lower-cased. */
  suppressed: ReadonlySet<string>;
  /** Mobile numbers (E.164) that answered STOP to this account's texts. */
  suppressedPhones: ReadonlySet<string>;
  /** The step attaches the invoice's PDF (an email step's `attach_invoice_pdf`). */
  attachInvoicePdf?: boolean;
  /** The step attaches the customer's statement of account (an email step's `attach_statement`). */
  attachStatement?: boolean;
}

/**
 * A customer's reminders of one day that passed the guard, to go out as one message (a policy's
 * `grouping: "customer"`), in the guard's transaction.
 */
export interface GroupContext extends Omit<GroupedComposeInput, 'now'> {
  trx: Db;
  accountId: string;
  now: Date;
  suppressed: ReadonlySet<string>;
  suppressedPhones: ReadonlySet<string>;
  /** The customer, the local day and the channel: at most one live message per key. */
  groupKey: string;
}

/** A message row as a channel composes it, before it is stored. */
export type MessageValues = Insertable<Messages> & {
  id: string;
  to_addresses: string[];
  cc_addresses: string[];
  reply_to: string | null;
};

/** What composing a reminder came to. */
export type Composition =
  /** Done in the guard's transaction (a task created, an event written); `data` goes into `reminder.sent`. */
  | { kind: 'done'; data?: Record<string, unknown>; taskId?: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; failure: string }
  /** A message to store and hand to the channel's provider (`delivery`). */
  | { kind: 'message'; message: MessageValues };

/** A file that goes with a message (a letter as PDF). */
export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** One stored message on its way to the provider: a retry sends exactly these bytes under the same key. */
export interface Dispatch {
  occurrence: OccurrenceRow;
  message: Pick<
    Selectable<Messages>,
    | 'id'
    | 'customer_id'
    | 'locale'
    | 'from_address'
    | 'to_addresses'
    | 'cc_addresses'
    | 'reply_to'
    | 'subject'
    | 'html'
    | 'text'
    | 'attachment_kind'
    | 'attachment_url'
    | 'attachment_document_id'
    | 'attachment_error'
    | 'group_key'
  >;
  /** The provider's idempotency key: the occurrence id (a grouped message's: its group key), the same at every attempt. */
  idempotencyKey: string;
  /** A grouped message: the other reminders it carries, settled with `occurrence`. */
  carried?: OccurrenceRow[];
  attachments?: readonly Attachment[];
}

/** What the provider said of one dispatch. */
export type DeliveryResult =
  | { ok: true; providerMessageId: string }
  /**
   * `retryable`: no answer, 429, 5xx… (later may work, and the reminder never fails of it);
   * otherwise a refusal, final. `retryAfterMs`: how long the provider asked us to wait.
   * `outcomeUnknown`: the provider may have taken it (no answer, 5xx): a batch it went in is
   * offered again as it was, under the same key.
   */
  | {
      ok: false;
      failure: string;
      retryable: boolean;
      retryAfterMs?: number | null;
      outcomeUnknown?: boolean;
      /** The recipient opted out of this sender (a text to a number that answered STOP): it is suppressed. */
      optedOut?: boolean;
    };

/** How a channel's messages reach their provider. Called with no database transaction open. */
export interface Delivery {
  /**
   * The provider deduplicates by our key (Resend's `Idempotency-Key`): an attempt whose outcome
   * is unknown (a crash between the call and the settle) is simply made again with the same key.
   * Without one (SMS), such an attempt is surfaced as failed, never made again blindly.
   */
  readonly idempotent: boolean;
  /** Nothing leaves the process (the local outbox): delivered inside the guard's transaction. */
  readonly local: boolean;
  /** The most dispatches one `sendBatch` carries (a batch API); 1: one by one. */
  readonly maxBatch: number;
  /** The transport's name, stored on the message. */
  readonly transport: string;
  /** One call per dispatch, each under its own key; one result per dispatch, in order. Never throws for a provider's answer. */
  send(dispatches: readonly Dispatch[]): Promise<DeliveryResult[]>;
  /**
   * One call for all of them (none with attachments), under `idempotencyKey`: the provider
   * replays the same batch under the same key. One result per dispatch, in order. Present when
   * `maxBatch` > 1.
   */
  sendBatch?(dispatches: readonly Dispatch[], idempotencyKey: string): Promise<DeliveryResult[]>;
  /**
   * The delivery for one account's messages, when it may differ from this one (an account that
   * brings its own provider credential). Resolved before the account's batch, outside any transaction.
   */
  forAccount?(accountId: string): Promise<Delivery>;
}

/** What a channel needs from outside the domain, wired in `services.ts`. */
export interface ChannelDeps {
  transport: EmailTransport;
  /** An account's own email transport (its own Resend key), or null: the service's `transport`. */
  transportFor?: (accountId: string) => Promise<EmailTransport | null>;
  composer: MessageComposer;
  /**
   * Names a `letter` step's formal notice, decided with the reminder; its PDF is written by the
   * workers afterwards (documents' `createFormalNoticeWriter`). Without it a letter step only
   * creates its task.
   */
  letters?: FormalNoticeRenderer;
  /** Where text messages go (Twilio, or the local outbox), and the sender of accounts that set none. */
  sms?: { transport: SmsTransport; sender: string | null };
}

/** What planning needs to know of a channel. */
export interface ChannelPlan {
  /** Order among steps of the same day (smaller first): emails 0, webhooks 1, tasks 2. */
  readonly rank: number;
  /** A policy's repeats follow the last step of a channel that repeats (the last email step). */
  readonly repeats: boolean;
  /** A step must name a template (`template_key`). */
  readonly needsTemplate: boolean;
  /**
   * What the channel is to the customer: `message`, a message Relance sends (it can carry the
   * first overdue notice, and counts as a contact); `task`, a person acts (a call, a letter);
   * `none`, nothing reaches the customer (an event for the integrator).
   */
  readonly contact: 'message' | 'task' | 'none';
  /** Whether it counts against the customer's contact budget (docs/reminders.md#contact-budget): what reaches the customer from us. */
  readonly budgeted: boolean;
  /**
   * It reaches a person at once (a text, a call): only in daytime in the customer's time zone
   * (the account's `daytime_from_hour` to `daytime_until_hour`), never on a Sunday or a public
   * holiday (docs/sms.md#daytime). Emails keep the policy's send hour.
   */
  readonly daytimeOnly?: boolean;
}

/** What a channel does at send time, given its dependencies. */
export interface ChannelRuntime {
  /** Compose, in the guard's transaction: act now (a task, an event), skip, fail, or a message to deliver. */
  compose(ctx: ChannelContext): Promise<Composition>;
  /** Compose one message for several reminders of a customer (its `grouped` template); absent: the channel never groups. */
  composeGroup?(ctx: GroupContext): Promise<Composition>;
  /** What the reminder would say if it went out now (the timeline's subject), or null: the channel sends no message itself. */
  preview(trx: Db, input: ComposeInput): Promise<string | null>;
  /** Deliver, outside any transaction; absent when composing does it all. The engine's ledger settles the result. */
  readonly delivery?: Delivery;
}

/** One channel's module: its name, how it is planned, and its runtime. */
export interface ChannelModule<Name extends string = string> {
  /** As in policies' steps, occurrences, events and the API. */
  readonly name: Name;
  /** One sentence for the API's description of the channel enum ("a task for a person."). */
  readonly summary: string;
  readonly plan: ChannelPlan;
  create(deps: ChannelDeps): ChannelRuntime;
}

export type ReminderChannel = ChannelRuntime & Pick<ChannelModule, 'name' | 'plan'>;

/** Declares a channel module (keeps its name a literal type, for the API's enum). */
export const defineChannel = <const Name extends string>(module: ChannelModule<Name>): ChannelModule<Name> => module;

/**
 * Whether an attempt may be made. Attempts are claimed on the occurrence before the call and
 * counted on the message when settled: a claimed attempt that never settled has an unknown
 * outcome. An idempotent provider is asked again under the same key; any other is not.
 */
export function mayAttempt(delivery: Pick<Delivery, 'idempotent'>, claimed: number, settled: number): boolean {
  return delivery.idempotent || claimed <= settled;
}
