import type { Clock } from '../../clock.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { lockInvoices } from '../invoices/index.ts';
import { PAYABLE_STATUSES, type PaymentCreate, recordPayment } from '../payments/index.ts';
import { accountTime, type Actor, assertWriteAccess, type Page, type ReplanInvoices, toPage } from '../shared/index.ts';
import {
  accountCurrency,
  type BankTransactionRow,
  findBankTransaction,
  ignoreLine,
  insertLinesOnce,
  insertMatches,
  linesByReference,
  listBankTransactions,
  markLineMatched,
  type MatchRow,
  matchesOf,
  presentBankTransaction,
  rejectMatch,
  settleMatches,
} from './bank-transaction.repository.ts';
import {
  BankStatementImport,
  type BankTransaction,
  BankTransactionConfirm,
  BankTransactionImport,
  type BankTransactionImportResult,
  BankTransactionListQuery,
  BankTransactionReject,
  MAX_LINES_PER_IMPORT,
} from './bank-transaction.schemas.ts';
import type { ProposedAllocation } from './matching.ts';
import { proposeForLines } from './reconciliation.ts';
import { parseStatement } from './statement-files.ts';

const alreadyMatched = (row: BankTransactionRow) =>
  new AppError(
    'bank_transaction/already_matched',
    409,
    `Bank transaction '${row.id}' is already matched to payment '${row.payment_id}'.`,
  );

/**
 * Stores the lines of an import (the first of each bank reference; a known reference is that
 * line again, and must be the same line) and the proposals of the new credits.
 */
async function importLines(
  trx: Db,
  accountId: string,
  data: BankTransactionImport,
  now: Date,
): Promise<BankTransactionImportResult> {
  // The first line of each reference in the request; later ones are that line again.
  const firsts = new Map<string, number>();
  data.transactions.forEach((line, index) => {
    if (!firsts.has(line.bank_reference)) firsts.set(line.bank_reference, index);
  });
  const values = [...firsts.values()].map((index) => {
    const line = data.transactions[index] as (typeof data.transactions)[number];
    return {
      account_id: accountId,
      id: newId('bankTransaction'),
      booked_on: line.booked_on,
      amount: line.amount,
      currency: line.currency,
      label: line.label,
      counterparty_name: line.counterparty_name ?? null,
      bank_reference: line.bank_reference,
      status: line.amount > 0 ? 'unmatched' : 'ignored',
      metadata: JSON.stringify(line.metadata ?? {}),
      created_at: now,
      updated_at: now,
    };
  });
  const inserted = await insertLinesOnce(trx, values);
  const created = new Set(inserted.map((r) => r.bank_reference));
  const existing = await linesByReference(
    trx,
    [...firsts.keys()].filter((ref) => !created.has(ref)),
  );
  const byReference = new Map([...inserted, ...existing].map((r) => [r.bank_reference, r]));

  data.transactions.forEach((line, index) => {
    const row = byReference.get(line.bank_reference);
    if (!row) throw new Error(`unreachable: line ${line.bank_reference} was inserted or found`);
    if (row.amount !== line.amount || row.currency !== line.currency || row.booked_on !== line.booked_on) {
      throw new AppError(
        'bank_transaction/reference_conflict',
        409,
        `Bank reference '${line.bank_reference}' is already a line of ${row.booked_on}, ${row.amount} ${row.currency} ('${row.id}'); a line with the same reference must be the same line.`,
        {
          errors: [
            {
              field: `/transactions/${index}/bank_reference`,
              message: `is already the reference of '${row.id}' with another date, amount or currency`,
            },
          ],
        },
      );
    }
  });

  const credits = inserted.filter((r) => r.amount > 0);
  const proposals = await proposeForLines(trx, credits);
  const matchValues = credits.flatMap((row, i) =>
    (proposals[i] ?? []).map((p, rank) => ({
      account_id: accountId,
      id: newId('bankTransactionMatch'),
      bank_transaction_id: row.id,
      rank: rank + 1,
      score: p.score,
      customer_id: p.customer_id,
      allocations: JSON.stringify(p.allocations),
      unallocated: p.unallocated,
      reasons: JSON.stringify(p.reasons),
      status: 'proposed',
      created_at: now,
      updated_at: now,
    })),
  );
  const matches = await insertMatches(trx, matchValues);
  matches.push(
    ...(await matchesOf(
      trx,
      existing.map((r) => r.id),
    )),
  );
  const matchesByLine = Map.groupBy(matches, (m) => m.bank_transaction_id);

  const reported = new Set<string>();
  const lines = data.transactions.map((line) => {
    const row = byReference.get(line.bank_reference) as BankTransactionRow;
    const isNew = created.has(row.bank_reference) && !reported.has(row.bank_reference);
    reported.add(row.bank_reference);
    return { created: isNew, bank_transaction: presentBankTransaction(row, matchesByLine.get(row.id) ?? []) };
  });
  const createdCount = lines.filter((l) => l.created).length;
  return {
    object: 'bank_transaction_import',
    created: createdCount,
    already_imported: lines.length - createdCount,
    lines,
  };
}

