import Type from 'typebox';
import { CalendarDate, Id, ListQuery, Nullable, Timestamp } from '../shared/index.ts';

export const TASK_KINDS = ['call', 'letter', 'collection', 'message', 'payment_claim', 'plan_request'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATUSES = ['open', 'completed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const Note = Type.String({ minLength: 1, maxLength: 2000 });

export const Task = Type.Object(
  {
    id: Id('task'),
    object: Type.Literal('task'),
    kind: Type.Enum([...TASK_KINDS], {
      description:
        "`call`: phone the customer; `letter`: send a formal notice; `collection`: hand the invoice to an agency; `message`: the customer wrote from its page (docs/portal.md), its words in `note`; `payment_claim`: the customer says it paid, check the bank (docs/payment-claims.md); `plan_request`: the customer asked for a payment plan beyond the account's rules, its terms in `requested_plan` (approve with `complete` and `approve_plan: true`).",
    }),
    status: Type.Enum([...TASK_STATUSES], { description: '`open` until someone completes or cancels it.' }),
    invoice_id: Id('inv'),
    customer_id: Id('cus'),
    occurrence_id: Nullable(Type.String({ description: 'The planned reminder step that created the task.' })),
    document_id: Nullable(
      Type.String({
        description:
          'A `letter` task: the formal notice to post, as a PDF (`GET /v1/documents/{id}`). Set with the task; the document is `pending` until its PDF is written, usually seconds later (`document.created`).',
      }),
    ),
    due_on: CalendarDate,
    assignee: Nullable(Type.String({ description: 'Who works the task: a name or label of your own.' })),
    outcome: Nullable(Type.String({ description: 'What came of it, set when the task is completed.' })),
    note: Nullable(Type.String()),
    promise_to_pay_on: Nullable(
      Type.String({ format: 'date', description: 'The payment date the customer promised during the call, if any.' }),
    ),
    requested_plan: Nullable(
      Type.Object(
        {
          count: Type.Integer({ description: 'Monthly installments asked for.' }),
          first_due_date: CalendarDate,
        },
        { additionalProperties: false, description: 'A `plan_request` task: the plan the customer asked for.' },
      ),
    ),
    completed_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Task', additionalProperties: false },
);
export type Task = Type.Static<typeof Task>;

export const TaskUpdate = Type.Object(
  {
    assignee: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'Who works the task; null unassigns it.' })),
    ),
    note: Type.Optional(Nullable(Note)),
  },
  { $id: 'TaskUpdate', additionalProperties: false, minProperties: 1 },
);
export type TaskUpdate = Type.Static<typeof TaskUpdate>;

export const TaskComplete = Type.Object(
  {
    outcome: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'What came of it: "reached, will pay on the 15th", "letter sent"…',
    }),
    note: Type.Optional(Nullable(Note)),
    promise_to_pay_on: Type.Optional(
      Nullable(
        Type.String({
          format: 'date',
          description:
            'Call tasks only: the day the customer promised to pay (today or later). Reminders on the invoice wait until two days after it.',
        }),
      ),
    ),
    approve_plan: Type.Optional(
      Type.Boolean({
        description:
          '`plan_request` tasks only: `true` agrees the payment plan of `requested_plan` on the invoice (as `POST /v1/invoices/{id}/payment_plans` would) in the same step.',
      }),
    ),
  },
  { $id: 'TaskComplete', additionalProperties: false },
);
export type TaskComplete = Type.Static<typeof TaskComplete>;

export const TaskListQuery = Type.Object(
  {
    ...ListQuery,
    status: Type.Optional(Type.Enum([...TASK_STATUSES])),
    kind: Type.Optional(Type.Enum([...TASK_KINDS])),
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only tasks about this invoice.' })),
    customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only tasks about this customer.' })),
    due_on_from: Type.Optional(CalendarDate),
    due_on_to: Type.Optional(CalendarDate),
  },
  { additionalProperties: false },
);
export type TaskListQuery = Type.Static<typeof TaskListQuery>;
