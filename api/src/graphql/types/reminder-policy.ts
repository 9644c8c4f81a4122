import { type Channel, CHANNEL_NAMES, describeChannels } from '../../domain/reminders/index.ts';
import type {
  ReminderDelivery,
  ReminderPolicy,
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  RemindersRequeued,
  RemindersRetry,
  ReminderStep,
  TestClock,
  Timeline,
  TimelineEntry,
} from '../../domain/reminders/index.ts';
import type { PageQuery } from '../../domain/shared/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { Deleted, listType, pageArgs } from './common.ts';

// The values come from the reminders module's channel registry: a new channel appears here by itself.
export const ReminderChannel = builder.enumType('ReminderChannel', {
  description: describeChannels((name) => name.toUpperCase()),
  values: Object.fromEntries(CHANNEL_NAMES.map((name) => [name.toUpperCase(), { value: name }])) as Record<
    Uppercase<Channel>,
    { value: Channel }
  >,
});

const ReminderStepRef = builder.objectRef<ReminderStep>('ReminderStep').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    offsetDays: t.exposeInt('offset_days', { description: 'Days from the due date: negative before it.' }),
    channel: t.expose('channel', { type: ReminderChannel }),
    templateKey: t.exposeString('template_key', { nullable: true }),
    appliesLateFees: t.exposeBoolean('applies_late_fees'),
    firstContactAllowed: t.exposeBoolean('first_contact_allowed', {
      description:
        'Whether this step may be the first message about the invoice; when not, an email step goes out as the first overdue notice.',
    }),
    attachInvoicePdf: t.boolean({
      description: "An email step: the email carries the invoice's PDF as an attachment.",
      resolve: (step) => step.attach_invoice_pdf ?? false,
    }),
    attachStatement: t.boolean({
      description: "An email step: the email carries the customer's statement of account (PDF) as an attachment.",
      resolve: (step) => step.attach_statement ?? false,
    }),
  }),
});

export const CurrencyAmountRef = builder.objectRef<{ currency: string; amount: number }>('CurrencyAmount').implement({
  fields: (t) => ({ currency: t.exposeString('currency'), amount: t.expose('amount', { type: 'Amount' }) }),
});

export const CurrencyAmountInput = builder.inputType('CurrencyAmountInput', {
  fields: (t) => ({ currency: t.string({ required: true }), amount: t.field({ type: 'Amount', required: true }) }),
});

/** GraphQL's list of amounts as the service's map `{ EUR: 500 }`. */
function policyInputOf<T>(input: { minBalance?: Array<{ currency: string; amount: number }> | null }): T {
  const { minBalance, ...rest } = input;
  const converted = toServiceInput<Record<string, unknown>>(rest);
  if (minBalance) converted.min_balance = Object.fromEntries(minBalance.map((m) => [m.currency, m.amount]));
  return converted as T;
}

const RepeatRef = builder.objectRef<{ every_days: number; max: number }>('ReminderRepeat').implement({
  fields: (t) => ({ everyDays: t.exposeInt('every_days'), max: t.exposeInt('max') }),
});

const ReminderPolicyRef = builder.objectRef<ReminderPolicy>('ReminderPolicy').implement({
  description: 'When and how invoices are chased: steps relative to the due date, repeats, send time, minimum balance.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    steps: t.expose('steps', { type: [ReminderStepRef] }),
    repeat: t.expose('repeat', { type: RepeatRef, nullable: true }),
    sendHour: t.exposeInt('send_hour'),
    sendMinute: t.exposeInt('send_minute'),
    skipWeekends: t.exposeBoolean('skip_weekends'),
    skipHolidays: t.exposeBoolean('skip_holidays', {
      description:
        "Public holidays of the customer's country (else the account's) move reminders to the next working day.",
    }),
    minBalance: t.field({
      type: [CurrencyAmountRef],
      description: 'Per currency, the balance below which nobody is chased.',
      resolve: (p) => Object.entries(p.min_balance).map(([currency, amount]) => ({ currency, amount })),
    }),
    minGapDays: t.exposeInt('min_gap_days', {
      description: 'Days a catch-up (a late reminder, a first overdue notice) keeps before the next step.',
    }),
    maxContactsPerWeek: t.exposeInt('max_contacts_per_week', {
      nullable: true,
      description: "Contacts a customer may get in any 7 days (null: the account's).",
    }),
    minDaysBetweenContacts: t.exposeInt('min_days_between_contacts', {
      nullable: true,
      description: "Days between two contacts of a customer (null: the account's).",
    }),
    grouping: t.exposeString('grouping', {
      description:
        "`invoice`: one message per reminder; `customer`: a customer's reminders of one day and channel go out as one message.",
    }),
    upcomingHours: t.exposeInt('upcoming_hours', {
      description: 'Hours before each reminder at which `reminder.upcoming` goes out (0: none).',
    }),
    isDefault: t.exposeBoolean('is_default'),
    invoicesToReplan: t.exposeInt('invoices_to_replan', {
      description:
        'Open invoices following this policy that the workers have still to replan after its last change (0 when none).',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const ReminderStepInput = builder.inputType('ReminderStepInput', {
  fields: (t) => ({
    id: t.id({ description: 'Keep it to update a step in place.' }),
    offsetDays: t.int(),
    channel: t.field({ type: ReminderChannel }),
    templateKey: t.string(),
    appliesLateFees: t.boolean(),
    firstContactAllowed: t.boolean(),
    attachInvoicePdf: t.boolean({ description: "An email step only: attach the invoice's PDF (default false)." }),
    attachStatement: t.boolean({
      description: "An email step only: attach the customer's statement of account (default false).",
    }),
  }),
});

const ReminderRepeatInput = builder.inputType('ReminderRepeatInput', {
  fields: (t) => ({ everyDays: t.int(), max: t.int() }),
});

function policyInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      name: t.string(),
      steps: t.field({ type: [ReminderStepInput] }),
      repeat: t.field({ type: ReminderRepeatInput, description: 'Null: no repeat.' }),
      sendHour: t.int(),
      sendMinute: t.int(),
      skipWeekends: t.boolean(),
      skipHolidays: t.boolean(),
      minGapDays: t.int(),
      maxContactsPerWeek: t.int({ description: "Contacts a customer may get in any 7 days; null: the account's." }),
      minDaysBetweenContacts: t.int({ description: "Days between two contacts; null: the account's." }),
      grouping: t.string({
        description: '`invoice` (one message per reminder) or `customer` (one per customer, day and channel).',
      }),
      upcomingHours: t.int(),
      minBalance: t.field({
        type: [CurrencyAmountInput],
        description: 'Per currency, the balance below which nobody is chased.',
      }),
    }),
  });
}

