import Type from 'typebox';
import { Id, ListQuery, Timestamp } from '../shared/index.ts';

export const Event = Type.Object(
  {
    id: Id('evt'),
    object: Type.Literal('event'),
    account_id: Type.String({ description: 'The account it belongs to.' }),
    type: Type.String({
      description:
        'What happened: `invoice.created`, `reminder.sent`, `dispute.opened`, `task.created`… (the catalogue: docs/events.md).',
      examples: ['invoice.paid'],
    }),
    object_type: Type.String({
      description: 'The kind of object it happened to: `invoice`, `customer`, `reminder`, `task`, `dispute`…',
    }),
    object_id: Type.String({ description: 'The id of that object.' }),
    data: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'A snapshot of the object as the API showed it at the time; its schema depends on `type` (see the `webhooks` section and docs/events.md).',
      },
    ),
    object_sequence: Type.Integer({
      minimum: 1,
      description:
        "This event's rank among the events of its object: 1, 2, 3… with no gap. A subscriber orders what it receives about one object by it, and ignores an event whose `object_sequence` is not above the last one it applied.",
    }),
    sequence: Type.Integer({
      minimum: 1,
      description:
        'Grows with every event of the service: orders the events of an account, even within the same instant (gaps are normal).',
    }),
    created_at: Timestamp,
  },
  { $id: 'Event', additionalProperties: false },
);
export type Event = Type.Static<typeof Event>;

export const EventListQuery = Type.Object(
  {
    ...ListQuery,
    type: Type.Optional(
      Type.String({ maxLength: 100, description: 'Only events of this type, such as `invoice.paid`.' }),
    ),
    object_id: Type.Optional(
      Type.String({ maxLength: 64, description: 'Only events about this object (an invoice, a task…).' }),
    ),
    created_from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only events written at or after this instant.' }),
    ),
    created_to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only events written at or before this instant.' }),
    ),
    delivery_success: Type.Optional(
      Type.Boolean({
        description:
          '`false`: only events with at least one webhook delivery not (yet) succeeded (failed or still retrying). ' +
          '`true`: only events delivered, and successfully, to every endpoint they were sent to.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EventListQuery = Type.Static<typeof EventListQuery>;
