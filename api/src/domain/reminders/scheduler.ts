import { type RawBuilder, sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database, Db } from '../../store/database.ts';
import { newId } from '../../ids.ts';
import { todayIn } from '../calendar.ts';
import { insertEvents } from '../outbox/index.ts';
import { presentInvoice } from '../invoices/index.ts';
import { accrueLateFees } from '../late-fees/index.ts';
import { markMissedInstallments, missedInstallmentCandidates } from '../payment-plans/index.ts';
import { expiredClaimCandidates, expirePaymentClaims } from '../claims/index.ts';
import type { ReminderEngine } from './engine.ts';
import { reminderData } from './ledger.ts';
import { accountsWithInvoicesToPlan, flagNextInvoicesOfPolicy, lockNextInvoicesToPlan } from './planning.repository.ts';
import { lockReplanMark, policiesMarkedForReplan, setReplanMark } from './policy.repository.ts';
import {
  type DueOccurrence,
  findDueOccurrences,
  markUpcomingAnnounced,
  upcomingToAnnounce,
} from './reminder-occurrence.repository.ts';
import { replanInvoices } from './schedule.ts';
import {
  invoicesToAnnounce,
  invoicesWithLateFeesDue,
  markInvoicesAnnounced,
  setLateFeesAccruedOn,
} from './scheduler.repository.ts';

/** Days ahead of the due date at which `invoice.due_soon` is announced. */
export const DUE_SOON_DAYS = 3;
const PLAN_BATCH = 500;
/**
 * Connections planning at once. Each batch goes back and forth between the worker and the
 * database, so a connection leaves its database core idle part of the time; a fourth filled
 * those gaps on a 2-core machine (96,000 invoices: 3,520-3,653/s with three, 4,757-4,973/s with
 * four, 4,669 with five, 3,902 with six). A pool smaller than this makes batches wait their turn.
 */
const PLAN_PARALLEL = 4;
const FLAG_BATCH = 5_000;

/**
 * Which accounts a pass covers: every account on the system clock (live accounts, and test
 * accounts whose clock was never set or was reset), or one account (a test clock).
 */
export type Scope = { kind: 'live'; now: Date } | { kind: 'account'; accountId: string; now: Date };

/**
 * A step of `runUntilIdle` handed over by another module: what it does, and the read it starts
 * from (in the caller's transaction), empty exactly when the step would do nothing. The pair
 * lets a pass with nothing to do end after one transaction of reads without skipping a step.
 */
export interface IdleStep<S, R> {
  run(scope: S): Promise<R>;
  due(trx: Db, scope: S): Promise<boolean>;
}

/**
 * The periodic work of the reminder engine: plan invoices flagged for (re)planning, announce
 * invoices that became due soon or overdue, and find the reminders that are due. Every step is
 * safe to run in several processes at once (row locks, SKIP LOCKED, conditional updates).
 */
