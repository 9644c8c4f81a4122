import Type from 'typebox';
import { Id, ListQuery, Timestamp } from '../shared/schemas.ts';

export const Event = Type.Object(
  {
    id: Id('evt'),
    object: Type.Literal('event'),
    type: Type.String({ description: 'What happened: `invoice.created`, `reminder.sent`, `dispute.opened`, `task.created`…', examples: ['invoice.paid'] }),
    object_type: Type.String({ description: 'The kind of object it happened to: `invoice`, `customer`, `reminder`, `task`, `dispute`…' }),
    object_id: Type.String({ description: 'The id of that object.' }),
    data: Type.Object({}, { additionalProperties: true, description: 'A snapshot of the object (or of the change) as the API showed it at the time.' }),
    sequence: Type.Integer({ minimum: 1, description: 'Grows with every event written: orders events exactly, even within the same instant.' }),
    created_at: Timestamp,
  },
  { $id: 'Event', additionalProperties: false },
);
export type Event = Type.Static<typeof Event>;

export const EventListQuery = Type.Object(
  {
    ...ListQuery,
    type: Type.Optional(Type.String({ maxLength: 100, description: 'Only events of this type, such as `invoice.paid`.' })),
    object_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only events about this object (an invoice, a task…).' })),
    created_from: Type.Optional(Type.String({ format: 'date-time', description: 'Only events written at or after this instant.' })),
    created_to: Type.Optional(Type.String({ format: 'date-time', description: 'Only events written at or before this instant.' })),
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
