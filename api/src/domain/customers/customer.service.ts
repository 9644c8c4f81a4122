import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { constraintOf, isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import {
  accountTime,
  type Actor,
  assertWriteAccess,
  checkIdentity,
  normalizeVat,
  type Page,
  pageSize,
  refuseB2bTermsForConsumer,
  toPage,
} from '../shared/index.ts';
import { findPaymentTerms } from '../payment-terms/index.ts';
import {
  accountBillingAddress,
  type CustomerRow,
  deleteCustomer,
  findCustomer,
  insertCustomerOnce,
  listCustomers,
  markCustomerInvoicesForReplan,
  presentCustomer,
  updateCustomer,
} from './customer.repository.ts';
import { type Customer, CustomerCreate, CustomerListQuery, CustomerUpdate } from './customer.schemas.ts';
import { mobileInE164 } from './customer.rules.ts';

const countryOf = (address: unknown): string | null =>
  (address as { country?: string } | null | undefined)?.country ?? null;

/**
 * The mobile number in E.164, read in the national form of the customer's billing country (as
 * given, else as stored), else the account's. Unchanged when none is given.
 */
async function withE164Mobile<T extends { mobile?: string | null; billing_address?: unknown }>(
  trx: Db,
  data: T,
  stored?: { billing_address: unknown },
): Promise<T> {
  if (!data.mobile) return data;
  let region = countryOf(data.billing_address) ?? countryOf(stored?.billing_address);
  if (!region) {
    const account = await accountBillingAddress(trx);
    region = countryOf(account?.billing_address);
  }
  return { ...data, mobile: mobileInE164(data.mobile, region) };
}

function translate(
  error: unknown,
  input: { external_id?: string | null; payment_terms_id?: string | null; reminder_policy_id?: string | null },
): unknown {
  if (isUniqueViolation(error, 'customers_account_id_external_id_key')) {
    return externalIdTaken(String(input.external_id), undefined, []);
  }
  if (isForeignKeyViolation(error) && constraintOf(error)?.includes('payment_terms')) {
    return notFound('payment_terms', String(input.payment_terms_id));
  }
  if (isForeignKeyViolation(error) && constraintOf(error)?.includes('reminder_policy')) {
    return notFound('reminder_policy', String(input.reminder_policy_id));
  }
  return error;
}

const externalIdTaken = (externalId: string, existingId: string | undefined, differing: string[]): AppError =>
  new AppError(
    'customer/external_id_taken',
    409,
    existingId
      ? `Customer ${existingId} already has external_id '${externalId}' with other values (${differing.join(', ')}).`
      : `A customer with external_id '${externalId}' already exists.`,
    {
      ...(existingId && { existingId }),
      ...(differing.length > 0 && {
        errors: differing.map((field) => ({
          field: `/${field}`,
          message: 'differs from the registered customer with this external_id',
        })),
      }),
    },
  );

/** The fields given in a create body whose value differs from the registered customer's. */
function differingFields(data: CustomerCreate, existing: Customer): string[] {
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
    );
  return Object.entries(data)
    .filter(
      ([field, value]) =>
        value !== undefined && canonical(value) !== canonical(existing[field as keyof Customer] ?? null),
    )
    .map(([field]) => field);
}

/** VAT and registration numbers are stored without spacing (`FR40303265045`, `732829320`). */
export const withNormalizedVat = <T extends { vat_number?: string | null; registration_number?: string | null }>(
  data: T,
): T => ({
  ...data,
  ...(data.vat_number && { vat_number: normalizeVat(data.vat_number) }),
  // Registration numbers are written with spaces (`732 829 320`): stored without them.
  ...(data.registration_number && { registration_number: data.registration_number.replace(/\s/g, '') }),
});

/**
 * Checks a customer as it is about to be stored, in its transaction (a refusal rolls it back):
 * its identity for its country, and no business-only late-fee terms on a consumer.
 */
export async function assertLawfulCustomer(trx: Db, row: CustomerRow, at = ''): Promise<void> {
  checkIdentity(
    {
      registration_number: row.registration_number,
      vat_number: row.vat_number,
      billing_address: row.billing_address as Parameters<typeof checkIdentity>[0]['billing_address'],
    },
    at,
  );
  if (row.kind === 'consumer' && row.payment_terms_id) {
    const terms = await findPaymentTerms(trx, row.payment_terms_id);
    refuseB2bTermsForConsumer(row.kind, terms.late_fee_kind, `${at}/payment_terms_id`);
  }
}

