import Type from 'typebox';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import { AllocationInput } from '../payments/index.ts';
import { CalendarDate, Currency, Id, ListQuery, Metadata, Nullable, Timestamp } from '../shared/index.ts';
import { REASON_CODES } from './matching.ts';

export const BANK_TRANSACTION_STATUSES = ['unmatched', 'matched', 'ignored'] as const;
export type BankTransactionStatus = (typeof BANK_TRANSACTION_STATUSES)[number];
export const MATCH_STATUSES = ['proposed', 'confirmed', 'rejected'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export const STATEMENT_FORMATS = ['csv', 'camt053', 'mt940'] as const;
export const STATEMENT_ENCODINGS = ['utf-8', 'windows-1252', 'iso-8859-1', 'iso-8859-15'] as const;
export const DATE_FORMATS = [
  'YYYY-MM-DD',
  'DD/MM/YYYY',
  'DD.MM.YYYY',
  'DD-MM-YYYY',
  'MM/DD/YYYY',
  'DD/MM/YY',
  'DD.MM.YY',
] as const;

/** Lines per import request. */
export const MAX_LINES_PER_IMPORT = 1000;

export const MatchReason = Type.Object(
  {
    code: Type.Enum([...REASON_CODES], {
      description:
        '`invoice_number_in_label`, `amount_equals_balance`, `amount_equals_installment` (payment plans), `combination_sums_to_amount`, `counterparty_matches_customer`.',
    }),
    points: Type.Integer({ description: 'What this reason adds to the score.' }),
    invoice_ids: Type.Array(Id('inv'), { description: 'The invoices the reason is about (empty for the payer name).' }),
    detail: Type.String(),
  },
  { additionalProperties: false },
);

export const MatchAllocation = Type.Object(
  {
    invoice_id: Id('inv'),
    invoice_number: Type.String(),
    amount: Type.Integer({ description: 'Minor units the payment would allocate to this invoice.' }),
  },
  { additionalProperties: false },
);

export const BankTransactionMatch = Type.Object(
  {
    id: Id('btxm'),
    object: Type.Literal('bank_transaction_match'),
    rank: Type.Integer({ description: '1 = the best proposal of its line.' }),
    score: Type.Integer({ minimum: 0, maximum: 100, description: 'Sum of the reasons’ points, at most 100.' }),
    status: Type.Enum([...MATCH_STATUSES]),
    customer_id: Id('cus'),
    allocations: Type.Array(MatchAllocation, { description: 'What confirming allocates, invoice by invoice.' }),
    unallocated: Type.Integer({
      description: "Left as the customer's credit (the line is more than the invoices owe).",
    }),
    reasons: Type.Array(MatchReason),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export type BankTransactionMatch = Type.Static<typeof BankTransactionMatch>;

export const BankTransaction = Type.Object(
  {
    id: Id('btx'),
    object: Type.Literal('bank_transaction'),
    booked_on: CalendarDate,
    amount: Type.Integer({ description: 'Signed minor units: credits (money received) positive, debits negative.' }),
    currency: Type.String(),
    label: Type.String(),
    counterparty_name: Nullable(Type.String()),
    bank_reference: Type.String({
      description: "The bank's unique reference of the line: importing it again returns this line.",
    }),
    status: Type.Enum([...BANK_TRANSACTION_STATUSES], {
      description:
        '`unmatched`: waiting for a decision; `matched`: a payment was recorded (`payment_id`); `ignored`: not a customer payment (debits are ignored on import).',
    }),
    payment_id: Nullable(Id('pay')),
    matched_at: Nullable(Timestamp),
    matches: Type.Array(BankTransactionMatch, { description: 'Proposals, best first (rank 1).' }),
    metadata: Metadata,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'BankTransaction', additionalProperties: false },
);
export type BankTransaction = Type.Static<typeof BankTransaction>;

export const BankTransactionInput = Type.Object(
  {
    booked_on: CalendarDate,
    amount: Type.Integer({
      minimum: -MAX_AMOUNT_MINOR,
      maximum: MAX_AMOUNT_MINOR,
      description: 'Signed minor units, not 0: credits positive, debits negative.',
    }),
    currency: Currency,
    label: Type.String({ minLength: 1, maxLength: 1000, description: 'The label as the bank prints it.' }),
    counterparty_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    bank_reference: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Unique per line at the bank (AcctSvcrRef, transaction id).',
    }),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
export type BankTransactionInput = Type.Static<typeof BankTransactionInput>;

export const BankTransactionImport = Type.Object(
  { transactions: Type.Array(BankTransactionInput, { minItems: 1, maxItems: MAX_LINES_PER_IMPORT }) },
  {
    $id: 'BankTransactionImport',
    additionalProperties: false,
    description: `1 to ${MAX_LINES_PER_IMPORT} bank lines.`,
  },
);
export type BankTransactionImport = Type.Static<typeof BankTransactionImport>;

export const BankTransactionImportResult = Type.Object(
  {
    object: Type.Literal('bank_transaction_import'),
    created: Type.Integer({ description: 'Lines new to Relance.' }),
    already_imported: Type.Integer({
      description: 'Lines whose `bank_reference` was known: the existing line is returned, nothing is duplicated.',
    }),
    lines: Type.Array(
      Type.Object(
        {
          created: Type.Boolean({
            description:
              'False: imported before (same `bank_reference`); `bank_transaction` is that line, as it is now.',
          }),
          bank_transaction: Type.Ref('BankTransaction'),
        },
        { additionalProperties: false },
      ),
      { description: 'In the order sent.' },
    ),
  },
  { $id: 'BankTransactionImportResult', additionalProperties: false },
);
export interface BankTransactionImportResult {
  object: 'bank_transaction_import';
  created: number;
  already_imported: number;
  lines: Array<{ created: boolean; bank_transaction: BankTransaction }>;
}

export const BankTransactionConfirm = Type.Object(
  {
    match_id: Type.Optional(Id('btxm')),
    customer_id: Type.Optional(Id('cus')),
    allocations: Type.Optional(Type.Array(AllocationInput, { maxItems: 100 })),
  },
  {
    $id: 'BankTransactionConfirm',
    additionalProperties: false,
    description:
      'Either `match_id` (a proposal of this line), or `customer_id` with optional `allocations` (without them: oldest due first). The payment is the whole line.',
  },
);
export type BankTransactionConfirm = Type.Static<typeof BankTransactionConfirm>;

export const BankTransactionReject = Type.Object(
  { match_id: Id('btxm') },
  { $id: 'BankTransactionReject', additionalProperties: false },
);
export type BankTransactionReject = Type.Static<typeof BankTransactionReject>;

export const BankTransactionListQuery = Type.Object(
  {
    ...ListQuery,
    status: Type.Optional(Type.Enum([...BANK_TRANSACTION_STATUSES])),
    booked_from: Type.Optional(CalendarDate),
    booked_to: Type.Optional(CalendarDate),
  },
  { additionalProperties: false },
);
export type BankTransactionListQuery = Type.Static<typeof BankTransactionListQuery>;

export const BankStatementImport = Type.Object(
  {
    format: Type.Enum([...STATEMENT_FORMATS], {
      description: '`csv` (columns named in `csv`), `camt053` (ISO 20022 XML) or `mt940` (SWIFT).',
    }),
    content: Type.Optional(
      Type.String({
        maxLength: 5_000_000,
        description: 'The file as text (UTF-8 JSON string). Give this or `content_base64`.',
      }),
    ),
    content_base64: Type.Optional(
      Type.String({
        maxLength: 7_000_000,
        description: 'The file as bytes, base64: for files in another encoding than UTF-8 (see `encoding`).',
      }),
    ),
    encoding: Type.Optional(
      Type.Enum([...STATEMENT_ENCODINGS], {
        description: 'Of `content_base64`; UTF-8 by default. French and German bank exports are often windows-1252.',
      }),
    ),
    csv: Type.Optional(
      Type.Object(
        {
          delimiter: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 1,
              description: 'Found from the header line (`;`, tab or `,`) when absent.',
            }),
          ),
          decimal_separator: Type.Optional(
            Type.Enum(['.', ','], { description: '`,` for most French and German exports; `.` by default.' }),
          ),
          date_format: Type.Optional(
            Type.Enum([...DATE_FORMATS], {
              description: 'Found from the value (YYYY-MM-DD, DD.MM.YYYY, else DD/MM/YYYY) when absent.',
            }),
          ),
          skip_lines: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 50,
              description: 'Lines before the header row (account details some banks print first).',
            }),
          ),
          currency: Type.Optional(Currency),
          columns: Type.Object(
            {
              booked_on: Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'Header of the booking date column.',
              }),
              amount: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 200,
                  description: 'Signed amount column (credits positive). Or `debit` and `credit`.',
                }),
              ),
              debit: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              credit: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              label: Type.Union(
                [
                  Type.String({ minLength: 1, maxLength: 200 }),
                  Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 5 }),
                ],
                {
                  description: 'Label column, or several joined with spaces.',
                },
              ),
              currency: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              counterparty_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              bank_reference: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 200,
                  description:
                    "The bank's transaction id; without it each line gets one from its date, amount, label and rank in the file.",
                }),
              ),
            },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false, description: 'How to read a CSV export: required for `format: csv`.' },
      ),
    ),
  },
  {
    $id: 'BankStatementImport',
    additionalProperties: false,
    description: 'A bank statement file: its lines go through the same import as `POST /v1/bank_transactions`.',
  },
);
export type BankStatementImport = Type.Static<typeof BankStatementImport>;