/** Locks the invoices a proposal allocates to and checks each still owes its part (409 `bank_transaction/match_stale` if not). */
async function lockAndCheckMatch(trx: Db, match: MatchRow, allocations: readonly ProposedAllocation[]): Promise<void> {
  // Locked in id order, as every payment takes them, then checked: a proposal is a
  // snapshot, and its invoices may have been paid or voided since.
  const locked = new Map(
    (
      await lockInvoices(
        trx,
        allocations.map((a) => a.invoice_id),
      )
    ).map((i) => [i.id, i]),
  );
  for (const allocation of allocations) {
    const invoice = locked.get(allocation.invoice_id);
    const owes =
      invoice &&
      PAYABLE_STATUSES.includes(invoice.status) &&
      invoice.customer_id === match.customer_id &&
      invoice.balance >= allocation.amount;
    if (!owes) {
      const now = invoice ? `is ${invoice.status} with a balance of ${invoice.balance}` : 'no longer exists';
      throw new AppError(
        'bank_transaction/match_stale',
        409,
        `Match '${match.id}' would allocate ${allocation.amount} to invoice ${allocation.invoice_number}, which ${now}; nothing was recorded. Confirm another match or give the allocations.`,
        {
          errors: [{ field: '/match_id', message: `invoice ${allocation.invoice_id} changed since the proposal` }],
        },
      );
    }
  }
}

/**
 * Bank reconciliation: bank lines come in, Relance proposes the invoices each one pays (scored,
 * with reasons), and a confirmed proposal becomes a payment with its allocations, in the same
 * transaction as the line's change.
 */
