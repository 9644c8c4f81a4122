import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { Tasks } from '../../store/db-types.ts';
import { keysetPage } from '../shared/index.ts';
import type { Task, TaskKind, TaskListQuery, TaskStatus } from './task.schemas.ts';

export type TaskRow = Selectable<Tasks>;

export const presentTask = (row: TaskRow): Task => ({
  id: row.id,
  object: 'task',
  kind: row.kind as TaskKind,
  status: row.status as TaskStatus,
  invoice_id: row.invoice_id,
  customer_id: row.customer_id,
  occurrence_id: row.occurrence_id,
  document_id: row.document_id,
  due_on: row.due_on,
  assignee: row.assignee,
  outcome: row.outcome,
  note: row.note,
  promise_to_pay_on: row.promise_to_pay_on,
  requested_plan: (row.requested_plan as Task['requested_plan']) ?? null,
  completed_at: row.completed_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export const findTask = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('tasks').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

/** One page of tasks, newest first, filtered. */
export function listTasks(trx: Db, query: TaskListQuery) {
  let q = keysetPage(trx.selectFrom('tasks').selectAll(), query);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.invoice_id) q = q.where('invoice_id', '=', query.invoice_id);
  if (query.customer_id) q = q.where('customer_id', '=', query.customer_id);
  if (query.due_on_from) q = q.where('due_on', '>=', query.due_on_from);
  if (query.due_on_to) q = q.where('due_on', '<=', query.due_on_to);
  return q.execute();
}

/** Stores a new task (a reminder step's work for a person). */
export function insertTask(trx: Db, values: Insertable<Tasks>): Promise<TaskRow> {
  return trx.insertInto('tasks').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The open `plan_request` task of an invoice, if a customer's plan is waiting for an answer. */
export const openPlanRequestOf = (trx: Db, accountId: string, invoiceId: string) =>
  trx
    .selectFrom('tasks')
    .select('id')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', invoiceId)
    .where('kind', '=', 'plan_request')
    .where('status', '=', 'open')
    .executeTakeFirst();

export const updateTask = (trx: Db, id: string, set: Updateable<Tasks>) =>
  trx.updateTable('tasks').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

/** Completes the task if it is still open; undefined if it was not. */
export const completeOpenTask = (trx: Db, args: { accountId: string; taskId: string; outcome: string; now: Date }) =>
  trx
    .updateTable('tasks')
    .set({ status: 'completed', outcome: args.outcome, completed_at: args.now, updated_at: args.now })
    .where('account_id', '=', args.accountId)
    .where('id', '=', args.taskId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();

/** The task that links to a document (a letter to send), if any. */
export const taskOfDocument = (trx: Db, accountId: string, documentId: string) =>
  trx
    .selectFrom('tasks')
    .select('id')
    .where('account_id', '=', accountId)
    .where('document_id', '=', documentId)
    .executeTakeFirst();

/** Links the task to the document it is about (a letter's task and its letter). */
export async function linkTaskToDocument(
  trx: Db,
  accountId: string,
  taskId: string,
  documentId: string,
): Promise<void> {
  await trx
    .updateTable('tasks')
    .set({ document_id: documentId })
    .where('account_id', '=', accountId)
    .where('id', '=', taskId)
    .execute();
}
