import type { Event, EventListQuery } from '../../domain/events/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const EventRef = builder.objectRef<Event>('Event').implement({
  description: 'A change, written in the same transaction as the change itself.',
  fields: (t) => ({
    id: t.exposeID('id'),
    accountId: t.exposeID('account_id', { description: 'The account it belongs to.' }),
    type: t.exposeString('type', {
      description:
        'What happened: `invoice.created`, `reminder.sent`, `dispute.opened`… (the catalogue: docs/events.md).',
    }),
    objectType: t.exposeString('object_type', { description: 'The kind of object it happened to.' }),
    objectId: t.exposeID('object_id'),
    data: t.field({
      type: 'JSON',
      description: 'A snapshot of the object as the REST API showed it then (snake_case keys).',
      resolve: (event) => event.data as Record<string, unknown>,
    }),
    objectSequence: t.exposeInt('object_sequence', {
      description:
        'Its rank among the events of its object: 1, 2, 3… with no gap. Order what you receive about one object by it.',
    }),
    sequence: t.exposeFloat('sequence', {
      description:
        'An integer that grows with every event of the service: orders the events of an account (gaps are normal).',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const EventList = listType('Event', EventRef);

builder.queryFields((t) => ({
  event: t.field({
    type: EventRef,
    nullable: true,
    description: 'An event of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.events.get(actor, String(id))),
  }),
  events: t.field({
    type: EventList,
    description: 'Events, newest first.',
    args: {
      ...pageArgs,
      type: t.arg.string({ description: 'Only events of this type, such as `invoice.paid`.' }),
      objectId: t.arg.id({ description: 'Only events about this object.' }),
      createdFrom: t.arg({ type: 'DateTime', description: 'Only events written at or after this instant.' }),
      createdTo: t.arg({ type: 'DateTime', description: 'Only events written at or before this instant.' }),
      deliverySuccess: t.arg.boolean({
        description:
          '`false`: only events with a webhook delivery not (yet) succeeded; `true`: only events delivered successfully everywhere.',
      }),
    },
    resolve: (_root, args, { actor, services }) => services.events.list(actor, toListQuery<EventListQuery>(args)),
  }),
}));
