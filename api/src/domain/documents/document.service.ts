import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { recordEvent } from '../outbox/index.ts';
import type { Actor } from '../shared/index.ts';
import { documentContent, findDocument, insertDocument, presentDocument } from './document.repository.ts';
import type { Document } from './document.schemas.ts';

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

    /**
     * The file itself, as stored; 410 `document/purged` once the customer's data was erased; 409
     * `document/pending` while a formal notice decided with its reminder is still being written.
     */
    file(actor: Actor, id: string): Promise<{ document: Document; content: Buffer }> {
      return database.withAccount(actor.accountId, async (trx) => {
        const { task_id, ...row } = await find(trx, id);
        if (row.purged_at !== null)
          throw new AppError(
            'document/purged',
            410,
            "This document was erased with the customer's personal data; its metadata stays.",
          );
        const content = row.status === 'stored' ? await documentContent(trx, id) : null;
        if (!content)
          throw new AppError(
            'document/pending',
            409,
            'This formal notice is decided and its PDF is being written; it is usually there within seconds (`document.created` says when).',
            { headers: { 'retry-after': '2' } },
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
  input: EmailedPdf & { invoiceId: string; occurrenceId: string },
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
export async function storeStatement(trx: Db, input: EmailedPdf): Promise<Document> {
  return storePdf(trx, 'statement', input);
}

/** A PDF that went with an email: whose, about which invoice and reminder (when one), its bytes. */
interface EmailedPdf {
  accountId: string;
  customerId: string;
  invoiceId: string | null;
  occurrenceId: string | null;
  locale: string;
  filename: string;
  content: Uint8Array;
  now: Date;
}

/** Stores a PDF sent with an email, and announces it. */
async function storePdf(trx: Db, kind: 'invoice_copy' | 'statement', input: EmailedPdf): Promise<Document> {
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
export async function announced(trx: Db, accountId: string, document: Document, at: Date): Promise<Document> {
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
