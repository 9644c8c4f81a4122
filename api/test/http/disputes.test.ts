import t from 'tap';
import { newId } from '../../src/ids.ts';
import { setupApp } from '../helpers/app.ts';
import { engineKit } from '../helpers/engine-objects.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

/** A small seeded generator (mulberry32): a failing run can be replayed from the seed in its message. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('disputes', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { call } = kit;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  // Webhook steps (reminders without an email) at −7, 0 and +7 days; the first is due now for an invoice due on 9 March.
  const policy = await kit.policy(acme);
  const customer = await kit.customer(acme, { reminder_policy_id: policy.id });
  const newInvoice = (body: object = {}) =>
    kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09', ...body });
  const open = (invoiceId: string, body: object = { reason: 'Goods damaged' }) =>
    call(acme, 'POST', `/v1/invoices/${invoiceId}/disputes`, body);

  t.test('open: the invoice is disputed, one open dispute at a time', async (t) => {
    const invoice = await newInvoice();
    const res = await open(invoice.id, { reason: 'Goods damaged', note: 'Photos received by email' });
    t.equal(res.statusCode, 201);
    const dispute = res.json();
    t.match(dispute, {
      object: 'dispute',
      invoice_id: invoice.id,
      status: 'open',
      reason: 'Goods damaged',
      note: 'Photos received by email',
      resolution: null,
      resolution_note: null,
      opened_at: '2026-03-02T09:00:00.000Z',
      resolved_at: null,
    });
    t.match(dispute.id, /^dsp_/);
    t.equal((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().disputed, true);
    t.same((await call(acme, 'GET', `/v1/disputes/${dispute.id}`)).json(), dispute);
    const events = await kit.eventsOf(acme, dispute.id);
    t.same(
      events.map((e) => e.type),
      ['dispute.opened'],
    );
    t.same(events[0]?.data, dispute);

    const twice = await open(invoice.id);
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().code, 'dispute/already_open');
  });

  t.test('open: refused on invoices not owed, unknown ones and bad input', async (t) => {
    const draft = await newInvoice({ status: 'draft' });
    const res = await open(draft.id);
    t.equal(res.statusCode, 409);
    t.equal(res.json().code, 'invoice/invalid_transition');
    const voided = await newInvoice();
    await call(acme, 'POST', `/v1/invoices/${voided.id}/void`);
    t.equal((await open(voided.id)).json().code, 'invoice/invalid_transition');
    const unknown = await open(newId('invoice'));
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'invoice/not_found');
    for (const body of [{}, { reason: '' }, { reason: 'x', amount: 3 }]) {
      const bad = await open(draft.id, body);
      t.equal(bad.statusCode, 400, JSON.stringify(body));
      t.equal(bad.json().code, 'request/validation_failed');
    }
    t.same((await call(acme, 'GET', `/v1/disputes?invoice_id=${draft.id}`)).json().data, [], 'nothing was opened');
  });

  t.test('resolved for the creditor: held reminders are released and go out', async (t) => {
    const invoice = await newInvoice();
    const dispute = (await open(invoice.id)).json();
    await kit.run();
    const first = async () => (await kit.occurrences(acme, invoice.id))[0];
    t.match(await first(), { offset_days: -7, status: 'held', hold_reason: 'disputed' }, 'the due reminder is held');

    const res = await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, {
      resolution: 'for_creditor',
      note: 'Delivery note signed',
    });
    t.equal(res.statusCode, 200);
    t.match(res.json(), {
      status: 'resolved',
      resolution: 'for_creditor',
      resolution_note: 'Delivery note signed',
      resolved_at: '2026-03-02T09:00:00.000Z',
    });
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), { status: 'open', disputed: false });
    t.match(await first(), { status: 'scheduled', hold_reason: null }, 'released');
    t.same(
      (await kit.eventsOf(acme, dispute.id)).map((e) => e.type),
      ['dispute.opened', 'dispute.resolved'],
    );

    await kit.run();
    t.match(await first(), { status: 'sent' }, 'and sent');

    const again = await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_customer' });
    t.equal(again.statusCode, 409);
    t.equal(again.json().code, 'dispute/not_open');
    t.equal(
      (await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json().status,
      'open',
      'the second resolution changed nothing',
    );
    t.equal((await open(invoice.id, { reason: 'Second thoughts' })).statusCode, 201, 'a new dispute can be opened');
  });

  t.test('resolved for the customer: the invoice is voided and nothing more is sent', async (t) => {
    const invoice = await newInvoice();
    await kit.run();
    const dispute = (await open(invoice.id)).json();
    const res = await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_customer' });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { status: 'resolved', resolution: 'for_customer', resolution_note: null });
    t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
      status: 'void',
      disputed: false,
      voided_at: '2026-03-02T09:00:00.000Z',
    });
    const types = (await kit.eventsOf(acme, invoice.id)).map((e) => e.type);
    t.ok(types.includes('invoice.voided'), 'invoice.voided');
    t.same(
      (await kit.eventsOf(acme, dispute.id)).map((e) => e.type),
      ['dispute.opened', 'dispute.resolved'],
    );
    await kit.run();
    t.same(
      (await kit.occurrences(acme, invoice.id)).map((o) => [o.offset_days, o.status, o.skip_reason]),
      [
        [-7, 'sent', null],
        [0, 'skipped', 'void'],
        [7, 'skipped', 'void'],
      ],
      'what was still to come is skipped as void',
    );
  });

  t.test(
    'for the customer on a partially paid invoice: refused, the dispute stays open; after a write-off it resolves',
    async (t) => {
      const invoice = await newInvoice();
      const dispute = (await open(invoice.id)).json();
      // Payments are recorded by another module: here the invoice is set partially paid directly.
      await ctx.database.withAccount(acme.accountId, (trx) =>
        trx
          .updateTable('invoices')
          .set({ status: 'partially_paid', amount_paid: 4000 })
          .where('id', '=', invoice.id)
          .execute(),
      );
      const res = await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_customer' });
      t.equal(res.statusCode, 409);
      t.equal(res.json().code, 'dispute/cannot_void_paid');
      t.equal((await call(acme, 'GET', `/v1/disputes/${dispute.id}`)).json().status, 'open');
      t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
        status: 'partially_paid',
        disputed: true,
        balance: 6000,
      });

      t.equal((await call(acme, 'POST', `/v1/invoices/${invoice.id}/mark_uncollectible`)).statusCode, 200);
      const resolved = await call(acme, 'POST', `/v1/disputes/${dispute.id}/resolve`, {
        resolution: 'for_customer',
        note: 'Rest written off',
      });
      t.equal(resolved.statusCode, 200);
      t.match((await call(acme, 'GET', `/v1/invoices/${invoice.id}`)).json(), {
        status: 'uncollectible',
        disputed: false,
      });
      t.notOk(
        (await kit.eventsOf(acme, invoice.id)).some((e) => e.type === 'invoice.voided'),
        'a closed invoice is left as it is',
      );
    },
  );

  t.test('list and filters', async (t) => {
    const all = (await call(acme, 'GET', '/v1/disputes?limit=100')).json().data;
    t.ok(all.length >= 5);
    const ids = all.map((d: { id: string }) => d.id);
    t.same(ids, [...ids].sort().reverse(), 'newest first');
    const openOnes = (await call(acme, 'GET', '/v1/disputes?status=open&limit=100')).json().data;
    t.ok(openOnes.length > 0 && openOnes.every((d: { status: string }) => d.status === 'open'));
    const page = (await call(acme, 'GET', '/v1/disputes?limit=2')).json();
    t.equal(page.has_more, true);
    const next = (await call(acme, 'GET', `/v1/disputes?limit=2&starting_after=${page.next_cursor}`)).json();
    t.same(
      next.data.map((d: { id: string }) => d.id),
      ids.slice(2, 4),
    );
    t.equal((await call(acme, 'GET', '/v1/disputes?status=closed')).statusCode, 400);
    const unknown = await call(acme, 'GET', `/v1/disputes/${newId('dispute')}`);
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'dispute/not_found');
    const bad = await call(acme, 'POST', `/v1/disputes/${ids[0]}/resolve`, { resolution: 'for_nobody' });
    t.equal(bad.statusCode, 400);
  });

  t.test('a read-only key cannot open or resolve', async (t) => {
    const key = (await call(acme, 'POST', '/v1/api_keys', { read_only: true })).json();
    const ro = { accountId: acme.accountId, apiKey: key.secret, auth: { authorization: `Bearer ${key.secret}` } };
    const invoice = await newInvoice();
    const dispute = (await open(invoice.id)).json();
    for (const [url, body] of [
      [`/v1/invoices/${invoice.id}/disputes`, { reason: 'x' }],
      [`/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_creditor' }],
    ] as const) {
      const res = await call(ro, 'POST', url, body);
      t.equal(res.statusCode, 403);
      t.equal(res.json().code, 'auth/read_only_key');
    }
    t.equal((await call(ro, 'GET', `/v1/disputes/${dispute.id}`)).statusCode, 200);
  });

  t.test("another account's disputes are invisible and untouchable (REST and GraphQL)", async (t) => {
    const invoice = await newInvoice();
    const dispute = (await open(invoice.id)).json();
    t.same((await call(other, 'GET', '/v1/disputes')).json().data, []);
    const get = await call(other, 'GET', `/v1/disputes/${dispute.id}`);
    t.equal(get.statusCode, 404);
    t.equal(get.json().code, 'dispute/not_found');
    const resolve = await call(other, 'POST', `/v1/disputes/${dispute.id}/resolve`, { resolution: 'for_customer' });
    t.equal(resolve.statusCode, 404);
    t.equal(resolve.json().code, 'dispute/not_found');
    const openIt = await call(other, 'POST', `/v1/invoices/${invoice.id}/disputes`, { reason: 'x' });
    t.equal(openIt.statusCode, 404);
    t.equal(openIt.json().code, 'invoice/not_found');

    const gql = graphqlClient(ctx, other.auth);
    const read = await gql(`query ($id: ID!) { dispute(id: $id) { id } disputes { data { id } } }`, { id: dispute.id });
    t.equal(read.errors, undefined);
    t.same(read.data, { dispute: null, disputes: { data: [] } });
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { resolveDispute(id: $id, input: { resolution: FOR_CUSTOMER }) { id } }`, {
          id: dispute.id,
        }),
      ),
      'dispute/not_found',
    );
    t.equal(
      codeOf(
        await gql(`mutation ($id: ID!) { openDispute(invoiceId: $id, input: { reason: "x" }) { id } }`, {
          id: invoice.id,
        }),
      ),
      'invoice/not_found',
    );
    t.match((await call(acme, 'GET', `/v1/disputes/${dispute.id}`)).json(), { status: 'open' });
  });
});

t.test('a dispute at a random moment: no reminder leaves after it', async (t) => {
  const ctx = await setupApp(t);
  const kit = engineKit(ctx);
  const { clock } = kit;
  const seed = Number(process.env.DISPUTE_SEED ?? Date.now() % 100_000);
  const rand = random(seed);
  const acme = await ctx.createAccount({ name: 'Acme' });
  // The default follow-up: emails at −7, 0, +7, +14, +30 days, a call at +14 and a letter at +30.
  const customer = await kit.customer(acme);
  const DAY = 86_400_000;
  const start = Date.parse('2026-03-02T09:00:00Z');
  const cases = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      // Half exactly at 09:00, when reminders go out, racing the sender; half at a random minute.
      const day = Math.floor(rand() * 40);
      const at = start + day * DAY + (i % 2 === 0 ? 0 : Math.floor(rand() * DAY));
      return {
        invoice: await kit.invoice(acme, { customer_id: customer.id, due_date: '2026-03-09' }),
        at,
        dispute: '',
      };
    }),
  );
  const moments = [
    ...new Set([...Array.from({ length: 46 }, (_, d) => start + d * DAY), ...cases.map((c) => c.at)]),
  ].sort((a, b) => a - b);
  for (const moment of moments) {
    clock.set(new Date(moment));
    const now = cases.filter((c) => c.at === moment);
    const [, ...opened] = await Promise.all([
      kit.run(),
      ...now.map((c) =>
        ctx.app.inject({
          method: 'POST',
          url: `/v1/invoices/${c.invoice.id}/disputes`,
          headers: acme.auth,
          payload: { reason: 'Contested' },
        }),
      ),
    ]);
    opened.forEach((res, i) => {
      const c = now[i];
      if (c) c.dispute = res.json().id;
    });
  }

  const events = await ctx.database.withAccount(acme.accountId, (trx) =>
    trx
      .selectFrom('events')
      .select(['type', 'object_id', 'seq', 'data'])
      .where('type', 'in', ['reminder.sent', 'dispute.opened', 'task.created'])
      .orderBy('seq')
      .execute(),
  );
  t.ok(
    events.some((e) => e.type === 'reminder.sent'),
    `seed ${seed}: reminders did go out before the disputes`,
  );
  for (const c of cases) {
    const opened = events.find((e) => e.type === 'dispute.opened' && e.object_id === c.dispute);
    t.ok(opened, `seed ${seed}: dispute opened on ${new Date(c.at).toISOString()}`);
    const about = events.filter(
      (e) => e.type !== 'dispute.opened' && (e.data as { invoice_id?: string }).invoice_id === c.invoice.id,
    );
    const after = about.filter((e) => e.seq > (opened?.seq ?? 0));
    t.same(
      after.map((e) => e.type),
      [],
      `seed ${seed}: nothing sent or created after the dispute of ${new Date(c.at).toISOString()}`,
    );
    const messages = await ctx.database.withAccount(acme.accountId, (trx) =>
      trx.selectFrom('messages').select(['status', 'created_at']).where('invoice_id', '=', c.invoice.id).execute(),
    );
    const sent = about.filter((e) => e.type === 'reminder.sent').length;
    t.ok(
      messages.filter((m) => m.status === 'sent').length <= sent,
      `seed ${seed}: every sent email has its reminder.sent before the dispute`,
    );
  }
});
