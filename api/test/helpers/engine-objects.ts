import type { ManualClock } from '../../src/clock.ts';
import { newId } from '../../src/ids.ts';
import type { TestAccount, TestContext } from './app.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Shared set-up of the task, dispute, pause and event tests: REST calls, a policy, reminders and events as stored. */
export function engineKit(ctx: TestContext) {
  const clock = ctx.clock as ManualClock;
  const call = (who: TestAccount, method: Method, url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: who.auth, ...(payload !== undefined && { payload }) });
  const created = async (who: TestAccount, url: string, payload: object) => {
    const res = await call(who, 'POST', url, payload);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  return {
    clock,
    call,

    /** A policy of `webhook` steps (no email to render) unless other steps are given. */
    policy: (
      who: TestAccount,
      steps: Array<{ offset_days: number; channel: string }> = [
        { offset_days: -7, channel: 'webhook' },
        { offset_days: 0, channel: 'webhook' },
        { offset_days: 7, channel: 'webhook' },
      ],
    ) =>
      created(who, '/v1/reminder_policies', {
        name: `Policy ${steps.length}`,
        steps,
        send_hour: 9,
        skip_weekends: false,
      }),

    customer: (who: TestAccount, body: object = {}) =>
      created(who, '/v1/customers', { name: 'Dupont SARL', email: 'compta@dupont.example', ...body }),

    invoice: (who: TestAccount, body: object) =>
      created(who, '/v1/invoices', { number: `F-${newId('invoice').slice(-8)}`, subtotal: 10000, ...body }),

    /** Plans what is flagged and sends what is due, for every live account, at the clock's time. */
    run: () => ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() }),

    occurrences: (who: TestAccount, invoiceId: string) =>
      ctx.database.withAccount(who.accountId, (trx) =>
        trx
          .selectFrom('reminder_occurrences')
          .selectAll()
          .where('invoice_id', '=', invoiceId)
          .orderBy('offset_days')
          .orderBy('channel')
          .execute(),
      ),

    /** A task as the engine creates it at a call, letter or collection step. */
    task: async (
      who: TestAccount,
      values: { kind: 'call' | 'letter' | 'collection'; invoice: { id: string; customer_id: string }; dueOn?: string },
    ) => {
      const id = newId('task');
      const now = clock.now();
      await ctx.database.withAccount(who.accountId, (trx) =>
        trx
          .insertInto('tasks')
          .values({
            account_id: who.accountId,
            id,
            kind: values.kind,
            status: 'open',
            invoice_id: values.invoice.id,
            customer_id: values.invoice.customer_id,
            due_on: values.dueOn ?? '2026-03-02',
            created_at: now,
            updated_at: now,
          })
          .execute(),
      );
      return id;
    },

    /** The events about an object, oldest first, read through the API. */
    eventsOf: async (
      who: TestAccount,
      objectId: string,
    ): Promise<Array<{ type: string; data: any; sequence: number }>> => {
      const res = await call(who, 'GET', `/v1/events?object_id=${objectId}&limit=100`);
      if (res.statusCode !== 200) throw new Error(res.body);
      return res.json().data.reverse();
    },
  };
}
