import type { Clock } from '../../clock.ts';
import type { Database } from '../../store/database.ts';
import { type Customer, presentCustomer } from '../customers/index.ts';
import {
  type Invoice,
  INVOICE_EXPANSIONS,
  type InvoiceRow,
  invoicePagesOfCustomers,
  invoicesByIds,
  presentInvoice,
} from '../invoices/index.ts';
import { type InvoiceFee, presentFee } from '../late-fees/index.ts';
import { type Message, messagesOfInvoices, presentMessage } from '../messages/index.ts';
import {
  type Payment,
  PAYMENT_EXPANSIONS,
  paymentsOfInvoices,
  presentPaymentWithAllocations,
} from '../payments/index.ts';
import { accountTime, type Actor, expansions, type Page, toPage } from '../shared/index.ts';
import { customersByIds, feesOfInvoices } from './related.repository.ts';

/**
 * The objects related to others, loaded for many at once: what REST `expand[]` and the nested
 * fields of GraphQL (through DataLoader) show. Each method is ONE statement and one round trip
 * whatever the number of ids (`Database.readAsAccount`), so a page of 100 invoices with their
 * customers, fees and payments costs four statements, not four hundred. Ids of other accounts
 * are simply not found (row-level security).
 */
export function createRelatedService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);
  const unique = (ids: readonly string[]) => [...new Set(ids)];

  const service = {
    /**
     * Invoices with what `expand[]` asks for (`customer`, `payments`, `fees`), for a whole page
     * at once: one statement per expansion. An unknown expansion is a 400 `request/invalid_expand`.
     */
    async expandInvoices(actor: Actor, invoices: Invoice[], expand: readonly string[] | undefined): Promise<Invoice[]> {
      const wanted = expansions(expand, INVOICE_EXPANSIONS);
      if (wanted.size === 0 || invoices.length === 0) return invoices;
      const ids = invoices.map((i) => i.id);
      const [customers, payments, fees] = await Promise.all([
        wanted.has('customer')
          ? service.customers(
              actor,
              invoices.map((i) => i.customer_id),
            )
          : undefined,
        wanted.has('payments') ? service.paymentsOfInvoices(actor, ids) : undefined,
        wanted.has('fees') ? service.feesOfInvoices(actor, ids) : undefined,
      ]);
      const customerById = new Map(customers?.map((c) => [c.id, c]));
      return invoices.map((invoice) => ({
        ...invoice,
        ...(customers && { customer: customerById.get(invoice.customer_id) }),
        ...(payments && { payments: payments.filter((p) => p.allocations.some((a) => a.invoice_id === invoice.id)) }),
        ...(fees && { fees: fees.filter((f) => f.invoice_id === invoice.id) }),
      }));
    },

    /** Payments with what `expand[]` asks for (`invoices`: those of their allocations). */
    async expandPayments(actor: Actor, payments: Payment[], expand: readonly string[] | undefined): Promise<Payment[]> {
      const wanted = expansions(expand, PAYMENT_EXPANSIONS);
      if (!wanted.has('invoices') || payments.length === 0) return payments;
      const invoices = await service.invoices(
        actor,
        payments.flatMap((p) => p.allocations.map((a) => a.invoice_id)),
      );
      const byId = new Map(invoices.map((i) => [i.id, i]));
      return payments.map((payment) => ({
        ...payment,
        invoices: [...new Set(payment.allocations.map((a) => a.invoice_id))].flatMap((id) => byId.get(id) ?? []),
      }));
    },

    /** Customers by id, in no particular order; unknown ids are left out. */
    async customers(actor: Actor, ids: readonly string[]): Promise<Customer[]> {
      if (ids.length === 0) return [];
      const { today } = await timeFor(actor);
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        customersByIds(db, accountSet, unique(ids)),
      );
      return rows.map((row) => presentCustomer(row, today));
    },

    /** Invoices by id, in no particular order; unknown ids are left out. */
    async invoices(actor: Actor, ids: readonly string[]): Promise<Invoice[]> {
      if (ids.length === 0) return [];
      const { today } = await timeFor(actor);
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        invoicesByIds(db, accountSet, unique(ids)),
      );
      return rows.map((row) => presentInvoice(row, today));
    },

    /** The late-fee lines of these invoices, oldest first (waived ones included). */
    async feesOfInvoices(actor: Actor, invoiceIds: readonly string[]): Promise<InvoiceFee[]> {
      if (invoiceIds.length === 0) return [];
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        feesOfInvoices(db, accountSet, unique(invoiceIds)),
      );
      return rows.map(presentFee);
    },

    /**
     * The payments allocated (now or once) to these invoices, newest first, each with all of its
     * allocations (a payment may also pay other invoices): one statement, the allocations
     * gathered per payment by Postgres.
     */
    async paymentsOfInvoices(actor: Actor, invoiceIds: readonly string[]): Promise<Payment[]> {
      if (invoiceIds.length === 0) return [];
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        paymentsOfInvoices(db, accountSet, unique(invoiceIds)),
      );
      return rows.map(presentPaymentWithAllocations);
    },

    /** The reminder messages sent (or being sent) about these invoices, oldest first, without bodies. */
    async messagesOfInvoices(actor: Actor, invoiceIds: readonly string[]): Promise<Message[]> {
      if (invoiceIds.length === 0) return [];
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        messagesOfInvoices(db, accountSet, unique(invoiceIds)),
      );
      return rows.map((row) => presentMessage(row, { bodies: false }));
    },

    /** One page of invoices (newest first) for each of these customers, in one statement. */
    async invoicesOfCustomers(
      actor: Actor,
      customerIds: readonly string[],
      page: { limit: number; starting_after?: string | undefined },
    ): Promise<Map<string, Page<Invoice>>> {
      const pages = new Map<string, Page<Invoice>>();
      if (customerIds.length === 0) return pages;
      const { today } = await timeFor(actor);
      const rows = await database.readAsAccount(actor.accountId, (db, accountSet) =>
        invoicePagesOfCustomers(db, accountSet, unique(customerIds), page),
      );
      const byCustomer = new Map<string, Invoice[]>();
      for (const { rank_in_customer: _rank, ...row } of rows) {
        const list = byCustomer.get(row.customer_id) ?? [];
        list.push(presentInvoice(row as InvoiceRow, today));
        byCustomer.set(row.customer_id, list);
      }
      for (const id of customerIds) pages.set(id, toPage(byCustomer.get(id) ?? [], page.limit));
      return pages;
    },
  };
  return service;
}

export type RelatedService = ReturnType<typeof createRelatedService>;
