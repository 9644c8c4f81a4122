import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import type { Actor } from '../shared/index.ts';
import { documentContent, findDocument, insertDocument, presentDocument } from './document.repository.ts';
import type { Document } from './document.schemas.ts';
import { type FormalNotice, formalNoticeOf } from './formal-notice.ts';

/** Turns a formal notice into a PDF (the adapter in api/src/documents, handed in by services.ts). */
export interface FormalNoticeRenderer {
  render(notice: FormalNotice): Promise<Uint8Array>;
  /** The file's name: `mise-en-demeure-F-2026-0042.pdf`, `letter-before-action-INV-7.pdf`. */
  filename(notice: FormalNotice, invoiceNumber: string): string;
}

/**
 * Writes the formal notice of a `letter` reminder, in the caller's transaction (the invoice row
 * locked): its facts as they are today, rendered once, stored with its SHA-256, and
 * `document.created`. The stored bytes are the letter: it is never rendered again.
 */
export async function storeFormalNotice(
  trx: Db,
  input: Parameters<typeof formalNoticeOf>[1] & {
    accountId: string;
    occurrenceId: string;
    taskId: string;
    now: Date;
    renderer: FormalNoticeRenderer;
  },
): Promise<Document> {
  const notice = await formalNoticeOf(trx, input);
  const content = await input.renderer.render(notice);
  const row = await insertDocument(trx, {
    account_id: input.accountId,
    id: newId('document'),
    kind: 'formal_notice',
    invoice_id: input.invoice.id,
    customer_id: input.customer.id,
    occurrence_id: input.occurrenceId,
    locale: notice.locale,
    filename: input.renderer.filename(notice, input.invoice.number),
    content_type: 'application/pdf',
    content,
    created_at: input.now,
  });
  await trx
    .updateTable('tasks')
    .set({ document_id: row.id })
    .where('account_id', '=', input.accountId)
    .where('id', '=', input.taskId)
    .execute();
  return announced(trx, input.accountId, presentDocument(row, input.taskId), input.now);
}

export function createDocumentService(deps: { database: Database }) {
  const { database } = deps;
  const find = async (trx: Db, id: string) => {
    const row = await findDocument(trx, id);
    if (!row) throw notFound('document', id);
    return row;
  };
  return {
    /** A document's metadata. */
    get(actor: Actor, id: string): Promise<Document> {
      return database.withAccount(actor.accountId, async (trx) => {
        const { task_id, ...row } = await find(trx, id);
        return presentDocument(row, task_id);
      });
    },

    /** The file itself, as stored; 410 `document/purged` once the customer's data was erased. */
    file(actor: Actor, id: string): Promise<{ document: Document; content: Buffer }> {
      return database.withAccount(actor.accountId, async (trx) => {
        const { task_id, ...row } = await find(trx, id);
        const content = await documentContent(trx, id);
        if (!content)
          throw new AppError(
            'document/purged',
            410,
            "This document was erased with the customer's personal data; its metadata stays.",
          );
        return { document: presentDocument(row, task_id), content };
      });
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;

/**
 * Stores a copy of an invoice's PDF as fetched for an email (`attach_invoice_pdf`): kept once,
 * so a retry of the email sends the same bytes. Returns its id, and the bytes to send.
 */
export async function storeInvoiceCopy(
  trx: Db,
  input: {
    accountId: string;
    invoiceId: string;
    customerId: string;
    occurrenceId: string;
    locale: string;
    filename: string;
    content: Uint8Array;
    now: Date;
  },
): Promise<Document> {
  return storePdf(trx, 'invoice_copy', input);
}

/** A customer's statement of account as the PDF it reads, in its language (the adapter in api/src/documents, handed in by services.ts). */
export type StatementRenderer = (input: {
  accountId: string;
  customerId: string;
  /** The period, both days included, in the account's time zone. */
  from: string;
  to: string;
}) => Promise<{
  content: Uint8Array;
  filename: string;
  locale: string;
  /** Per currency, what is owed at the end of the period (the statement's closing balances). */
  balances: Array<{ currency: string; amount: number }>;
}>;

/**
 * Stores a customer's statement of account as sent by email (a step's `attach_statement`, or the
 * monthly statement): kept once, so a retry of the email sends the same bytes. The invoice and
 * reminder it went with, when it went with one.
 */
export async function storeStatement(
  trx: Db,
  input: {
    accountId: string;
    customerId: string;
    invoiceId: string | null;
    occurrenceId: string | null;
    locale: string;
    filename: string;
    content: Uint8Array;
    now: Date;
  },
): Promise<Document> {
  return storePdf(trx, 'statement', input);
}

/** Stores a PDF sent with an email, and announces it. */
async function storePdf(
  trx: Db,
  kind: 'invoice_copy' | 'statement',
  input: {
    accountId: string;
    customerId: string;
    invoiceId: string | null;
    occurrenceId: string | null;
    locale: string;
    filename: string;
    content: Uint8Array;
    now: Date;
  },
): Promise<Document> {
  const row = await insertDocument(trx, {
    account_id: input.accountId,
    id: newId('document'),
    kind,
    invoice_id: input.invoiceId,
    customer_id: input.customerId,
    occurrence_id: input.occurrenceId,
    locale: input.locale,
    filename: input.filename,
    content_type: 'application/pdf',
    content: input.content,
    created_at: input.now,
  });
  return announced(trx, input.accountId, presentDocument(row, null), input.now);
}

/** `document.created` for a document just stored; returns it. */
async function announced(trx: Db, accountId: string, document: Document, at: Date): Promise<Document> {
  await recordEvent(trx, {
    accountId,
    type: 'document.created',
    objectType: 'document',
    objectId: document.id,
    data: document,
    at,
  });
  return document;
}
