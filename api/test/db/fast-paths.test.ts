import t from 'tap';
import type { Services } from '../../src/services.ts';
import { liveActor, type ServicesContext, setupServices } from '../helpers/services.ts';

// Invoice creation and a payment to one invoice each have a one-statement fast path beside the
// general (locking) path. The same inputs go through both, each on a database of its own
// (`fastPaths: true` and `false`), and must leave the same rows, events, reminders and errors.

type Actor = ReturnType<typeof liveActor>;
interface World {
  services: Services;
  actor: Actor;
  customer: string;
  otherCustomer: string;
  invoice: (body?: Record<string, unknown>) => Promise<string>;
}
interface Case {
  name: string;
  /** Whether the fast path writes something for this input (its one statement may also refuse and leave it to the general path). */
  fast: boolean;
  /** `ok`, or the error code both paths must give. */
  expect: string;
  run: (w: World) => Promise<unknown>;
}

const invoiceBody = (customer: string, { n = 1, ...body }: Record<string, unknown> = {}) => ({
  customer_id: customer,
  number: `F-${String(n)}`,
  currency: 'EUR',
  due_date: '2026-05-20',
  subtotal: 10_000,
  tax: 2_000,
  ...body,
});

const cases: Case[] = [
  {
    name: 'an invoice with everything given',
    expect: 'ok',
    fast: true,
    run: (w) =>
      w.services.invoices.create(
        w.actor,
        invoiceBody(w.customer, { external_id: 'order-1', metadata: { shop: 'eu' } }),
      ),
  },
  {
    name: 'an invoice with line items and a memo',
    expect: 'ok',
    fast: true,
    run: (w) =>
      w.services.invoices.create(w.actor, {
        ...invoiceBody(w.customer),
        subtotal: undefined,
        line_items: [{ description: 'Audit', quantity: 2, unit_amount: 4_000 }],
        memo: 'Thanks',
      }),
  },
  {
    name: 'an invoice whose external_id is already registered',
    expect: 'ok',
    fast: true,
    run: async (w) => {
      await w.services.invoices.create(w.actor, invoiceBody(w.customer, { external_id: 'order-2' }));
      return w.services.invoices.create(w.actor, invoiceBody(w.customer, { n: 2, external_id: 'order-2' }));
    },
  },
  {
    name: 'an invoice whose number is taken',
    expect: 'invoice/number_taken',
    fast: true,
    run: async (w) => {
      await w.services.invoices.create(w.actor, invoiceBody(w.customer));
      return w.services.invoices.create(w.actor, invoiceBody(w.customer));
    },
  },
  {
    name: 'an invoice of an unknown customer',
    expect: 'customer/not_found',
    fast: false,
    run: (w) => w.services.invoices.create(w.actor, invoiceBody('cus_01jz0000000000000000000000')),
  },
  {
    name: 'a draft invoice',
    expect: 'ok',
    fast: true,
    run: (w) => w.services.invoices.create(w.actor, invoiceBody(w.customer, { status: 'draft' })),
  },
  {
    name: 'a payment that settles an invoice',
    expect: 'ok',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      return w.services.payments.create(w.actor, {
        customer_id: w.customer,
        currency: 'EUR',
        method: 'transfer',
        amount: 12_000,
        allocations: [{ invoice_id: id, amount: 12_000 }],
      });
    },
  },
  {
    name: 'a partial payment with credit left',
    expect: 'ok',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      return w.services.payments.create(w.actor, {
        customer_id: w.customer,
        currency: 'EUR',
        method: 'card',
        amount: 5_000,
        reference: 'R-1',
        allocations: [{ invoice_id: id, amount: 4_000 }],
      });
    },
  },
  {
    name: 'a payment over the balance',
    expect: 'payment/over_allocation',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      return w.services.payments.create(w.actor, {
        customer_id: w.customer,
        currency: 'EUR',
        method: 'transfer',
        amount: 20_000,
        allocations: [{ invoice_id: id, amount: 12_001 }],
      });
    },
  },
  {
    name: "a payment to another customer's invoice",
    expect: 'payment/invoice_of_other_customer',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      return w.services.payments.create(w.actor, {
        customer_id: w.otherCustomer,
        currency: 'EUR',
        method: 'transfer',
        amount: 1_000,
        allocations: [{ invoice_id: id, amount: 1_000 }],
      });
    },
  },
  {
    name: 'a payment in another currency',
    expect: 'payment/currency_mismatch',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      return w.services.payments.create(w.actor, {
        customer_id: w.customer,
        currency: 'USD',
        method: 'transfer',
        amount: 1_000,
        allocations: [{ invoice_id: id, amount: 1_000 }],
      });
    },
  },
  {
    name: 'a payment to a paid invoice',
    expect: 'payment/over_allocation',
    fast: true,
    run: async (w) => {
      const id = await w.invoice();
      const pay = {
        customer_id: w.customer,
        currency: 'EUR',
        method: 'transfer' as const,
        amount: 12_000,
        allocations: [{ invoice_id: id, amount: 12_000 }],
      };
      await w.services.payments.create(w.actor, pay);
      return w.services.payments.create(w.actor, pay);
    },
  },
  {
    name: 'a payment to a draft invoice',
    expect: 'payment/invoice_not_payable',
    fast: true,
    run: async (w) => {
      const id = await w.invoice({ status: 'draft' });
      return w.services.payments.create(w.actor, {
        customer_id: w.customer,
        currency: 'EUR',
        method: 'transfer',
        amount: 1_000,
        allocations: [{ invoice_id: id, amount: 1_000 }],
      });
    },
  },
];

