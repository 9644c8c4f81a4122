import type { Document } from '../../domain/documents/index.ts';
import type { Task, TaskComplete, TaskListQuery, TaskUpdate } from '../../domain/tasks/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const TaskKind = builder.enumType('TaskKind', {
  description:
    '`CALL`: phone the customer; `LETTER`: send a formal notice; `COLLECTION`: hand the invoice to an agency; `MESSAGE`: the customer wrote from its page, its words in `note`; `PAYMENT_CLAIM`: the customer says it paid, check the bank; `PLAN_REQUEST`: the customer asked for a payment plan beyond the account rules (`requestedPlan`).',
  values: {
    CALL: { value: 'call' },
    LETTER: { value: 'letter' },
    COLLECTION: { value: 'collection' },
    MESSAGE: { value: 'message' },
    PAYMENT_CLAIM: { value: 'payment_claim' },
    PLAN_REQUEST: { value: 'plan_request' },
  } as const,
});

const RequestedPlanRef = builder.objectRef<NonNullable<Task['requested_plan']>>('RequestedPlan').implement({
  description: 'The payment plan a customer asked for on its page: equal monthly installments.',
  fields: (t) => ({
    count: t.exposeInt('count'),
    firstDueDate: t.expose('first_due_date', { type: 'Date' }),
  }),
});

export const TaskStatus = builder.enumType('TaskStatus', {
  description: '`OPEN` until someone completes or cancels it.',
  values: { OPEN: { value: 'open' }, COMPLETED: { value: 'completed' }, CANCELED: { value: 'canceled' } } as const,
});

const DocumentStatus = builder.enumType('DocumentStatus', {
  description:
    '`STORED`: the file is there, never to change. `PENDING`: a formal notice decided with its reminder (what it states is fixed then, as of that day) whose PDF is still being written, usually within seconds; `byteSize` and `sha256` are null until `document.created`.',
  values: { PENDING: { value: 'pending' }, STORED: { value: 'stored' } } as const,
});

