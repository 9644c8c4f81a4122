import DataLoader from 'dataloader';
import type { CustomerBehaviour, CustomerRisk } from '../domain/behaviour/index.ts';
import type { Customer } from '../domain/customers/index.ts';
import type { Invoice } from '../domain/invoices/index.ts';
import type { InvoiceFee } from '../domain/late-fees/index.ts';
import type { Message } from '../domain/messages/index.ts';
import type { Payment } from '../domain/payments/index.ts';
import type { Timeline } from '../domain/reminders/index.ts';
import type { Actor, Page } from '../domain/shared/index.ts';
import type { Services } from '../services.ts';

const byId = <T extends { id: string }>(ids: readonly string[], items: readonly T[]): Array<T | null> => {
  const found = new Map(items.map((item) => [item.id, item]));
  return ids.map((id) => found.get(id) ?? null);
};

const groupedBy = <T>(ids: readonly string[], items: readonly T[], keysOf: (item: T) => readonly string[]): T[][] => {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const item of items) for (const key of new Set(keysOf(item))) groups.get(key)?.push(item);
  return ids.map((id) => groups.get(id) ?? []);
};

/** The page of a customer's invoices a nested `Customer.invoices(limit, startingAfter)` asks for. */
export interface CustomerInvoicesKey {
  customerId: string;
  limit: number;
  startingAfter: string | undefined;
}

/**
 * One set of DataLoaders per GraphQL request (they cache for the request only, so one caller's
 * objects never serve another). Every nested field of a list resolves through them: the fields
 * asked for on a page of 100 invoices become one batched call of the related service per kind
 * of object, each one SQL statement.
 */
export function createLoaders(services: Services, actorOf: () => Actor) {
  const { related } = services;
  return {
    customer: new DataLoader<string, Customer | null>(async (ids) =>
      byId(ids, await related.customers(actorOf(), ids)),
    ),
    behaviourOfCustomer: new DataLoader<string, CustomerBehaviour | null>(async (ids) => {
      const found = await services.behaviour.many(actorOf(), ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    riskOfCustomer: new DataLoader<string, CustomerRisk | null>(async (ids) => {
      const found = await services.risk.assess(actorOf(), ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    invoice: new DataLoader<string, Invoice | null>(async (ids) => byId(ids, await related.invoices(actorOf(), ids))),
    feesOfInvoice: new DataLoader<string, InvoiceFee[]>(async (ids) =>
      groupedBy(ids, await related.feesOfInvoices(actorOf(), ids), (fee) => [fee.invoice_id]),
    ),
    paymentsOfInvoice: new DataLoader<string, Payment[]>(async (ids) =>
      groupedBy(ids, await related.paymentsOfInvoices(actorOf(), ids), (payment) =>
        payment.allocations.map((a) => a.invoice_id),
      ),
    ),
    remindersOfInvoice: new DataLoader<string, Message[]>(async (ids) =>
      groupedBy(ids, await related.messagesOfInvoices(actorOf(), ids), (message) =>
        message.invoice_id ? [message.invoice_id] : [],
      ),
    ),
    timelineOfInvoice: new DataLoader<string, Timeline | null>(async (ids) => {
      const timelines = await services.timeline.timelines(actorOf(), ids);
      return ids.map((id) => timelines.get(id) ?? null);
    }),
    invoicesOfCustomer: new DataLoader<CustomerInvoicesKey, Page<Invoice>, string>(
      async (keys) => {
        // Keys asking for the same page size and cursor share one statement.
        const pages = new Map<string, Page<Invoice>>();
        const groups = new Map<string, CustomerInvoicesKey[]>();
        for (const key of keys) {
          const group = `${key.limit}:${key.startingAfter ?? ''}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        for (const group of groups.values()) {
          const { limit, startingAfter } = group[0] as CustomerInvoicesKey;
          const found = await related.invoicesOfCustomers(
            actorOf(),
            group.map((k) => k.customerId),
            { limit, starting_after: startingAfter },
          );
          for (const key of group) pages.set(JSON.stringify(key), found.get(key.customerId) as Page<Invoice>);
        }
        return keys.map((key) => pages.get(JSON.stringify(key)) as Page<Invoice>);
      },
      { cacheKeyFn: (key) => JSON.stringify(key) },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