export function createReminderScheduler(deps: {
  database: Database;
  clock: Clock;
  engine: ReminderEngine;
  /** The daily risk assessment of customers (behaviour), run with each pass over the same accounts. */
  assessRisk?: IdleStep<{ now: Date; inScope: RawBuilder<boolean> }, number>;
  /** The monthly statements of the accounts in scope (domain/statements); how many were handed over. */
  sendStatements?: IdleStep<Scope, number>;
  /**
   * Writes the PDFs of the formal notices decided in scope (the workers' letter writer does it in
   * production); returns how many. `runUntilIdle` ends with it, so a test clock's step has them.
   */
  writeLetters?: IdleStep<Scope, number>;
}) {
  const { database, engine } = deps;
  const inScope = (scope: Scope) =>
    scope.kind === 'live'
      ? sql<boolean>`(a.mode = 'live' OR NOT EXISTS (SELECT 1 FROM account_clocks c WHERE c.account_id = a.id))`
      : sql<boolean>`a.id = ${scope.accountId}`;

  /**
   * Flags for planning, in batches of `FLAG_BATCH` in id order, the open invoices of every policy
   * in scope changed since (`replan_after` set), and clears the mark after the last batch. Each
   * batch holds the policy's row, so a change made meanwhile (which sets the mark back to the
   * start) waits for it and is not lost. Returns how many invoices were flagged.
   */
  async function flagInvoicesOfChangedPolicies(scope: Scope): Promise<number> {
    const policies = await database.withSystem((trx) => policiesMarkedForReplan(trx, inScope(scope)));
    let flagged = 0;
    for (const policy of policies) {
      for (let more = true; more; ) {
        more = await database.withAccount(policy.account_id, async (trx) => {
          const mark = await lockReplanMark(trx, policy.account_id, policy.id);
          if (mark?.replan_after == null) return false;
          const ids = await flagNextInvoicesOfPolicy(trx, {
            accountId: policy.account_id,
            policyId: policy.id,
            after: mark.replan_after,
            limit: FLAG_BATCH,
            now: scope.now,
          });
          const done = ids.length < FLAG_BATCH;
          await setReplanMark(trx, policy.account_id, policy.id, {
            replan_after: done ? null : ids.at(-1),
            invoices_to_replan: done ? 0 : Math.max(0, mark.invoices_to_replan - ids.length),
          });
          flagged += ids.length;
          return !done;
        });
      }
    }
    return flagged;
  }

  /**
   * Plans every queued invoice in scope, in batches. `PLAN_PARALLEL` connections share the
   * accounts with work, several on one large account: each batch takes invoices off the
   * account's queue (`invoice_replans`, SKIP LOCKED past the batches the other connections hold),
   * in id order from the account's cursor, the last id an earlier batch of the pass took, so a
   * batch never walks what earlier batches planned. An invoice queued behind the cursor during
   * the pass waits for the next pass (the next tick). A pass ends on an account when a batch
   * finds less than a full batch. Returns how many were planned.
   */
  async function planPending(scope: Scope): Promise<number> {
    await flagInvoicesOfChangedPolicies(scope);
    const accounts = await database.withSystem((trx) => accountsWithInvoicesToPlan(trx, inScope(scope)));
    let planned = 0;
    const active = accounts.map((a) => ({ ...a, done: false, after: '' }));
    const planBatch = async (account: (typeof active)[number]) => {
      const count = await database.withAccount(account.id, async (trx) => {
        const { ids, last } = await lockNextInvoicesToPlan(trx, account.id, account.after, PLAN_BATCH);
        // Several connections move one account's cursor: it only moves forward.
        if (last !== null && last > account.after) account.after = last;
        await replanInvoices(trx, {
          accountId: account.id,
          invoiceIds: ids,
          timeZone: account.time_zone,
          now: scope.now,
        });
        return ids.length;
      });
      planned += count;
      // Less than a batch: what is left is held by the other connections (or by a writer).
      if (count < PLAN_BATCH) account.done = true;
    };
    let turn = 0;
    await Promise.all(
      Array.from({ length: PLAN_PARALLEL }, async () => {
        for (;;) {
          const open = active.filter((a) => !a.done);
          const account = open[turn++ % Math.max(open.length, 1)];
          if (!account) return;
          await planBatch(account);
        }
      }),
    );
    return planned;
  }

  /**
   * Writes `invoice.overdue` once when an invoice becomes overdue, and `invoice.due_soon` once
   * before. Per account in scope, each branch reads a partial index of the invoices not yet
   * announced, by due date, up to the account's today: an announced invoice leaves the index,
   * so the range holds only the work (a backlog after downtime included), never the settled or
   * announced book.
   */
  async function announce(scope: Scope): Promise<number> {
    const candidates = await database.withSystem((trx) =>
      invoicesToAnnounce(trx, inScope(scope), scope.now, DUE_SOON_DAYS),
    );
    let announced = 0;
    for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
      const timeZone = rows[0]?.time_zone ?? 'UTC';
      const today = todayIn(scope.now, timeZone);
      await database.withAccount(accountId, async (trx) => {
        for (const kind of ['overdue', 'due_soon'] as const) {
          const ids = rows.filter((r) => r.kind === kind).map((r) => r.id);
          if (ids.length === 0) continue;
          const updated = await markInvoicesAnnounced(trx, ids, kind, scope.now);
          if (updated.length === 0) continue;
          await insertEvents(
            trx,
            updated.map((row) => ({
              account_id: accountId,
              id: newId('event'),
              type: `invoice.${kind}`,
              object_type: 'invoice',
              object_id: row.id,
              data: JSON.stringify(presentInvoice(row, today)),
              created_at: scope.now,
            })),
          );
          announced += updated.length;
        }
      });
    }
    return announced;
  }

  /**
   * Writes `reminder.upcoming` once for each reminder whose time is within its policy's
   * `upcoming_hours` (default 24), so the integrator can hold or cancel it first. Per account in
   * scope, it reads the partial index of the reminders not yet announced, from now to the
   * account's longest notice: the work, never the book. A reminder whose time changes is
   * announced again before its new time.
   */
  async function announceUpcoming(scope: Scope): Promise<number> {
    const candidates = await database.withSystem((trx) => upcomingToAnnounce(trx, inScope(scope), scope.now));
    let announced = 0;
    for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
      await database.withAccount(accountId, async (trx) => {
        const updated = await markUpcomingAnnounced(
          trx,
          accountId,
          rows.map((r) => r.id),
          scope.now,
        );
        if (updated.length === 0) return;
        await insertEvents(
          trx,
          updated.map((o) => ({
            account_id: accountId,
            id: newId('event'),
            type: 'reminder.upcoming',
            object_type: 'reminder',
            object_id: o.id,
            data: JSON.stringify(reminderData(o, { scheduled_at: o.scheduled_at?.toISOString() ?? null })),
            created_at: scope.now,
          })),
        );
        announced += updated.length;
      });
    }
    return announced;
  }

  /**
   * Brings late fees up to date, once a local day, on every overdue invoice in scope (each
   * invoice's rule decides; most have none), after marking missed payment plan installments
   * (found in the same scan). Returns how many invoices were looked at.
   */
  async function accrueLateFeesDaily(scope: Scope): Promise<number> {
    const [missed, candidates] = await database.withSystem(
      async (trx) =>
        [
          await missedInstallmentCandidates(trx, inScope(scope), scope.now),
          await invoicesWithLateFeesDue(trx, inScope(scope), scope.now),
        ] as const,
    );
    // Payment plans first: an installment missed yesterday may breach a plan, and fees resume today.
    if (missed.length > 0) await markMissedInstallments(database, missed, scope.now, replanInvoices);
    await expirePaymentClaims(database, { now: scope.now, inScope: inScope(scope) }, replanInvoices);
    for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
      await database.withAccount(accountId, async (trx) => {
        for (const row of rows) {
          await accrueLateFees(trx, { accountId, invoiceId: row.id, today: row.today, now: scope.now });
          await setLateFeesAccruedOn(trx, accountId, row.id, row.today);
        }
      });
    }
    return candidates.length;
  }

  /**
   * Whether `prepare` has anything to do in scope: the reads each of its steps starts from, in one
   * transaction, up to the first that finds work. Each step does nothing when its read finds
   * nothing (and then changes nothing a later step reads), so a pass with nothing to prepare, the
   * usual one, costs one transaction instead of one per step.
   */
  async function hasWorkToPrepare(scope: Scope): Promise<boolean> {
    return database.withSystem((trx) => prepareIsDue(trx, scope));
  }

  /** `hasWorkToPrepare`'s reads, in the caller's transaction. */
  async function prepareIsDue(trx: Db, scope: Scope): Promise<boolean> {
    const where = inScope(scope);
    const { now } = scope;
    const reads: Array<() => Promise<unknown[]>> = [
      () => policiesMarkedForReplan(trx, where),
      () => accountsWithInvoicesToPlan(trx, where),
      () => invoicesToAnnounce(trx, where, now, DUE_SOON_DAYS),
      () => upcomingToAnnounce(trx, where, now),
      () => missedInstallmentCandidates(trx, where, now),
      () => expiredClaimCandidates(trx, now, where),
      () => invoicesWithLateFeesDue(trx, where, now),
    ];
    for (const read of reads) if ((await read()).length > 0) return true;
    return false;
  }

  /**
   * Whether `runUntilIdle` has anything to do in scope: `prepare`'s reads, then the first read of
   * each later step (risk, due reminders, statements, letters), in one transaction, up to the
   * first that finds work. A step whose read finds nothing does nothing, so when none finds
   * anything no step would have made work for another: the pass can end here.
   */
  async function hasWorkUntilIdle(scope: Scope): Promise<boolean> {
    return database.withSystem(
      async (trx) =>
        (await prepareIsDue(trx, scope)) ||
        ((await deps.assessRisk?.due(trx, { now: scope.now, inScope: inScope(scope) })) ?? false) ||
        (await findDueOccurrences(trx, inScope(scope), scope.now, 1)).length > 0 ||
        ((await deps.sendStatements?.due(trx, scope)) ?? false) ||
        ((await deps.writeLetters?.due(trx, scope)) ?? false),
    );
  }

  /** Reminders due in scope, oldest first; also deliveries to retry (after 1, 2, 4… minutes: `retryDelayMs`). */
  async function dueOccurrences(scope: Scope, limit = 20_000): Promise<DueOccurrence[]> {
    return database.withSystem((trx) => findDueOccurrences(trx, inScope(scope), scope.now, limit));
  }

  return {
    planPending,
    announce,
    announceUpcoming,
    dueOccurrences,

    accrueLateFeesDaily,

    /** One pass of everything that does not send: plan, announce, mark missed plan installments, bring late fees up to date. */
    async prepare(scope: Scope): Promise<{ planned: number; announced: number }> {
      if (!(await hasWorkToPrepare(scope))) return { planned: 0, announced: 0 };
      const planned = await planPending(scope);
      const announced = await announce(scope);
      await announceUpcoming(scope);
      await accrueLateFeesDaily(scope);
      return { planned, announced };
    },

    /**
     * The customers' daily risk assessment over the accounts in scope, up to `passes` batches:
     * its own job in production (every ten minutes, not every tick), each step of a test clock.
     */
    async assessRisk(scope: Scope, passes = 10): Promise<number> {
      let assessed = 0;
      for (let pass = 0; pass < passes && deps.assessRisk; pass++) {
        const n = await deps.assessRisk.run({ now: scope.now, inScope: inScope(scope) });
        assessed += n;
        if (n === 0) break;
      }
      return assessed;
    },

    /**
     * Runs all due work in scope now, in this process, until nothing is due: for test clocks and
     * for tests. Production spreads the sends over the workers through the job queue instead.
     */
    async runUntilIdle(scope: Scope): Promise<{ planned: number; announced: number; processed: number }> {
      // The usual step of a test clock: nothing to do, found in one transaction.
      if (!(await hasWorkUntilIdle(scope))) return { planned: 0, announced: 0, processed: 0 };
      const { planned, announced } = await this.prepare(scope);
      await this.assessRisk(scope);
      let processed = 0;
      // Every outcome but `noop` changes the reminder so that it is no longer due now.
      const unchanged = new Set<string>();
      for (;;) {
        const due = (await dueOccurrences(scope)).filter((o) => !unchanged.has(o.id));
        if (due.length === 0) break;
        for (const [accountId, group] of Map.groupBy(due, (o) => o.account_id)) {
          for (let i = 0; i < group.length; i += 100) {
            const outcomes = await engine.processMany(
              accountId,
              group.slice(i, i + 100).map((o) => o.id),
            );
            for (const [id, outcome] of outcomes) if (outcome === 'noop') unchanged.add(id);
            processed += outcomes.size;
          }
        }
      }
      // Monthly statements due now (their own queue in production), until none is left.
      for (let pass = 0; pass < 100 && deps.sendStatements && (await deps.sendStatements.run(scope)) > 0; pass++);
      await deps.writeLetters?.run(scope);
      return { planned, announced, processed };
    },
  };
}

export type ReminderScheduler = ReturnType<typeof createReminderScheduler>;
