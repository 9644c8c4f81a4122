import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp } from '../helpers/app.ts';

const HOUR = 3600_000;

/** A deterministic "random" moment (so a failure can be replayed), in hours from the start. */
function moments(seed: number, count: number, maxHours: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % maxHours;
  });
}

for (const action of ['void', 'dispute', 'pause', 'payment'] as const) {
  t.test(`${action} at a random moment: no message after it, pending reminders skipped or held`, async (t) => {
    const ctx = await setupApp(t);
    const clock = ctx.clock as ManualClock;
    const startAt = new Date('2026-03-02T00:00:00Z').getTime();
    clock.set(new Date(startAt));
    const acme = await ctx.createAccount({ time_zone: 'Europe/Paris' });
    const call = (method: string, url: string, payload?: object) =>
      ctx.app.inject({ method: method as 'GET', url, headers: acme.auth, ...(payload && { payload }) });
    const customer = (await call('POST', '/v1/customers', { name: 'C', email: 'c@example.com' })).json();
    const cuts = moments(action.length * 7919, 3, 45 * 24);
    const invoices: Array<{ id: string; cutAt: number; done: boolean }> = [];
    for (const [i, hours] of cuts.entries()) {
      const invoice = (
        await call('POST', '/v1/invoices', {
          number: `${action}-${i}`,
          customer_id: customer.id,
          subtotal: 1000,
          issue_date: '2026-03-02',
          due_date: '2026-03-20',
        })
      ).json();
      invoices.push({ id: invoice.id, cutAt: startAt + hours * HOUR, done: false });
    }
    t.comment(`cut at hours ${cuts.join(', ')}`);

    for (let at = startAt; at <= startAt + 50 * 24 * HOUR; at += HOUR) {
      clock.set(new Date(at));
      for (const inv of invoices) {
        if (inv.done || at < inv.cutAt) continue;
        inv.done = true;
        const res =
          action === 'void'
            ? await call('POST', `/v1/invoices/${inv.id}/void`)
            : action === 'dispute'
              ? await call('POST', `/v1/invoices/${inv.id}/disputes`, { reason: 'Goods not received' })
              : action === 'pause'
                ? await call('POST', `/v1/invoices/${inv.id}/pause`, { reason: 'Customer on holiday' })
                : await call('POST', '/v1/payments', {
                    customer_id: customer.id,
                    amount: 1000,
                    currency: 'EUR',
                    method: 'transfer',
                    allocations: [{ invoice_id: inv.id, amount: 1000 }],
                  });
        t.ok(res.statusCode < 300, `${action} ${inv.id} → ${res.statusCode}`);
      }
      await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
    }

    const rows = await ctx.database.withAccount(acme.accountId, async (trx) => ({
      messages: await trx.selectFrom('messages').select(['invoice_id', 'created_at', 'status']).execute(),
      tasks: await trx.selectFrom('tasks').select(['invoice_id', 'created_at']).execute(),
      occurrences: await trx
        .selectFrom('reminder_occurrences')
        .select(['invoice_id', 'status', 'skip_reason', 'hold_reason'])
        .execute(),
    }));
    for (const inv of invoices) {
      const after = [...rows.messages, ...rows.tasks].filter(
        (m) => m.invoice_id === inv.id && m.created_at.getTime() >= inv.cutAt,
      );
      t.same(after, [], `nothing for ${inv.id} after its ${action}`);
      const pending = rows.occurrences.filter(
        (o) => o.invoice_id === inv.id && (o.status === 'scheduled' || o.status === 'sending'),
      );
      t.same(pending, [], 'nothing left pending');
      const stopped = rows.occurrences.filter((o) => o.invoice_id === inv.id && o.status !== 'sent');
      const expected =
        action === 'void'
          ? { status: 'skipped', skip_reason: 'void' }
          : action === 'payment'
            ? { status: 'skipped', skip_reason: 'paid' }
            : { status: 'held' };
      for (const o of stopped.filter((o) => o.skip_reason !== 'stale')) t.match(o, expected);
    }
  });
}
