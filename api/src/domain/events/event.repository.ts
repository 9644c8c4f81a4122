import type { Db } from '../../store/database.ts';
import { newId } from '../../ids.ts';

export interface NewEvent {
  accountId: string;
  type: string;
  objectType: string;
  objectId: string;
  /** A snapshot of the object as the API shows it, at the time of the change. */
  data: unknown;
  at: Date;
}

/** Writes an event in the caller's transaction (the outbox): it exists if and only if the change does. */
export async function recordEvent(trx: Db, event: NewEvent): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      account_id: event.accountId,
      id: newId('event'),
      type: event.type,
      object_type: event.objectType,
      object_id: event.objectId,
      data: JSON.stringify(event.data),
      created_at: event.at,
    })
    .execute();
}
