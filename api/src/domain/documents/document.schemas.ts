import Type from 'typebox';
import { Id, Nullable, Timestamp } from '../shared/index.ts';

export const DOCUMENT_KINDS = ['formal_notice', 'invoice_copy', 'statement'] as const;
export const DOCUMENT_STATUSES = ['pending', 'stored'] as const;

/** A document Relance produced (the PDF itself: `GET /v1/documents/{id}`). */
export const Document = Type.Object(
  {
    id: Id('doc'),
    object: Type.Literal('document'),
    kind: Type.Enum([...DOCUMENT_KINDS], {
      description:
        '`formal_notice`: the formal-notice letter of a `letter` step (mise en demeure, letter before action); ' +
        "`invoice_copy`: the invoice's PDF as fetched from its `pdf_url` and attached to an email; " +
        "`statement`: the customer's statement of account as attached to an email (a step's `attach_statement`, or the monthly statement).",
    }),
    status: Type.Enum([...DOCUMENT_STATUSES], {
      description:
        '`stored`: the file is there, never to change. `pending`: a formal notice decided with its reminder (what it states is fixed then, as of that day) whose PDF the workers are still writing, usually within seconds: `byte_size` and `sha256` are null and the file answers `409 document/pending` until `document.created`.',
    }),
    invoice_id: Type.Union([Id('inv'), Type.Null()], {
      description: 'The invoice it is about; null for a monthly statement, which is about none.',
    }),
    customer_id: Id('cus'),
    reminder_id: Nullable(Type.String({ description: 'The reminder (occurrence) that produced it.' })),
    task_id: Nullable(Type.String({ description: 'The task that asks a person to post it.' })),
    locale: Type.String({ description: 'The language it is written in: `fr` or `en`.' }),
    filename: Type.String(),
    content_type: Type.Literal('application/pdf'),
    byte_size: Nullable(Type.Integer({ minimum: 0, description: 'Null while `pending`.' })),
    sha256: Nullable(
      Type.String({ description: 'Hex SHA-256 of the file: the stored bytes never change. Null while `pending`.' }),
    ),
    purged: Type.Boolean({ description: "True once the customer's personal data was erased: the file is gone." }),
    created_at: Timestamp,
  },
  { $id: 'Document', additionalProperties: false },
);
export type Document = Type.Static<typeof Document>;