const CreateReminderPolicyInput = policyInput(
  'CreateReminderPolicyInput',
  'A new policy: `name` and `steps` are required.',
);
const UpdateReminderPolicyInput = policyInput('UpdateReminderPolicyInput', 'The fields to change (at least one).');

const TimelineEntryRef = builder.objectRef<TimelineEntry>('TimelineEntry').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    stepId: t.exposeID('step_id'),
    repeatIndex: t.exposeInt('repeat_index'),
    installmentNumber: t.exposeInt('installment_number', {
      nullable: true,
      description: 'On a payment plan: the installment this reminder is about.',
    }),
    offsetDays: t.exposeInt('offset_days'),
    channel: t.expose('channel', { type: ReminderChannel }),
    templateKey: t.exposeString('template_key', { nullable: true }),
    status: t.exposeString('status', { description: 'scheduled, held, sending, sent, skipped, failed or canceled.' }),
    scheduledAt: t.expose('scheduled_at', { type: 'DateTime', nullable: true }),
    movedFrom: t.exposeString('moved_from', {
      nullable: true,
      description: 'The local date the step fell on before weekends and public holidays moved it.',
    }),
    movedFor: t.exposeString('moved_for', {
      nullable: true,
      description: 'Each day skipped: `2026-12-25 Noël, 2026-12-26 weekend`.',
    }),
    reason: t.exposeString('reason', { nullable: true }),
    sentAs: t.exposeString('sent_as', {
      nullable: true,
      description:
        'The template it went out as when not its own (`first_overdue`: the first message about a late invoice).',
    }),
    foldedInto: t.exposeID('folded_into', {
      nullable: true,
      description: 'Skipped as superseded: the reminder that went out in its place.',
    }),
    sentAt: t.expose('sent_at', { type: 'DateTime', nullable: true }),
    subject: t.exposeString('subject', { nullable: true }),
    messageId: t.exposeID('message_id', { nullable: true }),
    taskId: t.exposeID('task_id', { nullable: true }),
  }),
});

export const TimelineRef = builder.objectRef<Timeline>('Timeline').implement({
  fields: (t) => ({
    invoiceId: t.exposeID('invoice_id'),
    reminders: t.expose('reminders', { type: [TimelineEntryRef] }),
  }),
});

const TestClockRef = builder.objectRef<TestClock>('TestClock').implement({
  fields: (t) => ({ now: t.expose('now', { type: 'DateTime' }), today: t.expose('today', { type: 'Date' }) }),
});

const ReminderDeliveryRef = builder.objectRef<ReminderDelivery>('ReminderDelivery').implement({
  description: 'One reminder of an invoice and where its delivery stands.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    channel: t.expose('channel', { type: ReminderChannel }),
    status: t.exposeString('status', { description: 'scheduled, held, sending, sent, skipped, failed or canceled.' }),
    attempts: t.exposeInt('attempts', {
      description: 'Calls made to the provider for it (a "not now" answer is not a failure).',
    }),
    failure: t.exposeString('failure', { nullable: true }),
    retryAt: t.expose('retry_at', {
      type: 'DateTime',
      nullable: true,
      description: 'While sending: when it is tried again.',
    }),
    requeues: t.exposeInt('requeues'),
    messageId: t.exposeID('message_id', { nullable: true }),
    scheduledAt: t.expose('scheduled_at', { type: 'DateTime', nullable: true }),
    heldUntil: t.expose('held_until', {
      type: 'Date',
      nullable: true,
      description: 'Held by the integrator until this day.',
    }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why it was skipped (`canceled`), held or deferred.',
    }),
  }),
});

