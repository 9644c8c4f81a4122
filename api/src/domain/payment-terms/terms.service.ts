import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { type Actor, assertWriteAccess, type Page, PageQuery, pageSize, toPage } from '../shared/index.ts';
import {
  deletePaymentTerms,
  insertPaymentTerms,
  listPaymentTerms,
  type PaymentTermsRow,
  presentPaymentTerms as present,
  selectPaymentTerms,
  updatePaymentTerms,
} from './terms.repository.ts';
import { type LateFeeRuleInput, type PaymentTerms, PaymentTermsCreate, PaymentTermsUpdate } from './terms.schemas.ts';

const codeTaken = (code: string | undefined) =>
  new AppError('payment_terms/code_taken', 409, `Payment terms with code '${code}' already exist in this account.`);

function columns(input: PaymentTermsUpdate) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.code !== undefined && { code: input.code }),
    ...(input.due !== undefined && {
      rule_kind: input.due.kind,
      rule_days: input.due.kind === 'due_on_receipt' ? 0 : (input.due.days ?? 0),
    }),
    ...(input.early_payment_discount !== undefined && {
      discount_bps: input.early_payment_discount?.percent_bps ?? null,
      discount_days: input.early_payment_discount?.within_days ?? null,
    }),
    ...(input.late_fee !== undefined && lateFeeColumns(input.late_fee)),
  };
}

function lateFeeColumns(rule: LateFeeRuleInput | null) {
  if (rule && rule.kind !== 'custom' && (rule.annual_rate_bps != null || rule.fixed_fee != null)) {
    throw new AppError(
      'payment_terms/late_fee_invalid',
      422,
      'A rate or fixed fee of your own needs `kind: custom`; the presets set both by law.',
      {
        errors: [{ field: '/late_fee/kind', message: 'must be custom with annual_rate_bps or fixed_fee' }],
      },
    );
  }
  return {
    late_fee_kind: rule?.kind ?? null,
    late_fee_rate_bps: rule?.annual_rate_bps ?? null,
    late_fee_fixed_amount: rule?.fixed_fee?.amount ?? null,
    late_fee_fixed_currency: rule?.fixed_fee?.currency ?? null,
    late_fee_grace_days: rule?.grace_days ?? 0,
    late_fee_cap_bps: rule?.cap_bps ?? null,
    late_fee_fixed_at: rule?.fixed_fee_at ?? 'overdue',
  };
}

/** Loads terms by id in the caller's transaction, or throws `payment_terms/not_found`. */
export async function findPaymentTerms(trx: Db, id: string): Promise<PaymentTermsRow> {
  const row = await selectPaymentTerms(trx, id);
  if (!row) throw notFound('payment_terms', id);
  return row;
}

export function createPaymentTermsService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  return {
    async create(actor: Actor, input: PaymentTermsCreate): Promise<PaymentTerms> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentTermsCreate>(PaymentTermsCreate, input);
      const now = clock.now();
      try {
        return await database.withAccount(actor.accountId, async (trx) =>
          present(
            await insertPaymentTerms(trx, {
              account_id: actor.accountId,
              id: newId('paymentTerms'),
              name: data.name,
              rule_kind: data.due.kind,
              rule_days: 0,
              ...columns(data),
              created_at: now,
              updated_at: now,
            }),
          ),
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw codeTaken(data.code);
        throw error;
      }
    },

    get(actor: Actor, id: string): Promise<PaymentTerms> {
      return database.withAccount(actor.accountId, async (trx) => present(await findPaymentTerms(trx, id)));
    },

    list(actor: Actor, input: PageQuery): Promise<Page<PaymentTerms>> {
      const query = parseInput<PageQuery>(PageQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage((await listPaymentTerms(trx, query)).map(present), pageSize(query)),
      );
    },

    /** Changes custom terms. Invoices keep the due date they were given; only new ones use the change. */
    async update(actor: Actor, id: string, patch: PaymentTermsUpdate): Promise<PaymentTerms> {
      assertWriteAccess(actor);
      const data = parseInput<PaymentTermsUpdate>(PaymentTermsUpdate, patch);
      try {
        return await database.withAccount(actor.accountId, async (trx) => {
          const current = await findPaymentTerms(trx, id);
          if (current.builtin) {
            throw new AppError(
              'payment_terms/builtin',
              409,
              'Built-in payment terms cannot be changed or deleted; create your own.',
            );
          }
          return present(await updatePaymentTerms(trx, id, { ...columns(data), updated_at: clock.now() }));
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw codeTaken(data.code);
        throw error;
      }
    },

    /** Deletes custom terms that no customer, invoice or account default refers to. */
    async delete(actor: Actor, id: string): Promise<{ id: string; object: 'payment_terms'; deleted: true }> {
      assertWriteAccess(actor);
      try {
        await database.withAccount(actor.accountId, async (trx) => {
          const current = await findPaymentTerms(trx, id);
          if (current.builtin) {
            throw new AppError(
              'payment_terms/builtin',
              409,
              'Built-in payment terms cannot be changed or deleted; create your own.',
            );
          }
          await deletePaymentTerms(trx, id);
        });
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AppError(
            'payment_terms/in_use',
            409,
            'These payment terms are used by a customer, an invoice or the account default.',
          );
        }
        throw error;
      }
      return { id, object: 'payment_terms', deleted: true };
    },
  };
}

export type PaymentTermsService = ReturnType<typeof createPaymentTermsService>;