export function createCustomerService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);
  const service = {
    /**
     * Creates a customer. A customer whose `external_id` (your CRM or shop id) is already
     * registered is returned as it is, with `created: false`, when the body agrees with it (the
     * rule of invoices: the same shop customer registered twice is one customer); a body that
     * differs from it in a given field is `409 customer/external_id_taken` carrying its id.
     */
    async register(actor: Actor, input: CustomerCreate): Promise<{ customer: Customer; created: boolean }> {
      assertWriteAccess(actor);
      const data = withNormalizedVat(parseInput<CustomerCreate>(CustomerCreate, input));
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const normalized = await withE164Mobile(trx, data);
          const { metadata, ...fields } = normalized;
          const { row, created } = await insertCustomerOnce(trx, {
            ...fields,
            account_id: actor.accountId,
            id: newId('customer'),
            metadata: JSON.stringify(metadata ?? {}),
            created_at: now,
            updated_at: now,
          });
          const customer = presentCustomer(row, today);
          if (created) await assertLawfulCustomer(trx, row);
          if (!created) {
            const differing = differingFields(normalized, customer);
            if (differing.length > 0) throw externalIdTaken(String(data.external_id), row.id, differing);
            return { customer, created: false };
          }
          await recordEvent(trx, {
            accountId: actor.accountId,
            type: 'customer.created',
            objectType: 'customer',
            objectId: row.id,
            data: customer,
            at: now,
          });
          return { customer, created: true };
        });
      } catch (error) {
        throw translate(error, data);
      }
    },

    /** Creates a customer, or returns the one registered with the same `external_id` (see `register`). */
    async create(actor: Actor, input: CustomerCreate): Promise<Customer> {
      return (await service.register(actor, input)).customer;
    },

    async get(actor: Actor, id: string): Promise<Customer> {
      const { today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findCustomer(trx, id);
        if (!row) throw notFound('customer', id);
        return presentCustomer(row, today);
      });
    },

    async list(actor: Actor, input: CustomerListQuery): Promise<Page<Customer>> {
      const query = parseInput<CustomerListQuery>(CustomerListQuery, input);
      const { today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage(
          (await listCustomers(trx, query)).map((row) => presentCustomer(row, today)),
          pageSize(query),
        ),
      );
    },

    async update(actor: Actor, id: string, patch: CustomerUpdate): Promise<Customer> {
      assertWriteAccess(actor);
      const data = withNormalizedVat(parseInput<CustomerUpdate>(CustomerUpdate, patch));
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const stored = data.mobile ? await findCustomer(trx, id) : undefined;
          if (data.mobile && !stored) throw notFound('customer', id);
          const values = await withE164Mobile(trx, data, stored);
          const row = await updateCustomer(trx, id, {
            ...values,
            ...(data.metadata !== undefined && { metadata: JSON.stringify(data.metadata) }),
            ...(data.billing_address !== undefined && { billing_address: JSON.stringify(data.billing_address) }),
            updated_at: now,
          });
          if (!row) throw notFound('customer', id);
          await assertLawfulCustomer(trx, row);
          if (data.billing_address !== undefined) {
            // Another country, other public holidays: the planner replans its open invoices.
            await markCustomerInvoicesForReplan(trx, { accountId: actor.accountId, id }, 'all', now);
          }
          if (data.reminder_policy_id !== undefined) {
            // Its open invoices without a policy of their own now follow another one: the planner replans them.
            await markCustomerInvoicesForReplan(
              trx,
              { accountId: actor.accountId, id },
              'following_customer_policy',
              now,
            );
          }
          const customer = presentCustomer(row, today);
          await recordEvent(trx, {
            accountId: actor.accountId,
            type: 'customer.updated',
            objectType: 'customer',
            objectId: id,
            data: customer,
            at: now,
          });
          return customer;
        });
      } catch (error) {
        throw translate(error, data);
      }
    },

    /** Deletes a customer that has no invoice; one with invoices is kept (`customer/in_use`). */
    async delete(actor: Actor, id: string): Promise<{ id: string; object: 'customer'; deleted: true }> {
      assertWriteAccess(actor);
      const now = clock.now();
      try {
        await database.withAccount(actor.accountId, async (trx) => {
          const row = await deleteCustomer(trx, id);
          if (!row) throw notFound('customer', id);
          await recordEvent(trx, {
            accountId: actor.accountId,
            type: 'customer.deleted',
            objectType: 'customer',
            objectId: id,
            data: presentCustomer(row),
            at: now,
          });
        });
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AppError('customer/in_use', 409, 'This customer has invoices and cannot be deleted.');
        }
        throw error;
      }
      return { id, object: 'customer', deleted: true };
    },
  };
  return service;
}

export type CustomerService = ReturnType<typeof createCustomerService>;
