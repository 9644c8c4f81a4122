import type { RawBuilder } from 'kysely';
import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { recordEvent } from '../outbox/index.ts';
import { accountTime, type Actor, assertWriteAccess } from '../shared/index.ts';
import type { BehaviourService } from './behaviour.service.ts';
import {
  customersDueForRisk,
  flagInvoicesForPolicyByRisk,
  lockRisk,
  lockRisks,
  presentRisk,
  type RiskRow,
  riskThresholdsOf,
  storeAssessments,
  storedRisks,
  storeOverride,
} from './risk.repository.ts';
import { assessRisk, thresholdsOf } from './risk.rules.ts';
import {
  type CustomerRisk,
  type CustomerRiskChange,
  type RiskLevel,
  type RiskOverride,
  RiskOverride as RiskOverrideSchema,
  type RiskThresholds,
} from './risk.schemas.ts';

/** Customers assessed per pass of the sweep: a pass stays short, the next one takes the rest. */
const SWEEP_BATCH = 200;
/** A customer's risk is assessed again a day after the last time. */
const REASSESS_AFTER = '1 day';

/** After a change of the level in force: the invoices whose policy it may choose are flagged for a replan, and `customer.risk_changed` is written. */
async function changed(trx: Db, actor: Actor, before: CustomerRisk, after: CustomerRisk, now: Date): Promise<void> {
  if (before.level === after.level) return;
  await flagInvoicesForPolicyByRisk(trx, actor.accountId, after.customer_id, now);
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

  /** Assesses these customers now, stores the result and announces changes of the level in force. */
  async function assess(actor: Actor, customerIds: readonly string[]): Promise<Map<string, CustomerRisk>> {
    const result = new Map<string, CustomerRisk>();
    if (customerIds.length === 0) return result;
    const { now } = await timeFor(actor);
    const behaviours = await behaviour.refresh(actor, customerIds);
    if (behaviours.size === 0) return result;
    const accountId = actor.accountId;
    await database.withAccount(accountId, async (trx) => {
      const thresholds = thresholdsOf((await riskThresholdsOf(trx, accountId)) as Partial<RiskThresholds> | null);
      const rows = await lockRisks(trx, accountId, [...behaviours.keys()].sort());
      const assessed = rows.flatMap((row) => {
        const seen = behaviours.get(row.id);
        if (!seen) return [];
        const { level, reasons } = assessRisk(seen, thresholds);
        return [{ row, updated: { ...row, risk_level: level, risk_reasons: reasons, risk_assessed_at: now } }];
      });
      if (assessed.length === 0) return;
      // One statement for the batch, then the changes of the level in force, customer by customer.
      await storeAssessments(trx, accountId, assessed, { now, reassessAfter: REASSESS_AFTER });
      for (const { row, updated } of assessed) {
        await changed(trx, actor, presentRisk(row), presentRisk(updated), now);
        result.set(row.id, presentRisk(updated));
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
      const row = await lockRisk(trx, accountId, customerId);
      if (!row) throw notFound('customer', customerId);
      const updated: RiskRow = {
        ...row,
        risk_override_level: override?.level ?? null,
        risk_override_reason: override?.reason ?? null,
        risk_override_at: override ? now : null,
      };
      await storeOverride(trx, accountId, customerId, updated);
      await changed(trx, actor, presentRisk(row), presentRisk(updated), now);
      return presentRisk(updated);
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
        storedRisks(trx, actor.accountId, [...new Set(customerIds)]),
      );
      return new Map(rows.map((row) => [row.id, presentRisk(row)]));
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

    /** Whether a pass of the sweep would assess anyone: its first read, in the caller's transaction. */
    async sweepDue(trx: Db, scope: { now: Date; inScope: RawBuilder<boolean> }): Promise<boolean> {
      return (await customersDueForRisk(trx, { ...scope, limit: 1 })).length > 0;
    },

    /**
     * One pass of the daily assessment over the accounts `inScope` selects (a condition on
     * `accounts a`): up to `SWEEP_BATCH` customers whose next assessment is due, oldest first,
     * through the index on `risk_due_at`, so a pass costs what is due, not the book. Returns
     * how many customers were assessed.
     */
    async sweep(scope: { now: Date; inScope: RawBuilder<boolean> }): Promise<number> {
      const due = await database.withSystem((trx) =>
        customersDueForRisk(trx, { now: scope.now, inScope: scope.inScope, limit: SWEEP_BATCH }),
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