/** Ids are random: each becomes its prefix (in messages too), so two runs compare equal when everything else does. */
const normalize = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (_key, v) => (typeof v === 'string' ? v.replace(/\b([a-z]+)_[0-9a-z]{26}\b/g, '$1_…') : v)),
  );
const sorted = (rows: unknown[]) =>
  rows.map(normalize).toSorted((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Runs a case in an account of its own and reads everything it left. */
async function outcome(ctx: ServicesContext, c: Case) {
  const { services, database } = ctx;
  const { account } = await services.accounts.create({ name: 'Acme' });
  const actor = liveActor(account.id);
  const customer = (await services.customers.create(actor, { name: 'Client', email: 'client@example.com' })).id;
  const otherCustomer = (await services.customers.create(actor, { name: 'Other', email: 'other@example.com' })).id;
  let n = 100;
  const invoice = async (body: Record<string, unknown> = {}) =>
    (await services.invoices.create(actor, invoiceBody(customer, { n: n++, ...body }))).invoice.id;
  let result: unknown;
  try {
    result = { ok: await c.run({ services, actor, customer, otherCustomer, invoice }) };
  } catch (error) {
    const e = error as { code?: string; status?: number; message: string; errors?: unknown };
    result = { error: { code: e.code, status: e.status, message: e.message, errors: e.errors } };
  }
  // The planner brings the reminders up to date (the fast paths leave that to it).
  await services.reminders.scheduler.prepare({ kind: 'live', now: new Date('2026-05-01T10:00:00Z') });
  const rows = await database.withAccount(account.id, async (trx) => ({
    invoices: await trx.selectFrom('invoices').selectAll().execute(),
    payments: await trx.selectFrom('payments').selectAll().execute(),
    allocations: await trx.selectFrom('payment_allocations').selectAll().execute(),
    reminders: await trx.selectFrom('reminder_occurrences').selectAll().execute(),
    // Only the one-statement writes store an invoice event as the row itself.
    oneStatement: (await trx.selectFrom('events').select('id').where('data_form', '=', 'invoice_row').execute()).length,
  }));
  const events = (await services.events.list(actor, { limit: 100 })).data.map((e) => ({ ...e, sequence: undefined }));
  return {
    result: normalize(result),
    oneStatement: rows.oneStatement,
    invoices: sorted(rows.invoices.map((i) => ({ ...i, account_id: undefined }))),
    payments: sorted(rows.payments.map((p) => ({ ...p, account_id: undefined }))),
    allocations: sorted(rows.allocations.map((a) => ({ ...a, account_id: undefined }))),
    reminders: sorted(rows.reminders.map((r) => ({ ...r, account_id: undefined }))),
    events: sorted(events.map((e) => ({ ...e, account_id: undefined }))),
  };
}

t.test('the fast and the general paths leave the same', async (t) => {
  const [fastPaths, general] = [
    await setupServices(t, { fastPaths: true }),
    await setupServices(t, { fastPaths: false }),
  ];
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const [f, g] = [await outcome(fastPaths, c), await outcome(general, c)];
      const code = (r: unknown) =>
        (r as { error?: { code?: string } }).error ? (r as { error: { code?: string } }).error.code : 'ok';
      t.equal(code(f.result), c.expect, 'the expected outcome');
      if (c.fast) t.ok(f.oneStatement > 0, 'the fast path wrote in one statement');
      t.equal(g.oneStatement, 0, 'with fastPaths: false nothing takes a fast path');
      t.same(f.result, g.result, 'the same result or error');
      t.same(f.invoices, g.invoices, 'the same invoice rows');
      t.same(f.payments, g.payments, 'the same payment rows');
      t.same(f.allocations, g.allocations, 'the same allocation rows');
      t.same(f.reminders, g.reminders, 'the same reminders');
      t.same(f.events, g.events, 'the same events');
    });
  }
});
