import { type RawBuilder, sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { accountTime, type Actor, assertWriteAccess, CHASED_STATUSES_SQL } from '../shared/index.ts';
import type { BehaviourService } from './behaviour.service.ts';
import { assessRisk, thresholdsOf } from './risk.rules.ts';
import {
  type CustomerRisk,
  type CustomerRiskChange,
  type RiskLevel,
  type RiskOverride,
  RiskOverride as RiskOverrideSchema,
  type RiskReason,
  type RiskThresholds,
} from './risk.schemas.ts';

/** Customers assessed per pass of the sweep: a pass stays short, the next one takes the rest. */
const SWEEP_BATCH = 200;
/** A customer's risk is assessed again a day after the last time. */
const REASSESS_AFTER = '1 day';

type RiskRow = {
  id: string;
  risk_level: string;
  risk_reasons: unknown;
  risk_assessed_at: Date | null;
  risk_override_level: string | null;
  risk_override_reason: string | null;
  risk_override_at: Date | null;
};

const RISK_COLUMNS = [
  'id',
  'risk_level',
  'risk_reasons',
  'risk_assessed_at',
  'risk_override_level',
  'risk_override_reason',
  'risk_override_at',
] as const;

function present(row: RiskRow): CustomerRisk {
  const assessed = row.risk_level as RiskLevel;
  const override =
    row.risk_override_level !== null && row.risk_override_at !== null
      ? {
          level: row.risk_override_level as RiskLevel,
          reason: row.risk_override_reason ?? '',
          set_at: row.risk_override_at.toISOString(),
        }
      : null;
  return {
    object: 'customer_risk',
    customer_id: row.id,
    level: override?.level ?? assessed,
    assessed_level: assessed,
    reasons: (row.risk_reasons ?? []) as RiskReason[],
    assessed_at: row.risk_assessed_at?.toISOString() ?? null,
    override,
  };
}

/**
 * The risk level of customers, advisory and explained: assessed from their payment behaviour
 * with the account's thresholds (`risk.rules.ts`), kept on the customer, assessed again when read
 * and by the daily sweep, and overruled by a person when they know better. A change of the level
 * in force writes `customer.risk_changed`. Nothing crosses accounts: the behaviour, the thresholds
 * and the level are the account's own.
 */
export function createRiskService(deps: { database: Database; clock: Clock; behaviour: BehaviourService }) {
  const { database, clock, behaviour } = deps;
  const timeFor = accountTime(database, clock);

  async function changed(trx: Db, actor: Actor, before: CustomerRisk, after: CustomerRisk, now: Date): Promise<void> {
    if (before.level === after.level) return;
    // With policies by rule, the level may choose the customer's policy: its open invoices that
    // follow no policy of their own (nor the customer's) are replanned by the workers.
    await sql`
      UPDATE invoices i SET needs_replan = true
        FROM accounts a, customers c
       WHERE a.id = ${actor.accountId} AND a.policy_rules IS NOT NULL
         AND c.account_id = ${actor.accountId} AND c.id = ${after.customer_id} AND c.reminder_policy_id IS NULL
         AND i.account_id = ${actor.accountId} AND i.customer_id = ${after.customer_id}
         AND i.status IN (${CHASED_STATUSES_SQL}) AND i.reminder_policy_id IS NULL AND NOT i.needs_replan`.execute(trx);
    const data: CustomerRiskChange = {
      customer_id: after.customer_id,
      previous_level: before.level,
      level: after.level,
      reasons: after.reasons,
      overridden: after.override !== null,
    };
    await recordEvent(trx, {
      accountId: actor.accountId,
      type: 'customer.risk_changed',
      objectType: 'customer',
      objectId: after.customer_id,
      data,
      at: now,
    });
  }

  /** Assesses these customers now, stores the result and announces changes of the level in force. */
  async function assess(actor: Actor, customerIds: readonly string[]): Promise<Map<string, CustomerRisk>> {
    const result = new Map<string, CustomerRisk>();
    if (customerIds.length === 0) return result;
    const { now } = await timeFor(actor);
    const behaviours = await behaviour.refresh(actor, customerIds);
    if (behaviours.size === 0) return result;
    const accountId = actor.accountId;
    await database.withAccount(accountId, async (trx) => {
      const account = await trx
        .selectFrom('accounts')
        .select('risk_thresholds')
        .where('id', '=', accountId)
        .executeTakeFirst();
      const thresholds = thresholdsOf(account?.risk_thresholds as Partial<RiskThresholds> | null);
      const rows = await trx
        .selectFrom('customers')
        .select(RISK_COLUMNS)
        .where('account_id', '=', accountId)
        .where('id', 'in', [...behaviours.keys()].sort())
        .orderBy('id')
        .forUpdate()
        .execute();
      const assessed = rows.flatMap((row) => {
        const seen = behaviours.get(row.id);
        if (!seen) return [];
        const { level, reasons } = assessRisk(seen, thresholds);
        return [{ row, updated: { ...row, risk_level: level, risk_reasons: reasons, risk_assessed_at: now } }];
      });
      if (assessed.length === 0) return;
      // One statement for the batch, then the changes of the level in force, customer by customer.
      await sql`
        UPDATE customers c
           SET risk_level = a.level, risk_reasons = a.reasons, risk_assessed_at = ${now},
               risk_due_at = ${now}::timestamptz + ${sql.lit(REASSESS_AFTER)}::interval
          FROM unnest(${assessed.map((a) => a.row.id)}::text[], ${assessed.map((a) => a.updated.risk_level)}::text[],
                      ${assessed.map((a) => JSON.stringify(a.updated.risk_reasons))}::jsonb[]) AS a(id, level, reasons)
         WHERE c.account_id = ${accountId} AND c.id = a.id`.execute(trx);
      for (const { row, updated } of assessed) {
        await changed(trx, actor, present(row), present(updated), now);
        result.set(row.id, present(updated));
      }
    });
    return result;
  }

  async function setOverride(
    actor: Actor,
    customerId: string,
    override: { level: RiskLevel; reason: string } | null,
  ): Promise<CustomerRisk> {
    assertWriteAccess(actor);
    const { now } = await timeFor(actor);
    const accountId = actor.accountId;
    return database.withAccount(accountId, async (trx) => {
      const row = await trx
        .selectFrom('customers')
        .select(RISK_COLUMNS)
        .where('account_id', '=', accountId)
        .where('id', '=', customerId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound('customer', customerId);
      const updated: RiskRow = {
        ...row,
        risk_override_level: override?.level ?? null,
        risk_override_reason: override?.reason ?? null,
        risk_override_at: override ? now : null,
      };
      await trx
        .updateTable('customers')
        .set({
          risk_override_level: updated.risk_override_level,
          risk_override_reason: updated.risk_override_reason,
          risk_override_at: updated.risk_override_at,
        })
        .where('account_id', '=', accountId)
        .where('id', '=', customerId)
        .execute();
      await changed(trx, actor, present(row), present(updated), now);
      return present(updated);
    });
  }

  return {
    assess,

    /** A customer's risk, assessed now from its current behaviour. */
    async get(actor: Actor, customerId: string): Promise<CustomerRisk> {
      const risk = (await assess(actor, [customerId])).get(customerId);
      if (!risk) throw notFound('customer', customerId);
      return risk;
    },

    /** The stored risk of several customers, as last assessed (GraphQL lists batch through it). */
    async stored(actor: Actor, customerIds: readonly string[]): Promise<Map<string, CustomerRisk>> {
      if (customerIds.length === 0) return new Map();
      const rows = await database.withAccount(actor.accountId, (trx) =>
        trx
          .selectFrom('customers')
          .select(RISK_COLUMNS)
          .where('account_id', '=', actor.accountId)
          .where('id', 'in', [...new Set(customerIds)])
          .execute(),
      );
      return new Map(rows.map((row) => [row.id, present(row)]));
    },

    /** A person overrules the assessment; kept until lifted. */
    async override(actor: Actor, customerId: string, input: RiskOverride): Promise<CustomerRisk> {
      const body = parseInput<RiskOverride>(RiskOverrideSchema, input);
      return setOverride(actor, customerId, body);
    },

    /** Lifts an override: the assessed level is in force again. */
    async liftOverride(actor: Actor, customerId: string): Promise<CustomerRisk> {
      return setOverride(actor, customerId, null);
    },

    /**
     * One pass of the daily assessment over the accounts `inScope` selects (a condition on
     * `accounts a`): up to `SWEEP_BATCH` customers whose next assessment is due, oldest first,
     * through the index on `risk_due_at`, so a pass costs what is due, not the book. Returns
     * how many customers were assessed.
     */
    async sweep(scope: { now: Date; inScope: RawBuilder<boolean> }): Promise<number> {
      const due = await database.withSystem(
        async (trx) =>
          (
            await sql<{ account_id: string; id: string; mode: 'live' | 'test'; time_zone: string }>`
            SELECT c.account_id, c.id, a.mode, a.time_zone
              FROM customers c JOIN accounts a ON a.id = c.account_id
             WHERE c.risk_due_at <= ${scope.now} AND ${scope.inScope}
             ORDER BY c.risk_due_at
             LIMIT ${sql.lit(SWEEP_BATCH)}`.execute(trx)
          ).rows,
      );
      for (const [accountId, rows] of Map.groupBy(due, (r) => r.account_id)) {
        const first = rows[0];
        if (!first) continue;
        const actor: Actor = { accountId, keyId: null, readOnly: false, mode: first.mode, timeZone: first.time_zone };
        await assess(
          actor,
          rows.map((r) => r.id),
        );
      }
      return due.length;
    },
  };
}

export type RiskService = ReturnType<typeof createRiskService>;
