import { pino } from 'pino';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { EVENT_CATALOGUE, eventTypeEntry } from '../../src/domain/events/catalogue.ts';
import { QUEUES, startWorker } from '../../src/jobs/worker.ts';
import { bodyAjv } from '../../src/validation.ts';
import { graphqlClient } from '../graphql/client.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';

interface Ev {
  id: string;
  type: string;
  account_id: string;
  object_type: string;
  object_id: string;
  object_sequence: number;
  sequence: number;
  created_at: string;
  data: any;
}

t.test('event catalogue, per-object sequence and retention', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call, clock } = kit;
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'UTC' });
  const other = await ctx.createAccount({ name: 'Other', time_zone: 'UTC' });

  const ok = async (res: { statusCode: number; body: string; json(): any }) => {
    if (res.statusCode >= 300) throw new Error(`${res.statusCode} ${res.body}`);
    return res.json();
  };
  const allEvents = async (who = acme): Promise<Ev[]> => {
    const out: Ev[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Ev[]; next_cursor: string | null } = await ok(
        await call(who, 'GET', `/v1/events?limit=100${cursor ? `&starting_after=${cursor}` : ''}`),
      );
      out.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return out.reverse();
  };

  // A day in the life of an account: most kinds of change, through the API and the workers.
  const policy = await kit.policy(acme, [
    { offset_days: -1, channel: 'call' },
    { offset_days: 0, channel: 'webhook' },
  ]);
  const customer = await kit.customer(acme);
  const invoice = await kit.invoice(acme, {
    customer_id: customer.id,
    issue_date: '2026-03-02',
    due_date: '2026-03-04',
    reminder_policy_id: policy.id,
    status: 'draft',
  });
  await ok(await call(acme, 'PATCH', `/v1/invoices/${invoice.id}`, { memo: 'Order 1042' }));
  await ok(await call(acme, 'POST', `/v1/invoices/${invoice.id}/finalize`, {}));
  await ok(await call(acme, 'POST', `/v1/invoices/${invoice.id}/pause`, { reason: 'Waiting for the PO' }));
  await ok(await call(acme, 'POST', `/v1/invoices/${invoice.id}/resume`, {}));
  await ok(await call(acme, 'POST', `/v1/customers/${customer.id}/pause`, {}));
  await ok(await call(acme, 'POST', `/v1/customers/${customer.id}/resume`, {}));
  clock.set('2026-03-03T10:00:00Z');
  await kit.run();
  const [task] = (await ok(await call(acme, 'GET', '/v1/tasks'))).data;
  await ok(
    await call(acme, 'POST', `/v1/tasks/${task.id}/complete`, { outcome: 'Reached', promise_to_pay_on: '2026-03-03' }),
  );
  await ok(await call(acme, 'POST', `/v1/invoices/${invoice.id}/promise`, { date: null }));
  const payment = await ok(
    await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: 4000,
      currency: 'EUR',
      method: 'transfer',
      allocations: [{ invoice_id: invoice.id, amount: 4000 }],
    }),
  );
  await ok(await call(acme, 'POST', `/v1/payments/${payment.id}/reverse`, { reason: 'Transfer bounced' }));
  const dispute = await ok(
    await call(acme, 'POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'Goods damaged' }),
  );
  await ok(await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_creditor' }));
  await ok(
    await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: invoice.total,
      currency: 'EUR',
      method: 'card',
      allocations: [{ invoice_id: invoice.id, amount: invoice.total }],
    }),
  );
  const second = await kit.invoice(acme, {
    customer_id: customer.id,
    issue_date: '2026-03-03',
    due_date: '2026-03-20',
  });
  await ok(await call(acme, 'POST', `/v1/invoices/${second.id}/void`, {}));
  // Payment plans: one cancelled, one completed by a payment, one breached by a missed installment.
  const planned = await kit.invoice(acme, {
    customer_id: customer.id,
    issue_date: '2026-03-03',
    due_date: '2026-03-31',
  });
  const cancelled = await ok(
    await call(acme, 'POST', `/v1/invoices/${planned.id}/payment_plans`, { count: 2, first_due_date: '2026-03-10' }),
  );
  await ok(await call(acme, 'POST', `/v1/payment_plans/${cancelled.id}/cancel`, {}));
  await ok(
    await call(acme, 'POST', `/v1/invoices/${planned.id}/payment_plans`, { count: 2, first_due_date: '2026-03-10' }),
  );
  const settled = await kit.invoice(acme, {
    customer_id: customer.id,
    issue_date: '2026-03-03',
    due_date: '2026-03-31',
  });
  await ok(
    await call(acme, 'POST', `/v1/invoices/${settled.id}/payment_plans`, { count: 2, first_due_date: '2026-03-10' }),
  );
  await ok(
    await call(acme, 'POST', '/v1/payments', {
      customer_id: customer.id,
      amount: settled.total,
      currency: 'EUR',
      method: 'transfer',
      allocations: [{ invoice_id: settled.id, amount: settled.total }],
    }),
  );
  clock.set('2026-03-11T10:00:00Z');
  await kit.run();

  t.test('every event written is in the catalogue, with data of its schema', async (t) => {
    const events = await allEvents();
    const seen = new Set(events.map((e) => e.type));
    for (const type of [
      'invoice.created',
      'invoice.updated',
      'invoice.finalized',
      'invoice.paused',
      'invoice.resumed',
      'customer.paused',
      'customer.resumed',
      'reminder.scheduled',
      'reminder.sent',
      'task.created',
      'task.completed',
      'promise.made',
      'promise.cleared',
      'payment.received',
      'payment.reversed',
      'invoice.partially_paid',
      'dispute.opened',
      'dispute.resolved',
      'invoice.paid',
      'invoice.voided',
      'reminder.skipped',
    ]) {
      t.ok(seen.has(type), `the flow wrote ${type}`);
    }
    for (const event of events) {
      const entry = eventTypeEntry(event.type);
      if (!entry) {
        t.fail(`${event.type} is not in the catalogue`);
        continue;
      }
      t.equal(event.object_type, entry.objectType, `${event.type}: object type`);
      const validate = bodyAjv.getSchema(entry.payload);
      if (!validate) throw new Error(`no schema ${entry.payload}`);
      t.ok(validate(event.data), `${event.type}: data is a ${entry.payload}`, {
        errors: validate.errors,
        data: event.data,
      });
    }
  });

  t.test(
    'the catalogue: unique types, registered payload schemas, one webhook each in the OpenAPI document',
    async (t) => {
      const types = EVENT_CATALOGUE.map((e) => e.type);
      t.equal(new Set(types).size, types.length, 'no type twice');
      for (const entry of EVENT_CATALOGUE)
        t.ok(bodyAjv.getSchema(entry.payload), `${entry.payload} is a public schema`);
      const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      t.same(Object.keys(doc.webhooks).sort(), [...types].sort());
      const body = doc.webhooks['invoice.paid'].post.requestBody.content['application/json'].schema;
      t.same(body.properties.type, { type: 'string', const: 'invoice.paid' });
      t.same(body.properties.data, { $ref: '#/components/schemas/Invoice' });
      t.ok(doc.components.schemas.Invoice, 'the payload schema is in the components');
      t.same(new Set(body.required), new Set(doc.components.schemas.Event.required), 'the envelope is the Event');
    },
  );

  t.test('object_sequence: 1, 2, 3… per object, in the order written, in REST and GraphQL', async (t) => {
    const events = await allEvents();
    for (const [objectId, group] of Map.groupBy(events, (e) => e.object_id)) {
      t.same(
        group.map((e) => e.object_sequence),
        group.map((_, i) => i + 1),
        `${objectId}: no gap, no repeat`,
      );
    }
    const ofInvoice = events.filter((e) => e.object_id === invoice.id);
    t.equal(ofInvoice[0]?.type, 'invoice.created');
    t.equal(ofInvoice[0]?.object_sequence, 1, 'the fast path writes 1');
    t.ok(ofInvoice.every((e) => e.account_id === acme.accountId));

    const gql = graphqlClient(ctx, acme.auth);
    const res = await gql(
      `query ($id: ID!) { events(objectId: $id, limit: 100) { data { id objectSequence accountId } } }`,
      { id: invoice.id },
    );
    t.equal(res.errors, undefined);
    t.same(
      res.data.events.data.reverse(),
      ofInvoice.map((e) => ({ id: e.id, objectSequence: e.object_sequence, accountId: acme.accountId })),
    );
  });

  t.test('concurrent changes of one object get distinct, consecutive sequences', async (t) => {
    const target = await kit.customer(acme, { name: 'Busy Ltd' });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(acme, 'PATCH', `/v1/customers/${target.id}`, { contact_name: `Contact ${i}` }),
      ),
    );
    t.same(
      results.map((r) => r.statusCode),
      Array(12).fill(200),
    );
    const events = await kit.eventsOf(acme, target.id);
    t.same(
      events.map((e: any) => e.object_sequence),
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    t.same(
      events
        .map((e: any) => e.data.contact_name)
        .slice(1)
        .sort(),
      Array.from({ length: 12 }, (_, i) => `Contact ${i}`).sort(),
    );
  });

  t.test("another account's events are invisible, and its sequences its own", async (t) => {
    const theirs = await kit.customer(other, { name: 'Elsewhere' });
    const mine = await allEvents();
    const seen = await allEvents(other);
    t.same(
      seen.map((e) => [e.object_id, e.object_sequence, e.account_id]),
      [[theirs.id, 1, other.accountId]],
    );
    t.notOk(mine.some((e) => e.object_id === theirs.id));
    t.equal((await call(other, 'GET', `/v1/events/${mine[0]?.id}`)).statusCode, 404);
  });

  t.test('retention: 30 days at least, the newest event of each object kept', async (t) => {
    t.equal(loadConfig({}).eventRetentionDays, 30, 'the default');
    t.equal(loadConfig({ EVENT_RETENTION_DAYS: '90' }).eventRetentionDays, 90);
    t.throws(() => loadConfig({ EVENT_RETENTION_DAYS: '29' }), /EVENT_RETENTION_DAYS must be an integer between 30/);

    const before = await allEvents();
    const newestOf = new Map(before.map((e) => [e.object_id, e.id]));
    t.equal(before[0]?.created_at, '2026-03-02T09:00:00.000Z', 'the oldest event');
    clock.set('2026-04-01T09:00:00Z');
    t.equal(await ctx.services.events.purgeExpired(30), 0, 'an event exactly 30 days old is kept');
    t.equal(await ctx.services.events.purgeExpired(1), 0, 'less than 30 days is read as 30');
    t.same(
      (await allEvents()).map((e) => e.id),
      before.map((e) => e.id),
    );

    clock.set('2026-05-01T00:00:00Z');
    const purged = await ctx.services.events.purgeExpired(30);
    t.equal(purged, before.length - newestOf.size);
    const after = await allEvents();
    t.same(
      after.map((e) => e.id).sort(),
      [...newestOf.values()].sort(),
      'only the newest event of each object is left',
    );
    t.equal((await allEvents(other)).length, 1, 'every account is purged, its newest events kept');

    await ok(await call(acme, 'PATCH', `/v1/customers/${customer.id}`, { contact_name: 'After the purge' }));
    const last = (await kit.eventsOf(acme, customer.id)).at(-1) as unknown as Ev;
    t.equal(
      last.object_sequence,
      before.filter((e) => e.object_id === customer.id).length + 1,
      'the sequence continues',
    );
  });

  t.test('the workers run the purge', async (t) => {
    const log = pino({ level: 'silent' });
    await ok(await call(acme, 'PATCH', `/v1/customers/${customer.id}`, { contact_name: 'Once more' }));
    clock.set('2026-07-01T00:00:00Z');
    const worker = await startWorker({
      databaseUrl: ctx.databaseUrl,
      services: ctx.services,
      clock,
      log,
      timer: false,
      eventRetentionDays: 30,
    });
    t.teardown(() => worker.stop());
    const count = async () => (await kit.eventsOf(acme, customer.id)).length;
    t.equal(await count(), 3);
    await worker.boss.send(QUEUES.purgeEvents, {});
    // An hourly job's worker polls every 30 s: woken now, as pg-boss allows, rather than waited for.
    for (const w of worker.boss.getWipData()) if (w.name === QUEUES.purgeEvents) worker.boss.notifyWorker(w.id);
    const deadline = Date.now() + 30_000;
    while ((await count()) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    t.equal(await count(), 1, 'the job purged what was past the retention');
  });
});
