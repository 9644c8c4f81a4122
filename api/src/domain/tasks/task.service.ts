import type { Clock } from '../../clock.ts';
import { newId } from '../../ids.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { CHASED_STATUSES, findInvoice } from '../invoices/index.ts';
import { assertInvoiceStatus, assertNotPast, recordPromise } from '../pauses/index.ts';
import { agreePlanIn } from '../payment-plans/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  type Page,
  pageSize,
  type ReplanInvoices,
  toPage,
} from '../shared/index.ts';
import {
  completeOpenTask,
  findTask,
  insertTask,
  listTasks,
  presentTask,
  type TaskRow,
  updateTask,
} from './task.repository.ts';
import { type Task, TaskComplete, type TaskKind, TaskListQuery, TaskUpdate } from './task.schemas.ts';

function assertOpen(task: TaskRow): void {
  if (task.status !== 'open') throw new AppError('task/not_open', 409, `This task is already ${task.status}.`);
}

/**
 * Completes a task if it is still open, in the caller's transaction, and writes `task.completed`:
 * the work it asked for was done elsewhere (a claimed payment recorded or rejected).
 */
export async function completeTaskIn(
  trx: Db,
  args: { accountId: string; taskId: string; outcome: string; now: Date },
): Promise<void> {
  const task = await completeOpenTask(trx, args);
  if (task)
    await recordEvent(trx, {
      accountId: args.accountId,
      type: 'task.completed',
      objectType: 'task',
      objectId: task.id,
      data: presentTask(task),
      at: args.now,
    });
}

/**
 * Opens a task for a person about an invoice, due on `dueOn`, in the caller's transaction, and
 * writes `task.created`: what the customer asked or said (a message, a payment to check, a plan
 * to approve).
 */
export async function openTaskIn(
  trx: Db,
  args: {
    accountId: string;
    kind: TaskKind;
    invoiceId: string;
    customerId: string;
    dueOn: string;
    now: Date;
    note: string;
    requestedPlan?: { count: number; first_due_date: string };
  },
): Promise<TaskRow> {
  const task = await insertTask(trx, {
    account_id: args.accountId,
    id: newId('task'),
    kind: args.kind,
    status: 'open',
    invoice_id: args.invoiceId,
    customer_id: args.customerId,
    due_on: args.dueOn,
    note: args.note,
    ...(args.requestedPlan && { requested_plan: JSON.stringify(args.requestedPlan) }),
    created_at: args.now,
    updated_at: args.now,
  });
  await recordEvent(trx, {
    accountId: args.accountId,
    type: 'task.created',
    objectType: 'task',
    objectId: task.id,
    data: presentTask(task),
    at: args.now,
  });
  return task;
}

/**
 * Tasks for a person (a call, a formal letter, a collection agency), created by the reminder
 * engine at the policy's `call`, `letter` and `collection` steps, and worked through the API.
 */
export function createTaskService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  const lockedTask = async (trx: Db, id: string) => {
    const row = await findTask(trx, id, { forUpdate: true });
    if (!row) throw notFound('task', id);
    return row;
  };

  return {
    /** Tasks newest first, filtered by status, kind, invoice, customer and due date. */
    list(actor: Actor, input: TaskListQuery): Promise<Page<Task>> {
      const query = parseInput<TaskListQuery>(TaskListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage((await listTasks(trx, query)).map(presentTask), pageSize(query)),
      );
    },

    get(actor: Actor, id: string): Promise<Task> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findTask(trx, id);
        if (!row) throw notFound('task', id);
        return presentTask(row);
      });
    },

    /** Assigns an open task or changes its note; null clears either. */
    async update(actor: Actor, id: string, patch: TaskUpdate): Promise<Task> {
      assertWriteAccess(actor);
      const data = parseInput<TaskUpdate>(TaskUpdate, patch);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        assertOpen(await lockedTask(trx, id));
        const row = await updateTask(trx, id, { ...data, updated_at: now });
        const task = presentTask(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'task.updated',
          objectType: 'task',
          objectId: id,
          data: task,
          at: now,
        });
        return task;
      });
    },

    /**
     * Completes an open task with its outcome. A call may end with a promise to pay: its date
     * (today or later) is set on the invoice, whose reminders then wait until two days after it.
     */
    async complete(actor: Actor, id: string, input: TaskComplete): Promise<Task> {
      assertWriteAccess(actor);
      const data = parseInput<TaskComplete>(TaskComplete, input);
      const promise = data.promise_to_pay_on ?? null;
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const peek = await findTask(trx, id);
        if (!peek) throw notFound('task', id);
        // The invoice row first, as the reminder engine takes it: a promise and a send never interleave.
        const approve = data.approve_plan === true;
        const invoice = promise || approve ? await findInvoice(trx, peek.invoice_id, { forUpdate: true }) : undefined;
        const current = await lockedTask(trx, id);
        assertOpen(current);
        if (promise) {
          if (current.kind !== 'call') {
            throw new AppError(
              'task/promise_needs_call',
              422,
              `Only a call task can record a promise to pay; this one is a ${current.kind}.`,
              {
                errors: [{ field: '/promise_to_pay_on', message: 'is only accepted on a call task' }],
              },
            );
          }
          assertNotPast(promise, today, {
            code: 'task/invalid_promise',
            field: '/promise_to_pay_on',
            what: 'A promised payment date',
          });
          if (!invoice) throw notFound('invoice', current.invoice_id);
          assertInvoiceStatus(invoice.status, CHASED_STATUSES, 'record a promise on');
        }
        if (approve && (current.kind !== 'plan_request' || current.requested_plan === null))
          throw new AppError(
            'task/approve_needs_plan_request',
            422,
            `Only a plan request task can approve a payment plan; this one is a ${current.kind}.`,
            { errors: [{ field: '/approve_plan', message: 'is only accepted on a plan_request task' }] },
          );
        if (approve) {
          if (!invoice) throw notFound('invoice', current.invoice_id);
          const terms = current.requested_plan as { count: number; first_due_date: string };
          // The first installment never lies in the past: a request approved late starts today.
          await agreePlanIn(
            trx,
            { accountId: actor.accountId, timeZone: actor.timeZone, now, today, replan },
            invoice,
            {
              count: terms.count,
              first_due_date: [terms.first_due_date, today].toSorted().at(-1) as string,
              note: `Requested by the customer (task ${id})`,
            },
          );
        }
        const row = await updateTask(trx, id, {
          status: 'completed',
          outcome: data.outcome,
          ...(data.note !== undefined && { note: data.note }),
          promise_to_pay_on: promise,
          completed_at: now,
          updated_at: now,
        });
        const task = presentTask(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'task.completed',
          objectType: 'task',
          objectId: id,
          data: task,
          at: now,
        });
        if (promise && invoice) {
          await recordPromise(trx, {
            accountId: actor.accountId,
            timeZone: actor.timeZone,
            now,
            replan,
            invoice,
            date: promise,
            note: data.note ?? null,
            taskId: id,
          });
        }
        return task;
      });
    },

    /** Cancels an open task: nobody needs to work it any more. */
    async cancel(actor: Actor, id: string): Promise<Task> {
      assertWriteAccess(actor);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        assertOpen(await lockedTask(trx, id));
        const row = await updateTask(trx, id, { status: 'canceled', updated_at: now });
        const task = presentTask(row);
        await recordEvent(trx, {
          accountId: actor.accountId,
          type: 'task.canceled',
          objectType: 'task',
          objectId: id,
          data: task,
          at: now,
        });
        return task;
      });
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