export function createBankTransactionService(deps: { database: Database; clock: Clock; replan: ReplanInvoices }) {
  const { database, clock, replan } = deps;
  const timeFor = accountTime(database, clock);

  const present = async (trx: Db, row: BankTransactionRow): Promise<BankTransaction> =>
    presentBankTransaction(row, await matchesOf(trx, [row.id]));

  const lineFor = async (trx: Db, id: string): Promise<BankTransactionRow> => {
    const row = await findBankTransaction(trx, id, { forUpdate: true });
    if (!row) throw notFound('bank_transaction', id);
    return row;
  };

  return {
    /**
     * Imports a bank statement file (CSV with named columns, camt.053, MT940): its lines go
     * through {@link import}, all or nothing. A malformed file is a 422 naming the line and the
     * field, and imports nothing; the same file twice imports nothing new.
     */
    async importFile(actor: Actor, input: BankStatementImport): Promise<BankTransactionImportResult> {
      assertWriteAccess(actor);
      const data = parseInput<BankStatementImport>(BankStatementImport, input);
      const currency = await database.withAccount(actor.accountId, (trx) => accountCurrency(trx, actor.accountId));
      const lines = await parseStatement(data, currency);
      if (lines.length > MAX_LINES_PER_IMPORT) {
        throw new AppError(
          'bank_statement/too_many_lines',
          422,
          `The file holds ${lines.length} lines; import at most ${MAX_LINES_PER_IMPORT} at a time (split the file or the period).`,
          {
            errors: [{ field: '/content', message: `more than ${MAX_LINES_PER_IMPORT} lines` }],
          },
        );
      }
      return this.import(actor, { transactions: lines });
    },

    /**
     * Imports 1 to 1,000 bank lines. New credit lines get their proposals; debits are stored as
     * `ignored`. A line whose `bank_reference` is known is not duplicated: the existing line is
     * returned with `created: false` (a known reference with another date, amount or currency is
     * refused, and so is the whole import).
     */
    async import(actor: Actor, input: BankTransactionImport): Promise<BankTransactionImportResult> {
      assertWriteAccess(actor);
      const data = parseInput<BankTransactionImport>(BankTransactionImport, input);
      const zero = data.transactions.findIndex((l) => l.amount === 0);
      if (zero >= 0) throw validationFailed([{ field: `/transactions/${zero}/amount`, message: 'must not be 0' }]);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, (trx) => importLines(trx, actor.accountId, data, now));
    },

    /**
     * Confirms a line: with `match_id`, the payment its proposal describes; with `customer_id`,
     * a payment of that customer (explicit `allocations`, else oldest due first). The payment is
     * the whole line (method `transfer`, reference = the bank reference, received on the booking
     * date); the line becomes `matched`, the chosen proposal `confirmed`, the others `rejected`.
     * A proposal whose invoices changed since (paid, voided) is refused with
     * `bank_transaction/match_stale` and nothing changes.
     */
    async confirm(actor: Actor, id: string, input: BankTransactionConfirm): Promise<BankTransaction> {
      assertWriteAccess(actor);
      const data = parseInput<BankTransactionConfirm>(BankTransactionConfirm, input);
      if ((data.match_id === undefined) === (data.customer_id === undefined)) {
        throw validationFailed([{ field: '/match_id', message: 'give either match_id or customer_id' }]);
      }
      if (data.match_id !== undefined && data.allocations !== undefined) {
        throw validationFailed([
          {
            field: '/allocations',
            message: 'goes with customer_id, not with match_id (the proposal has its allocations)',
          },
        ]);
      }
      const { now, today } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const line = await lineFor(trx, id);
        if (line.status === 'matched') throw alreadyMatched(line);
        if (line.amount < 0) {
          throw new AppError(
            'bank_transaction/not_a_credit',
            409,
            `Bank transaction '${id}' is a debit (${line.amount}); only money received becomes a payment.`,
          );
        }
        let payment: PaymentCreate = {
          customer_id: data.customer_id ?? '',
          amount: line.amount,
          currency: line.currency,
          received_on: line.booked_on,
          method: 'transfer',
          reference: line.bank_reference,
          ...(data.allocations !== undefined && { allocations: data.allocations }),
        };
        let chosen: MatchRow | undefined;
        if (data.match_id !== undefined) {
          const matchId = data.match_id;
          chosen = (await matchesOf(trx, [id])).find((m) => m.id === matchId);
          if (!chosen) throw notFound('bank_transaction_match', matchId);
          const allocations = chosen.allocations as unknown as ProposedAllocation[];
          await lockAndCheckMatch(trx, chosen, allocations);
          payment = {
            ...payment,
            customer_id: chosen.customer_id,
            allocations: allocations.map((a) => ({ invoice_id: a.invoice_id, amount: a.amount })),
          };
        }
        const recorded = await recordPayment(trx, { actor, now, today, replan }, payment);
        const row = await markLineMatched(trx, id, recorded.id, now);
        await settleMatches(trx, id, chosen?.id ?? '', now);
        return present(trx, row);
      });
    },

    /** Rejects one proposal of an unmatched line; the line stays unmatched (rejecting twice is harmless). */
    async reject(actor: Actor, id: string, input: BankTransactionReject): Promise<BankTransaction> {
      assertWriteAccess(actor);
      const data = parseInput<BankTransactionReject>(BankTransactionReject, input);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const line = await lineFor(trx, id);
        if (line.status === 'matched') throw alreadyMatched(line);
        const match = (await matchesOf(trx, [id])).find((m) => m.id === data.match_id);
        if (!match) throw notFound('bank_transaction_match', data.match_id);
        if (match.status !== 'rejected') {
          await rejectMatch(trx, match.id, now);
        }
        return present(trx, line);
      });
    },

    /** Sets a line aside (not a customer payment); it can still be confirmed later. */
    async ignore(actor: Actor, id: string): Promise<BankTransaction> {
      assertWriteAccess(actor);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const line = await lineFor(trx, id);
        if (line.status === 'matched') throw alreadyMatched(line);
        if (line.status === 'ignored') return present(trx, line);
        const row = await ignoreLine(trx, id, now);
        return present(trx, row);
      });
    },

    /** A line with its proposals. */
    get(actor: Actor, id: string): Promise<BankTransaction> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findBankTransaction(trx, id);
        if (!row) throw notFound('bank_transaction', id);
        return present(trx, row);
      });
    },

    /** Lines newest first, with their proposals, filtered by status and booking date. */
    list(actor: Actor, input: BankTransactionListQuery): Promise<Page<BankTransaction>> {
      const query = parseInput<BankTransactionListQuery>(BankTransactionListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const rows = await listBankTransactions(trx, query);
        const matches = await matchesOf(
          trx,
          rows.map((r) => r.id),
        );
        return toPage(
          rows.map((r) => presentBankTransaction(r, matches)),
          query.limit ?? 20,
        );
      });
    },
  };
}

export type BankTransactionService = ReturnType<typeof createBankTransactionService>;
