import Type from 'typebox';
import { CalendarDate, Id, Nullable, Timestamp } from '../shared/index.ts';
import { LATE_FEE_PRESETS, REFERENCE_SOURCES } from './late-fee.rules.ts';

export const LateFeePresetSchema = Type.Enum([...LATE_FEE_PRESETS], {
  description:
    'Statutory late fees applied to overdue invoices unless their payment terms say otherwise. `fr_b2b`: ECB rate + 10 points ' +
    'and 40 EUR; `eu_b2b`: ECB rate + 8 points and 40 EUR; `uk_b2b`: Bank of England rate + 8 points and 40/70/100 GBP; ' +
    '`de_b2b`: Bundesbank Basiszinssatz + 9 points and 40 EUR (§288 BGB); `ie_b2b`: ECB rate + 8 points fixed at the ' +
    "due date's half-year and 40/70/100 EUR (S.I. No. 580 of 2012); `none`.",
});

export const InvoiceFee = Type.Object(
  {
    id: Id('fee'),
    object: Type.Literal('invoice_fee'),
    invoice_id: Id('inv'),
    kind: Type.Enum(['recovery_fee', 'interest'], {
      description: '`recovery_fee`: the fixed sum, once per invoice. `interest`: one accrual of interest.',
    }),
    amount: Type.Integer({ description: "In the invoice currency's minor unit." }),
    currency: Type.String(),
    period_from: CalendarDate,
    period_to: CalendarDate,
    rate_bps: Nullable(
      Type.Integer({ description: 'Annual rate of the last day of the period, in basis points (1215 = 12.15 %).' }),
    ),
    rate_assumed: Type.Boolean({
      description:
        'True when some day of this interest line takes a reference rate (ECB, Bank of England, Bundesbank) that was never recorded ' +
        'although its reference date passed more than 30 days before: the last recorded rate was assumed unchanged. ' +
        'A rate recorded later is used by the next accrual, which adds the difference if it is higher.',
    }),
    rate_note: Nullable(
      Type.String({
        description:
          'When `rate_assumed`: which rate was missing and what was used instead, e.g. "ecb_mro rate in force on ' +
          '2026-07-01 (2026-H2) not recorded: assumed unchanged at 2.15 % (in force since 2026-01-01)."',
      }),
    ),
    waived: Type.Boolean(),
    waived_at: Nullable(Timestamp),
    waive_reason: Nullable(Type.String()),
    created_at: Timestamp,
  },
  { $id: 'InvoiceFee', additionalProperties: false },
);
export type InvoiceFee = Type.Static<typeof InvoiceFee>;

export const InvoiceFeeWaive = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why the fee is forgiven (kept with the fee).' }),
  },
  { $id: 'InvoiceFeeWaive', additionalProperties: false },
);
export type InvoiceFeeWaive = Type.Static<typeof InvoiceFeeWaive>;

export const ReferenceRate = Type.Object(
  {
    object: Type.Literal('reference_rate'),
    source: Type.Enum([...REFERENCE_SOURCES], {
      description:
        '`ecb_mro`: ECB main refinancing operations rate. `boe_base`: Bank of England Bank Rate. ' +
        '`bundesbank_base`: Deutsche Bundesbank Basiszinssatz (§247 BGB).',
    }),
    effective_on: CalendarDate,
    rate_bps: Type.Integer({ description: 'Basis points: 215 = 2.15 %.' }),
    created_at: Timestamp,
  },
  { $id: 'ReferenceRate', additionalProperties: false },
);
export type ReferenceRate = Type.Static<typeof ReferenceRate>;

export const ReferenceRateCreate = Type.Object(
  {
    source: ReferenceRate.properties.source,
    effective_on: CalendarDate,
    rate_bps: Type.Integer({ minimum: -10000, maximum: 100000, description: 'Basis points: 215 = 2.15 %.' }),
  },
  { $id: 'ReferenceRateCreate', additionalProperties: false },
);
export type ReferenceRateCreate = Type.Static<typeof ReferenceRateCreate>;

export const ReferenceRateList = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(Type.Ref('ReferenceRate')),
    has_more: Type.Boolean(),
    next_cursor: Nullable(Type.String()),
  },
  {
    $id: 'ReferenceRateList',
    additionalProperties: false,
    description: 'Every known rate, by source then date (a short list: it is never paginated).',
  },
);

export const ReferenceRateListQuery = Type.Object(
  { source: Type.Optional(ReferenceRate.properties.source) },
  { additionalProperties: false },
);
export type ReferenceRateListQuery = Type.Static<typeof ReferenceRateListQuery>;
