import type { EinvoiceStatus, EinvoiceStatusCreate } from '../../domain/einvoicing/index.ts';
import { builder } from '../builder.ts';
import { toServiceInput } from '../convert.ts';

export const EinvoiceStatusRef = builder.objectRef<EinvoiceStatus>('EinvoiceStatus').implement({
  description:
    'A lifecycle status an e-invoicing platform reported for an invoice (France, 2026), and what Relance did.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    code: t.exposeInt('code', {
      description: '200 Déposée … 207 En litige, 208 Suspendue, 210 Refusée, 212 Encaissée…',
    }),
    label: t.exposeString('label', { description: 'The status name in French.' }),
    labelEn: t.exposeString('label_en'),
    statusOn: t.exposeString('status_on'),
    reasonCode: t.exposeString('reason_code', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    platformRef: t.exposeString('platform_ref', { nullable: true }),
    reaction: t.exposeString('reaction', {
      description: '`dispute_opened`, `paused`, `payment_claim`, `resumed` or `none`.',
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const RecordEinvoiceStatusInput = builder.inputType('RecordEinvoiceStatusInput', {
  description: 'A status your platform reported: `code` and `statusOn` are required.',
  fields: (t) => ({
    code: t.int({ description: 'The lifecycle status code (200–213).' }),
    statusOn: t.string({ description: 'The date of the status (YYYY-MM-DD).' }),
    reasonCode: t.string(),
    reason: t.string(),
    platformRef: t.string({ description: "The platform's id of this status message." }),
    holdDays: t.int({ description: 'For 211: days reminders wait for the money (default 7).' }),
  }),
});

builder.queryFields((t) => ({
  einvoiceStatuses: t.field({
    type: [EinvoiceStatusRef],
    description: "An invoice's e-invoicing lifecycle, oldest first.",
    args: { invoiceId: t.arg.id({ required: true }) },
    resolve: async (_root, { invoiceId }, { actor, services }) =>
      (await services.einvoicing.list(actor, String(invoiceId))).data,
  }),
}));

builder.mutationFields((t) => ({
  recordEinvoiceStatus: t.field({
    type: EinvoiceStatusRef,
    description:
      'Records a lifecycle status the e-invoicing platform reported: 207 opens a dispute, 208/210/213 pause the reminders, 211 holds them, 205/209 lift such a pause.',
    args: {
      invoiceId: t.arg.id({ required: true }),
      input: t.arg({ type: RecordEinvoiceStatusInput, required: true }),
    },
    resolve: async (_root, { invoiceId, input }, { actor, services }) =>
      (await services.einvoicing.record(actor, String(invoiceId), toServiceInput<EinvoiceStatusCreate>(input))).status,
  }),
}));
