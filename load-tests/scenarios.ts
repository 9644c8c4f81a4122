import type { Actor } from '../api/src/domain/shared/actor.ts';
import type { Services } from '../api/src/services.ts';

/**
 * What the bench can measure. A scenario is one kind of request sent over and over to one of
 * the two servers the bench starts: `raw` (bare Fastify + pg, one INSERT: the ceiling of this
 * machine) or `relance` (the real app). A comparison pairs a Relance scenario with a raw one and
 * states the goal. To add a scenario (say `POST /v1/payments`), append it to `scenarios` and
 * pair it in `comparisons`.
 */
export interface Scenario<State = unknown> {
  name: string;
  server: 'raw' | 'relance';
  method: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';
  path: string;
  /** Runs once before the scenario's first run: creates what its requests need, returns their headers and state. */
  setup(ctx: SetupContext): Promise<Prepared<State>>;
  /** The JSON body of the `seq`-th request; `seq` never repeats within a bench process. */
  body(state: State, seq: number): unknown;
}

export interface Prepared<State> {
  headers: Record<string, string>;
  state: State;
}

export interface SetupContext {
  /** Relance's services on the database the Relance server under test uses (setup only, in the bench process). */
  services: Services;
  /** One account, its API key and one customer, created through the services once and shared by scenarios. */
  tenant(): Promise<Tenant>;
}

export interface Tenant {
  accountId: string;
  apiKey: string;
  actor: Actor;
  customerId: string;
}

export interface Comparison {
  name: string;
  /** The raw scenario: what the machine does with one INSERT and no service around it. */
  baseline: string;
  candidate: string;
  /** The issue's goal: a share of the baseline's throughput, and for some a p99 bound (reported either way). */
  goal: { minRatio: number; maxP99Ms?: number };
}

/** Creates the tenant every Relance scenario shares: an account (with its first API key) and a customer. */
export async function createTenant(services: Services): Promise<Tenant> {
  const { account, api_key } = await services.accounts.create({ name: 'Bench account' });
  const actor = await services.apiKeys.authenticate(api_key.secret);
  if (!actor) throw new Error('the API key just created does not authenticate');
  const customer = await services.customers.create(actor, { name: 'Bench customer', email: 'billing@bench.example' });
  return { accountId: account.id, apiKey: api_key.secret, actor, customerId: customer.id };
}

/** A per-process prefix, so invoice numbers stay unique even if a database were reused. */
const RUN = Date.now().toString(36);
const ISSUE_DATE = '2026-11-01';
const DUE_DATE = '2026-12-01';

/** The invoice both servers receive: the fields a client sends to register an invoice. */
function invoiceBody(customerId: string, seq: number) {
  return {
    number: `B-${RUN}-${seq}`,
    customer_id: customerId,
    currency: 'EUR',
    subtotal: 10_000 + (seq % 1000),
    tax: 2_000,
    issue_date: ISSUE_DATE,
    due_date: DUE_DATE,
  };
}

const rawInsert: Scenario<{ customerId: string }> = {
  name: 'raw-insert',
  server: 'raw',
  method: 'POST',
  path: '/raw',
  setup: async () => ({ headers: {}, state: { customerId: 'cus_bench' } }),
  body: (state, seq) => invoiceBody(state.customerId, seq),
};

const createInvoice: Scenario<{ customerId: string }> = {
  name: 'create-invoice',
  server: 'relance',
  method: 'POST',
  path: '/v1/invoices',
  async setup(ctx) {
    const tenant = await ctx.tenant();
    return { headers: { authorization: `Bearer ${tenant.apiKey}` }, state: { customerId: tenant.customerId } };
  },
  body: (state, seq) => invoiceBody(state.customerId, seq),
};

/** Open invoices the payment scenario spreads its allocations over, so requests seldom wait on one row lock. */
const PAYABLE_INVOICES = 1000;

/** `POST /v1/payments` with one explicit allocation: a payment, an allocation, the invoice updated and replanned, two events. */
const createPayment: Scenario<{ customerId: string; invoiceIds: string[] }> = {
  name: 'create-payment',
  server: 'relance',
  method: 'POST',
  path: '/v1/payments',
  async setup(ctx) {
    const tenant = await ctx.tenant();
    const customer = await ctx.services.customers.create(tenant.actor, {
      name: 'Bench payer',
      email: 'payer@bench.example',
    });
    const invoiceIds: string[] = [];
    for (let i = 0; i < PAYABLE_INVOICES; i++) {
      const { invoice } = await ctx.services.invoices.create(tenant.actor, {
        number: `P-${RUN}-${i}`,
        customer_id: customer.id,
        currency: 'EUR',
        subtotal: 1_000_000_000,
        issue_date: ISSUE_DATE,
        due_date: DUE_DATE,
      });
      invoiceIds.push(invoice.id);
    }
    // History, as on a live account: one earlier payment per invoice (the bench analyzes the
    // database after the setups, so the planner knows payments and allocations are not empty).
    for (const invoiceId of invoiceIds) {
      await ctx.services.payments.create(tenant.actor, {
        customer_id: customer.id,
        amount: 1,
        currency: 'EUR',
        method: 'transfer',
        allocations: [{ invoice_id: invoiceId, amount: 1 }],
      });
    }
    return { headers: { authorization: `Bearer ${tenant.apiKey}` }, state: { customerId: customer.id, invoiceIds } };
  },
  body: (state, seq) => {
    const amount = 100 + (seq % 100);
    return {
      customer_id: state.customerId,
      amount,
      currency: 'EUR',
      method: 'transfer',
      reference: `BENCH-${RUN}-${seq}`,
      allocations: [{ invoice_id: state.invoiceIds[seq % state.invoiceIds.length], amount }],
    };
  },
};

export const scenarios: Scenario[] = [rawInsert, createInvoice, createPayment as Scenario];

export const comparisons: Comparison[] = [
  {
    name: 'POST /v1/invoices',
    baseline: 'raw-insert',
    candidate: 'create-invoice',
    goal: { minRatio: 0.6, maxP99Ms: 50 },
  },
  // A payment touches more rows than an invoice (payment, allocation, invoice, events): the
  // goal is half the ceiling, with no p99 bound (p99 is reported).
  { name: 'POST /v1/payments', baseline: 'raw-insert', candidate: 'create-payment', goal: { minRatio: 0.5 } },
];