const DocumentRef = builder.objectRef<Document>('Document').implement({
  description:
    'A document Relance produced, stored once: the formal notice of a `letter` step, an invoice copy or a statement attached to an email. The PDF: `GET /v1/documents/{id}`.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.exposeString('kind', { description: '`formal_notice`, `invoice_copy` or `statement`.' }),
    status: t.expose('status', { type: DocumentStatus }),
    invoiceId: t.exposeID('invoice_id', { nullable: true, description: 'Null for a monthly statement.' }),
    customerId: t.exposeID('customer_id'),
    reminderId: t.exposeID('reminder_id', { nullable: true }),
    taskId: t.exposeID('task_id', { nullable: true }),
    locale: t.exposeString('locale'),
    filename: t.exposeString('filename'),
    contentType: t.exposeString('content_type'),
    byteSize: t.exposeInt('byte_size', { nullable: true }),
    sha256: t.exposeString('sha256', { nullable: true }),
    purged: t.exposeBoolean('purged', { description: "True once the customer's personal data was erased." }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

export const TaskRef = builder.objectRef<Task>('Task').implement({
  description: 'Work for a person, created by a `call`, `letter` or `collection` step of a reminder policy.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.expose('kind', { type: TaskKind }),
    status: t.expose('status', { type: TaskStatus }),
    invoiceId: t.exposeID('invoice_id'),
    customerId: t.exposeID('customer_id'),
    occurrenceId: t.exposeID('occurrence_id', {
      nullable: true,
      description: 'The planned reminder step that created the task.',
    }),
    documentId: t.exposeID('document_id', {
      nullable: true,
      description: 'A letter task: the formal notice to post (PDF at `GET /v1/documents/{id}`).',
    }),
    document: t.field({
      type: DocumentRef,
      nullable: true,
      description: 'A letter task: the formal notice to post.',
      resolve: (task, _args, { actor, services }) =>
        task.document_id ? services.documents.get(actor, task.document_id) : null,
    }),
    dueOn: t.expose('due_on', { type: 'Date' }),
    assignee: t.exposeString('assignee', {
      nullable: true,
      description: 'Who works the task: a name or label of your own.',
    }),
    outcome: t.exposeString('outcome', {
      nullable: true,
      description: 'What came of it, set when the task is completed.',
    }),
    note: t.exposeString('note', { nullable: true }),
    promiseToPayOn: t.expose('promise_to_pay_on', {
      type: 'Date',
      nullable: true,
      description: 'The payment date the customer promised during the call, if any.',
    }),
    requestedPlan: t.field({
      type: RequestedPlanRef,
      nullable: true,
      description: 'A plan request: the plan the customer asked for.',
      resolve: (task) => task.requested_plan,
    }),
    completedAt: t.expose('completed_at', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const TaskList = listType('Task', TaskRef);

const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  description: 'The fields to change (at least one); null clears one.',
  fields: (t) => ({
    assignee: t.string({ description: 'Who works the task.' }),
    note: t.string(),
  }),
});

// Optional in the SDL: the service checks `outcome`, so both APIs give the same code and pointer.
const CompleteTaskInput = builder.inputType('CompleteTaskInput', {
  description: 'How the task ended: `outcome` is required.',
  fields: (t) => ({
    outcome: t.string({ description: 'What came of it.' }),
    note: t.string(),
    promiseToPayOn: t.field({
      type: 'Date',
      description:
        'Call tasks only: the day the customer promised to pay (today or later). Reminders wait until two days after it.',
    }),
    approvePlan: t.boolean({
      description: 'Plan requests only: `true` agrees the requested payment plan on the invoice in the same step.',
    }),
  }),
});

builder.queryFields((t) => ({
  document: t.field({
    type: DocumentRef,
    nullable: true,
    description: 'A document of this account (its metadata; the PDF is `GET /v1/documents/{id}`), or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.documents.get(actor, String(id))),
  }),
  task: t.field({
    type: TaskRef,
    nullable: true,
    description: 'A task of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.tasks.get(actor, String(id))),
  }),
  tasks: t.field({
    type: TaskList,
    description: 'Tasks, newest first.',
    args: {
      ...pageArgs,
      status: t.arg({ type: TaskStatus }),
      kind: t.arg({ type: TaskKind }),
      invoiceId: t.arg.id({ description: 'Only tasks about this invoice.' }),
      customerId: t.arg.id({ description: 'Only tasks about this customer.' }),
      dueOnFrom: t.arg({ type: 'Date', description: 'Due on or after this date.' }),
      dueOnTo: t.arg({ type: 'Date', description: 'Due on or before this date.' }),
    },
    resolve: (_root, args, { actor, services }) => services.tasks.list(actor, toListQuery<TaskListQuery>(args)),
  }),
}));

builder.mutationFields((t) => {
  const byId = { id: t.arg.id({ required: true }) };
  return {
    updateTask: t.field({
      type: TaskRef,
      description: 'Assigns an open task or changes its note (`task/not_open` once it is completed or canceled).',
      args: { ...byId, input: t.arg({ type: UpdateTaskInput, required: true }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.tasks.update(actor, String(id), toServiceInput<TaskUpdate>(input)),
    }),
    completeTask: t.field({
      type: TaskRef,
      description: 'Completes an open task; a call may record a promise to pay, set on the invoice.',
      args: { ...byId, input: t.arg({ type: CompleteTaskInput, required: true }) },
      resolve: (_root, { id, input }, { actor, services }) =>
        services.tasks.complete(actor, String(id), toServiceInput<TaskComplete>(input)),
    }),
    cancelTask: t.field({
      type: TaskRef,
      description: 'Cancels an open task.',
      args: byId,
      resolve: (_root, { id }, { actor, services }) => services.tasks.cancel(actor, String(id)),
    }),
  };
});