const RemindersRequeuedRef = builder.objectRef<RemindersRequeued>('RemindersRequeued').implement({
  fields: (t) => ({
    count: t.exposeInt('count'),
    reminders: t.expose('reminders', { type: [ReminderDeliveryRef] }),
    hasMore: t.exposeBoolean('has_more', {
      description: 'More failed reminders match (at most 1000 per call): call again.',
    }),
  }),
});

const RemindersRetryInput = builder.inputType('RemindersRetryInput', {
  description: "Which failed reminders to re-queue; all of the account's when empty. The criteria combine.",
  fields: (t) => ({
    ids: t.idList(),
    invoiceId: t.id(),
    failedSince: t.field({ type: 'DateTime' }),
  }),
});

const ReminderPolicyList = listType('ReminderPolicy', ReminderPolicyRef);

builder.queryFields((t) => ({
  reminderPolicy: t.field({
    type: ReminderPolicyRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.reminderPolicies.get(actor, String(id))),
  }),
  reminderPolicies: t.field({
    type: ReminderPolicyList,
    args: pageArgs,
    resolve: (_root, args, { actor, services }) => services.reminderPolicies.list(actor, toListQuery<PageQuery>(args)),
  }),
  invoiceTimeline: t.field({
    type: TimelineRef,
    nullable: true,
    description: "An invoice's follow-up: reminders sent, skipped and to come; null for an unknown invoice.",
    args: { invoiceId: t.arg.id({ required: true }) },
    resolve: (_root, { invoiceId }, { actor, services }) =>
      orNull(services.timeline.timeline(actor, String(invoiceId))),
  }),
  testClock: t.field({
    type: TestClockRef,
    description: "A test account's clock (`test_clock/live_account` for live accounts).",
    resolve: (_root, _args, { actor, services }) => services.timeline.testClock(actor),
  }),
}));

builder.mutationFields((t) => ({
  createReminderPolicy: t.field({
    type: ReminderPolicyRef,
    args: { input: t.arg({ type: CreateReminderPolicyInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.reminderPolicies.create(actor, policyInputOf<ReminderPolicyCreate>(input)),
  }),
  updateReminderPolicy: t.field({
    type: ReminderPolicyRef,
    description: 'Open invoices that follow it are replanned; nothing already sent is sent again.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateReminderPolicyInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.reminderPolicies.update(actor, String(id), policyInputOf<ReminderPolicyUpdate>(input)),
  }),
  deleteReminderPolicy: t.field({
    type: Deleted,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.reminderPolicies.delete(actor, String(id)),
  }),
  retryReminder: t.field({
    type: ReminderDeliveryRef,
    description: 'Puts a failed reminder back in the queue (one already queued again is returned as it is).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.reminders.retries.retry(actor, String(id)),
  }),
  retryFailedReminders: t.field({
    type: RemindersRequeuedRef,
    description:
      'Puts failed reminders back in the queue: by ids, invoice, or since when they failed (at most 1000 per call).',
    args: { input: t.arg({ type: RemindersRetryInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.reminders.retries.retryMany(actor, toServiceInput<RemindersRetry>(input)),
  }),
  holdReminder: t.field({
    type: ReminderDeliveryRef,
    description:
      "Holds a reminder still to go until a day (after today, at most 365 days ahead): it goes at the policy's send time that day if still owed.",
    args: { id: t.arg.id({ required: true }), until: t.arg({ type: 'Date', required: true }) },
    resolve: (_root, { id, until }, { actor, services }) =>
      services.reminders.vetoes.hold(actor, String(id), { until: String(until) }),
  }),
  cancelReminder: t.field({
    type: ReminderDeliveryRef,
    description: 'Cancels a reminder still to go, for good (skipped, reason `canceled`).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.reminders.vetoes.cancel(actor, String(id)),
  }),
  advanceTestClock: t.field({
    type: TestClockRef,
    description: 'Moves a test account forward; every reminder, task and event due on the way happens first.',
    args: { to: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_root, { to }, { actor, services }) => services.timeline.advance(actor, { to: String(to) }),
  }),
  resetTestClock: t.field({
    type: TestClockRef,
    description:
      'Starts a test account over: deletes its customers, invoices, payments, messages, tasks and events (settings stay) and sets its clock to `to` (default: now).',
    args: { to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, { to }, { actor, services }) =>
      services.timeline.reset(actor, to == null ? {} : { to: String(to) }),
  }),
}));
