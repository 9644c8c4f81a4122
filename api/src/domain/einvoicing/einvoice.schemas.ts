import Type from 'typebox';
import { CalendarDate, Id, Nullable, Timestamp } from '../shared/index.ts';
import { EINVOICE_CODES } from './einvoice.rules.ts';

const Code = Type.Union(
  EINVOICE_CODES.map((c) => Type.Literal(c)),
  {
    description:
      "The platform's lifecycle status code: 200 Déposée … 207 En litige, 208 Suspendue, 210 Refusée, 211 Paiement transmis, 212 Encaissée, 213 Rejetée (see docs/einvoicing.md).",
  },
);

export const EinvoiceStatus = Type.Object(
  {
    id: Id('eis'),
    object: Type.Literal('einvoice_status'),
    invoice_id: Id('inv'),
    code: Type.Integer(),
    label: Type.String({ description: 'The status name in French, as the specification writes it.' }),
    label_en: Type.String(),
    status_on: CalendarDate,
    reason_code: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    platform_ref: Nullable(Type.String()),
    reaction: Type.Union(
      [
        Type.Literal('dispute_opened'),
        Type.Literal('paused'),
        Type.Literal('payment_claim'),
        Type.Literal('resumed'),
        Type.Literal('none'),
      ],
      {
        description:
          'What Relance did: opened a dispute, paused the reminders, held them for a payment, resumed them, or nothing.',
      },
    ),
    created_at: Timestamp,
  },
  { $id: 'EinvoiceStatus', additionalProperties: false },
);
export type EinvoiceStatus = Type.Static<typeof EinvoiceStatus>;

export const EinvoiceStatusCreate = Type.Object(
  {
    code: Code,
    status_on: CalendarDate,
    reason_code: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    reason: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1000 }))),
    platform_ref: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 128, description: "The platform's id of this status message." })),
    ),
    hold_days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        description: 'For 211 (payment sent): days reminders wait for the money after `status_on` (default 7).',
      }),
    ),
  },
  { $id: 'EinvoiceStatusCreate', additionalProperties: false },
);
export type EinvoiceStatusCreate = Type.Static<typeof EinvoiceStatusCreate>;

export const InvoiceCollection = Type.Object(
  {
    object: Type.Literal('invoice_collection'),
    invoice_id: Id('inv'),
    invoice_number: Type.String(),
    payment_id: Id('pay'),
    amount: Type.Integer({ description: 'What this payment brought to the invoice, in minor units.' }),
    currency: Type.String(),
    collected_on: CalendarDate,
    report_code: Type.Literal(212, { description: 'The lifecycle status to report to the platform: 212 Encaissée.' }),
  },
  {
    $id: 'InvoiceCollection',
    additionalProperties: false,
    description:
      'Money received on an invoice that has an e-invoicing lifecycle: what the seller reports as 212 Encaissée.',
  },
);
