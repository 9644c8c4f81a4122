import { newId } from '../../../ids.ts';
import { recordEvent } from '../../outbox/index.ts';
import { insertTask, presentTask } from '../../tasks/index.ts';
import type { ChannelContext, ChannelRuntime, Composition } from './channel.ts';

/**
 * Gives the work to a person: a task of `kind`, due today, and `task.created`. `attach` makes
 * what goes with the task (a letter's PDF) once the task exists, and returns its document id.
 */
export async function openTask(
  { trx, accountId, invoice, customer, occurrence, today, now }: ChannelContext,
  kind: string,
  attach?: (taskId: string) => Promise<string>,
): Promise<Composition> {
  const taskId = newId('task');
  let task = await insertTask(trx, {
    account_id: accountId,
    id: taskId,
    kind,
    status: 'open',
    invoice_id: invoice.id,
    customer_id: customer.id,
    occurrence_id: occurrence.id,
    due_on: today,
    created_at: now,
    updated_at: now,
  });
  const documentId = attach ? await attach(taskId) : null;
  if (documentId) task = { ...task, document_id: documentId };
  await recordEvent(trx, {
    accountId,
    type: 'task.created',
    objectType: 'task',
    objectId: taskId,
    data: presentTask(task),
    at: now,
  });
  return {
    kind: 'done',
    taskId,
    data: { task_id: taskId, ...(documentId && { document_id: documentId }) },
  };
}

/** The runtime of a channel that gives the work to a person: a task of `kind`. */
export function createsTask(kind: string): ChannelRuntime {
  return {
    compose: (ctx) => openTask(ctx, kind),
    preview: async () => null,
  };
}

/** The tasks' place among a day's steps: after the emails and the webhooks. */
export const TASK_PLAN = { rank: 2, repeats: false, needsTemplate: false, contact: 'task', budgeted: false } as const;

export const TASK_SUMMARY = 'a task for a person.';
