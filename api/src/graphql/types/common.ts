import type { ObjectRef, SchemaTypes } from '@pothos/core';
import type { Page } from '../../domain/shared/index.ts';
import { builder } from '../builder.ts';

/** `XxxList { data, hasMore, nextCursor }`: one page of a cursor-paginated list, as REST's `list` object. */
export function listType<Types extends SchemaTypes, T>(name: string, item: ObjectRef<Types, T>) {
  return builder.objectRef<Page<T>>(`${name}List`).implement({
    description: `A page of ${name} objects; pass \`nextCursor\` as \`startingAfter\` for the next one.`,
    fields: (t) => ({
      data: t.expose('data', { type: [item] }),
      hasMore: t.exposeBoolean('has_more'),
      nextCursor: t.exposeString('next_cursor', { nullable: true }),
    }),
  });
}

export interface DeletedObject {
  id: string;
  deleted: true;
}

export const Deleted = builder.objectRef<DeletedObject>('Deleted').implement({
  description: 'The answer to a delete: the id of the object that no longer exists.',
  fields: (t) => ({
    id: t.exposeID('id'),
    deleted: t.exposeBoolean('deleted'),
  }),
});

/** Page size and cursor arguments shared by every list query. */
export const pageArgs = builder.args((t) => ({
  limit: t.int({ description: 'Page size, 1 to 100 (default 20).' }),
  startingAfter: t.string({ description: 'Cursor: the id of the last object of the previous page.' }),
}));
