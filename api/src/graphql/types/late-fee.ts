import type {
  InvoiceFee,
  InvoiceFeeWaive,
  ReferenceRate,
  ReferenceRateCreate,
  ReferenceRateListQuery,
} from '../../domain/late-fees/index.ts';
import type { PageQuery } from '../../domain/shared/index.ts';
import { builder } from '../builder.ts';
import { toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';

export const LateFeePreset = builder.enumType('LateFeePreset', {
  description:
    'Statutory late fees: `FR_B2B` ECB rate + 10 points and 40 EUR; `EU_B2B` ECB rate + 8 points and 40 EUR; ' +
    '`UK_B2B` Bank of England rate + 8 points and 40/70/100 GBP; `DE_B2B` Bundesbank Basiszinssatz + 9 points and 40 EUR; `NONE`.',
  values: {
    NONE: { value: 'none' },
    FR_B2B: { value: 'fr_b2b' },
    EU_B2B: { value: 'eu_b2b' },
    UK_B2B: { value: 'uk_b2b' },
    DE_B2B: { value: 'de_b2b' },
    IE_B2B: { value: 'ie_b2b' },
  } as const,
});

const InvoiceFeeKind = builder.enumType('InvoiceFeeKind', {
  description: '`RECOVERY_FEE`: the fixed sum, once per invoice. `INTEREST`: one accrual of interest.',
  values: { RECOVERY_FEE: { value: 'recovery_fee' }, INTEREST: { value: 'interest' } } as const,
});

const ReferenceRateSource = builder.enumType('ReferenceRateSource', {
  description:
    '`ECB_MRO`: ECB main refinancing operations rate. `BOE_BASE`: Bank of England Bank Rate. ' +
    '`BUNDESBANK_BASE`: Deutsche Bundesbank Basiszinssatz (§247 BGB).',
  values: {
    ECB_MRO: { value: 'ecb_mro' },
    BOE_BASE: { value: 'boe_base' },
    BUNDESBANK_BASE: { value: 'bundesbank_base' },
  } as const,
});

export const InvoiceFeeRef = builder.objectRef<InvoiceFee>('InvoiceFee').implement({
  description: 'A late-fee line of an invoice, in minor units of `currency`.',
  fields: (t) => ({
    id: t.exposeID('id'),
    invoiceId: t.exposeID('invoice_id'),
    kind: t.expose('kind', { type: InvoiceFeeKind }),
    amount: t.expose('amount', { type: 'Amount' }),
    currency: t.exposeString('currency'),
    periodFrom: t.expose('period_from', { type: 'Date' }),
    periodTo: t.expose('period_to', { type: 'Date' }),
    rateBps: t.exposeInt('rate_bps', {
      nullable: true,
      description: 'Annual rate of the last day of the period, in basis points.',
    }),
    rateAssumed: t.exposeBoolean('rate_assumed', {
      description:
        'True when a reference rate this line needed was never recorded although its reference date passed more than 30 days before: the last recorded rate was assumed unchanged.',
    }),
    rateNote: t.exposeString('rate_note', {
      nullable: true,
      description: 'When `rateAssumed`: which rate was missing and what was used instead.',
    }),
    waived: t.exposeBoolean('waived'),
    waivedAt: t.expose('waived_at', { type: 'DateTime', nullable: true }),
    waiveReason: t.exposeString('waive_reason', { nullable: true }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const ReferenceRateRef = builder.objectRef<ReferenceRate>('ReferenceRate').implement({
  description: 'A central-bank rate and the day it took effect.',
  fields: (t) => ({
    source: t.expose('source', { type: ReferenceRateSource }),
    effectiveOn: t.expose('effective_on', { type: 'Date' }),
    rateBps: t.exposeInt('rate_bps', { description: 'Basis points: 215 = 2.15 %.' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});

const InvoiceFeeList = listType('InvoiceFee', InvoiceFeeRef);
const ReferenceRateList = listType('ReferenceRate', ReferenceRateRef);

const WaiveInvoiceFeeInput = builder.inputType('WaiveInvoiceFeeInput', {
  description: 'Why the fee is forgiven: `reason` is required.',
  fields: (t) => ({ reason: t.string() }),
});

const CreateReferenceRateInput = builder.inputType('CreateReferenceRateInput', {
  fields: (t) => ({
    source: t.field({ type: ReferenceRateSource }),
    effectiveOn: t.field({ type: 'Date' }),
    rateBps: t.int(),
  }),
});

builder.queryFields((t) => ({
  invoiceFees: t.field({
    type: InvoiceFeeList,
    description: "An invoice's late-fee lines, oldest first (`invoice/not_found` for another account's invoice).",
    args: { ...pageArgs, invoiceId: t.arg.id({ required: true }) },
    resolve: (_root, { invoiceId, ...args }, { actor, services }) =>
      services.lateFees.listFees(actor, String(invoiceId), toListQuery<PageQuery>(args)),
  }),
  referenceRates: t.field({
    type: ReferenceRateList,
    description: 'Central-bank reference rates the legal presets use, by source then date.',
    args: { source: t.arg({ type: ReferenceRateSource }) },
    resolve: (_root, args, { actor, services }) =>
      services.lateFees.listReferenceRates(actor, toListQuery<ReferenceRateListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  waiveInvoiceFee: t.field({
    type: InvoiceFeeRef,
    description: 'Waives a late fee: it stays listed with the reason and no longer counts in the balance.',
    args: {
      invoiceId: t.arg.id({ required: true }),
      feeId: t.arg.id({ required: true }),
      input: t.arg({ type: WaiveInvoiceFeeInput, required: true }),
    },
    resolve: (_root, { invoiceId, feeId, input }, { actor, services }) =>
      services.lateFees.waive(actor, String(invoiceId), String(feeId), toServiceInput<InvoiceFeeWaive>(input)),
  }),
  createReferenceRate: t.field({
    type: ReferenceRateRef,
    description:
      'Always refused with `reference_rate/operator_only`: rates are shared by every account and recorded by the operator.',
    args: { input: t.arg({ type: CreateReferenceRateInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.lateFees.recordReferenceRate(actor, toServiceInput<ReferenceRateCreate>(input)),
  }),
}));
