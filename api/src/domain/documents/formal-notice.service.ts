import type { Clock } from '../../clock.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { linkTaskToDocument, taskOfDocument } from '../tasks/index.ts';
import {
  accountClockOf,
  deferDocument,
  insertPendingDocument,
  lockPendingDocuments,
  pendingDocumentsDue,
  presentDocument,
  storeDocumentFile,
} from './document.repository.ts';
import { announced } from './document.service.ts';
import { type FormalNotice, formalNoticeOf } from './formal-notice.ts';

/** Turns a formal notice into a PDF (the adapter in api/src/documents, handed in by services.ts). */
export interface FormalNoticeRenderer {
  render(notice: FormalNotice): Promise<Uint8Array>;
  /** The file's name: `mise-en-demeure-F-2026-0042.pdf`, `letter-before-action-INV-7.pdf`. */
  filename(notice: FormalNotice, invoiceNumber: string): string;
}

/** Pending letters a pass of the writer takes at most. */
const WRITE_BATCH = 20;

/** After a failed render: 30 s, 1, 2, 4… minutes, at most an hour. */
const retryDelayMs = (attempts: number) => Math.min(30_000 * 2 ** attempts, 3_600_000);

/**
 * Decides the formal notice of a `letter` reminder, in the caller's transaction (the invoice row
 * locked): what it states (its facts, as they are today: the invoice, the fees accrued, the
 * identities, the date and deadline) is fixed now and kept with a `pending` document that its task
 * links to. The PDF is written afterwards, out of this transaction (`createFormalNoticeWriter`):
 * a payment a second later does not change a letter already decided. Returns the document's id.
 */
export async function decideFormalNotice(
  trx: Db,
  input: Parameters<typeof formalNoticeOf>[1] & {
    accountId: string;
    occurrenceId: string;
    taskId: string;
    now: Date;
    renderer: Pick<FormalNoticeRenderer, 'filename'>;
  },
): Promise<string> {
  const notice = await formalNoticeOf(trx, input);
  const row = await insertPendingDocument(trx, {
    account_id: input.accountId,
    id: newId('document'),
    kind: 'formal_notice',
    invoice_id: input.invoice.id,
    customer_id: input.customer.id,
    occurrence_id: input.occurrenceId,
    locale: notice.locale,
    filename: input.renderer.filename(notice, input.invoice.number),
    content_type: 'application/pdf',
    facts: notice,
    created_at: input.now,
  });
  await linkTaskToDocument(trx, input.accountId, input.taskId, row.id);
  return row.id;
}

/**
 * Writes the PDFs of decided formal notices: the pending documents are the outbox the workers
 * take work from. Each is locked (SKIP LOCKED: two workers never write the same one), rendered
 * from its stored facts, stored with its SHA-256 and announced by `document.created` in one
 * transaction, so a worker that dies mid-way leaves it pending for the next pass and a letter is
 * stored exactly once. A render that throws is tried again later (`render_error` says why).
 */
export function createFormalNoticeWriter(deps: { database: Database; clock: Clock; renderer: FormalNoticeRenderer }) {
  const { database, clock, renderer } = deps;

  /** One account's pending letters among `ids`, written in one transaction. */
  async function writeOfAccount(accountId: string, ids: string[]): Promise<{ stored: number; failed: number }> {
    return database.withAccount(accountId, async (trx) => {
      const pending = await lockPendingDocuments(trx, accountId, ids);
      if (pending.length === 0) return { stored: 0, failed: 0 };
      // The account's time (a test account's clock), as every other event of the account.
      const account = await accountClockOf(trx, accountId);
      const now = (account.mode === 'test' && account.now) || clock.now();
      let stored = 0;
      let failed = 0;
      for (const document of pending) {
        let bytes: Uint8Array;
        try {
          bytes = await renderer.render(document.facts as unknown as FormalNotice);
        } catch (error) {
          failed++;
          const after = new Date(clock.now().getTime() + retryDelayMs(document.render_attempts));
          await deferDocument(
            trx,
            accountId,
            document.id,
            String((error as Error)?.message ?? error).slice(0, 500),
            after,
          );
          continue;
        }
        const row = await storeDocumentFile(trx, accountId, document.id, bytes, now);
        const task = await taskOfDocument(trx, accountId, document.id);
        await announced(trx, accountId, presentDocument(row, task?.id ?? null), now);
        stored++;
      }
      return { stored, failed };
    });
  }

  return {
    /**
     * One pass: writes up to `limit` pending letters (of one account, or of all), oldest first.
     * Returns how many were stored and how many failed to render (tried again later).
     */
    async writePending(
      options: { accountId?: string; limit?: number } = {},
    ): Promise<{ stored: number; failed: number }> {
      const candidates = await database.withSystem((trx) =>
        pendingDocumentsDue(trx, {
          accountId: options.accountId,
          now: clock.now(),
          limit: options.limit ?? WRITE_BATCH,
        }),
      );
      const total = { stored: 0, failed: 0 };
      for (const [accountId, rows] of Map.groupBy(candidates, (r) => r.account_id)) {
        const { stored, failed } = await writeOfAccount(
          accountId,
          rows.map((r) => r.id),
        );
        total.stored += stored;
        total.failed += failed;
      }
      return total;
    },

    /** Whether a letter (of one account, or of any) is waiting to be written now, in the caller's transaction. */
    async pendingDue(trx: Db, options: { accountId?: string } = {}): Promise<boolean> {
      return (await pendingDocumentsDue(trx, { accountId: options.accountId, now: clock.now(), limit: 1 })).length > 0;
    },

    /** Writes every pending letter (of one account, or of all) until none is left to write now. */
    async writeAllPending(options: { accountId?: string } = {}): Promise<number> {
      let stored = 0;
      for (;;) {
        const pass = await this.writePending(options);
        stored += pass.stored;
        if (pass.stored === 0) return stored;
      }
    },
  };
}

export type FormalNoticeWriter = ReturnType<typeof createFormalNoticeWriter>;
