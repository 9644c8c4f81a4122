import Type from 'typebox';
import { Id, ListQuery, Nullable, Timestamp } from '../shared/index.ts';

export const DISPUTE_STATUSES = ['open', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const DISPUTE_RESOLUTIONS = ['for_customer', 'for_creditor'] as const;
export type DisputeResolution = (typeof DISPUTE_RESOLUTIONS)[number];

const Note = Type.String({ minLength: 1, maxLength: 2000 });

export const Dispute = Type.Object(
  {
    id: Id('dsp'),
    object: Type.Literal('dispute'),
    invoice_id: Id('inv'),
    status: Type.Enum([...DISPUTE_STATUSES], { description: 'An `open` dispute holds every reminder of its invoice.' }),
    reason: Type.String({ description: 'What the customer contests.' }),
    note: Nullable(Type.String()),
    resolution: Nullable(
      Type.Enum([...DISPUTE_RESOLUTIONS], {
        description: '`for_creditor`: the invoice is owed and reminders resume; `for_customer`: the invoice is voided.',
      }),
    ),
    resolution_note: Nullable(Type.String()),
    opened_at: Timestamp,
    resolved_at: Nullable(Timestamp),
  },
  { $id: 'Dispute', additionalProperties: false },
);
export type Dispute = Type.Static<typeof Dispute>;

export const DisputeCreate = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'What the customer contests: "goods damaged", "never ordered"…',
    }),
    note: Type.Optional(Nullable(Note)),
  },
  { $id: 'DisputeCreate', additionalProperties: false },
);
export type DisputeCreate = Type.Static<typeof DisputeCreate>;

export const DisputeResolve = Type.Object(
  {
    resolution: Type.Enum([...DISPUTE_RESOLUTIONS], {
      description:
        '`for_creditor`: the customer owes the invoice, reminders resume. `for_customer`: the invoice is voided ' +
        '(refused with `dispute/cannot_void_paid` once part of it was paid).',
    }),
    note: Type.Optional(Nullable(Note)),
  },
  { $id: 'DisputeResolve', additionalProperties: false },
);
export type DisputeResolve = Type.Static<typeof DisputeResolve>;

export const DisputeListQuery = Type.Object(
  {
    ...ListQuery,
    status: Type.Optional(Type.Enum([...DISPUTE_STATUSES])),
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only disputes about this invoice.' })),
  },
  { additionalProperties: false },
);
export type DisputeListQuery = Type.Static<typeof DisputeListQuery>;
