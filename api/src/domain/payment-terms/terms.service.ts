import type { Selectable } from 'kysely';
import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import type { PaymentTerms as PaymentTermsTable } from '../../store/db-types.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { type Actor, assertWriteAccess, type Page, PageQuery, toPage } from '../shared/index.ts';
import {
  type LateFeeRule,
  type LateFeeRuleInput,
  type PaymentTerms,
  PaymentTermsCreate,
  PaymentTermsUpdate,
} from './terms.schemas.ts';
import { describeRule, type DueDateRule } from './terms.rules.ts';

type Row = Selectable<PaymentTermsTable>;

export function ruleOf(row: Pick<Row, 'rule_kind' | 'rule_days'>): DueDateRule {
  return row.rule_kind === 'due_on_receipt'
    ? { kind: 'due_on_receipt' }
    : { kind: row.rule_kind as Exclude<DueDateRule['kind'], 'due_on_receipt'>, days: row.rule_days };
}

const present = (row: Row): PaymentTerms => ({
  id: row.id,
  object: 'payment_terms',
  code: row.code,
  name: row.name,
  description: describeRule(ruleOf(row)),
  due: { kind: ruleOf(row).kind, days: row.rule_days },
  early_payment_discount:
    row.discount_bps === null || row.discount_days === null
      ? null
      : { percent_bps: row.discount_bps, within_days: row.discount_days },
  late_fee:
    row.late_fee_kind === null
      ? null
      : {
          kind: row.late_fee_kind as LateFeeRule['kind'],
          annual_rate_bps: row.late_fee_rate_bps,
          fixed_fee:
            row.late_fee_fixed_amount === null || row.late_fee_fixed_currency === null
              ? null
              : { amount: row.late_fee_fixed_amount, currency: row.late_fee_fixed_currency },
          grace_days: row.late_fee_grace_days,
          cap_bps: row.late_fee_cap_bps,
          fixed_fee_at: row.late_fee_fixed_at as LateFeeRule['fixed_fee_at'],
        },
  builtin: row.builtin,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

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
export async function findPaymentTerms(trx: Db, id: string): Promise<Row> {
  const row = await trx.selectFrom('payment_terms').selectAll().where('id', '=', id).executeTakeFirst();
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
            await trx
              .insertInto('payment_terms')
              .values({
                account_id: actor.accountId,
                id: newId('paymentTerms'),
                name: data.name,
                rule_kind: data.due.kind,
                rule_days: 0,
                ...columns(data),
                created_at: now,
                updated_at: now,
              })
              .returningAll()
              .executeTakeFirstOrThrow(),
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
      const limit = query.limit ?? 20;
      return database.withAccount(actor.accountId, async (trx) => {
        let q = trx
          .selectFrom('payment_terms')
          .selectAll()
          .orderBy('id', 'asc')
          .limit(limit + 1);
        if (query.starting_after) q = q.where('id', '>', query.starting_after);
        return toPage((await q.execute()).map(present), limit);
      });
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
          const row = await trx
            .updateTable('payment_terms')
            .set({ ...columns(data), updated_at: clock.now() })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return present(row);
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
          await trx.deleteFrom('payment_terms').where('id', '=', id).execute();
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
