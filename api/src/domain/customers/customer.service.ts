import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database } from '../../store/database.ts';
import { constraintOf, isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { accountTime, type Actor, assertWriteAccess, type Page, toPage } from '../shared/index.ts';
import { findCustomer, presentCustomer } from './customer.repository.ts';
import { type Customer, CustomerCreate, CustomerListQuery, CustomerUpdate } from './customer.schemas.ts';

function translate(error: unknown, input: { external_id?: string | null; payment_terms_id?: string | null; reminder_policy_id?: string | null }): unknown {
  if (isUniqueViolation(error, 'customers_account_id_external_id_key')) {
    return new AppError('customer/external_id_taken', 409, `A customer with external_id '${input.external_id}' already exists.`);
  }
  if (isForeignKeyViolation(error) && constraintOf(error)?.includes('payment_terms')) {
    return notFound('payment_terms', String(input.payment_terms_id));
  }
  if (isForeignKeyViolation(error) && constraintOf(error)?.includes('reminder_policy')) {
    return notFound('reminder_policy', String(input.reminder_policy_id));
  }
  return error;
}

export function createCustomerService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const timeFor = accountTime(database, clock);
  return {
    /** Creates a customer; `external_id` (your CRM or shop id) is unique in the account. */
    async create(actor: Actor, input: CustomerCreate): Promise<Customer> {
      assertWriteAccess(actor);
      const data = parseInput<CustomerCreate>(CustomerCreate, input);
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const row = await trx
            .insertInto('customers')
            .values({
              ...data,
              account_id: actor.accountId,
              id: newId('customer'),
              metadata: JSON.stringify(data.metadata ?? {}),
              created_at: now,
              updated_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const customer = presentCustomer(row, today);
          await recordEvent(trx, { accountId: actor.accountId, type: 'customer.created', objectType: 'customer', objectId: row.id, data: customer, at: now });
          return customer;
        });
      } catch (error) {
        throw translate(error, data);
      }
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
      const limit = query.limit ?? 20;
      const { today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        let q = trx.selectFrom('customers').selectAll().orderBy('id', 'desc').limit(limit + 1);
        if (query.starting_after) q = q.where('id', '<', query.starting_after);
        if (query.external_id) q = q.where('external_id', '=', query.external_id);
        if (query.email) q = q.where('email', '=', query.email);
        return toPage((await q.execute()).map((row) => presentCustomer(row, today)), limit);
      });
    },

    async update(actor: Actor, id: string, patch: CustomerUpdate): Promise<Customer> {
      assertWriteAccess(actor);
      const data = parseInput<CustomerUpdate>(CustomerUpdate, patch);
      const { now, today } = await timeFor(actor);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const row = await trx
            .updateTable('customers')
            .set({
              ...data,
              ...(data.metadata !== undefined && { metadata: JSON.stringify(data.metadata) }),
              updated_at: now,
            })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw notFound('customer', id);
          if (data.reminder_policy_id !== undefined) {
            // Its open invoices without a policy of their own now follow another one: the planner replans them.
            await trx
              .updateTable('invoices')
              .set({ needs_replan: true })
              .where('customer_id', '=', id)
              .where('reminder_policy_id', 'is', null)
              .where('status', 'in', ['open', 'partially_paid'])
              .execute();
          }
          const customer = presentCustomer(row, today);
          await recordEvent(trx, { accountId: actor.accountId, type: 'customer.updated', objectType: 'customer', objectId: id, data: customer, at: now });
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
          const row = await trx.deleteFrom('customers').where('id', '=', id).returningAll().executeTakeFirst();
          if (!row) throw notFound('customer', id);
          await recordEvent(trx, { accountId: actor.accountId, type: 'customer.deleted', objectType: 'customer', objectId: id, data: presentCustomer(row), at: now });
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
}

export type CustomerService = ReturnType<typeof createCustomerService>;
