import type { Dispute, DisputeCreate, DisputeListQuery, DisputeResolve } from '../../domain/disputes/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const DisputeStatus = builder.enumType('DisputeStatus', {
  description: 'An `OPEN` dispute holds every reminder of its invoice.',
  values: { OPEN: { value: 'open' }, RESOLVED: { value: 'resolved' } } as const,
});

export const DisputeResolution = builder.enumType('DisputeResolution', {
  description: '`FOR_CREDITOR`: the invoice is owed and reminders resume; `FOR_CUSTOMER`: the invoice is voided.',
  values: { FOR_CUSTOMER: { value: 'for_customer' }, FOR_CREDITOR: { value: 'for_creditor' } } as const,
});

export const DisputeRef = builder.objectRef<Dispute>('Dispute').implement({
  description: 'A customer contests an invoice: no reminder goes out while it is open.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    status: t.expose('status', { type: DisputeStatus }),
    reason: t.exposeString('reason', { description: 'What the customer contests.' }),
    note: t.exposeString('note', { nullable: true }),
    resolution: t.expose('resolution', { type: DisputeResolution, nullable: true }),
    resolutionNote: t.exposeString('resolution_note', { nullable: true }),
    openedAt: t.expose('opened_at', { type: 'DateTime' }),
    resolvedAt: t.expose('resolved_at', { type: 'DateTime', nullable: true }),
  }),
});

const DisputeList = listType('Dispute', DisputeRef);

const OpenDisputeInput = builder.inputType('OpenDisputeInput', {
  description: 'A new dispute: `reason` is required.',
  fields: (t) => ({ reason: t.string({ description: 'What the customer contests.' }), note: t.string() }),
});

const ResolveDisputeInput = builder.inputType('ResolveDisputeInput', {
  description: 'How the dispute ends: `resolution` is required.',
  fields: (t) => ({ resolution: t.field({ type: DisputeResolution }), note: t.string() }),
});

builder.queryFields((t) => ({
  dispute: t.field({
    type: DisputeRef,
    nullable: true,
    description: 'A dispute of this account, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.disputes.get(actor, String(id))),
  }),
  disputes: t.field({
    type: DisputeList,
    description: 'Disputes, newest first.',
    args: {
      ...pageArgs,
      status: t.arg({ type: DisputeStatus }),
      invoiceId: t.arg.id({ description: 'Only disputes about this invoice.' }),
    },
    resolve: (_root, args, { actor, services }) => services.disputes.list(actor, toListQuery<DisputeListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  openDispute: t.field({
    type: DisputeRef,
    description: 'Opens a dispute on an open or partially paid invoice (`dispute/already_open` if it has one).',
    args: { invoiceId: t.arg.id({ required: true }), input: t.arg({ type: OpenDisputeInput, required: true }) },
    resolve: (_root, { invoiceId, input }, { actor, services }) =>
      services.disputes.open(actor, String(invoiceId), toServiceInput<DisputeCreate>(input)),
  }),
  resolveDispute: t.field({
    type: DisputeRef,
    description:
      'Resolves an open dispute: for the creditor, reminders resume; for the customer, the invoice is voided ' +
      '(`dispute/cannot_void_paid` once part of it was paid).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ResolveDisputeInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.disputes.resolve(actor, String(id), toServiceInput<DisputeResolve>(input)),
  }),
}));
