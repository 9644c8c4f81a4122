import type {
  BankTransaction,
  BankTransactionConfirm,
  BankTransactionImport,
  BankTransactionImportResult,
  BankTransactionListQuery,
  BankTransactionMatch,
  BankTransactionReject,
  ProposedAllocation,
  Reason,
} from '../../domain/bank-transactions/index.ts';
import { builder } from '../builder.ts';
import { orNull, toListQuery, toServiceInput } from '../convert.ts';
import { listType, pageArgs } from './common.ts';
import { AllocationInput } from './payment.ts';

export const BankTransactionStatus = builder.enumType('BankTransactionStatus', {
  description:
    '`UNMATCHED`: waiting for a decision; `MATCHED`: its payment was recorded; `IGNORED`: not a customer payment (debits on import).',
  values: { UNMATCHED: { value: 'unmatched' }, MATCHED: { value: 'matched' }, IGNORED: { value: 'ignored' } } as const,
});

const BankTransactionMatchStatus = builder.enumType('BankTransactionMatchStatus', {
  values: {
    PROPOSED: { value: 'proposed' },
    CONFIRMED: { value: 'confirmed' },
    REJECTED: { value: 'rejected' },
  } as const,
});

const MatchReasonCode = builder.enumType('BankTransactionMatchReasonCode', {
  description: 'Why a match is proposed; each reason adds `points` to the score.',
  values: {
    INVOICE_NUMBER_IN_LABEL: { value: 'invoice_number_in_label' },
    AMOUNT_EQUALS_BALANCE: { value: 'amount_equals_balance' },
    AMOUNT_EQUALS_INSTALLMENT: { value: 'amount_equals_installment' },
    COMBINATION_SUMS_TO_AMOUNT: { value: 'combination_sums_to_amount' },
    COUNTERPARTY_MATCHES_CUSTOMER: { value: 'counterparty_matches_customer' },
  } as const,
});

const MatchReasonRef = builder.objectRef<Reason>('BankTransactionMatchReason').implement({
  fields: (t) => ({
    code: t.expose('code', { type: MatchReasonCode }),
    points: t.exposeInt('points'),
    invoiceIds: t.exposeIDList('invoice_ids'),
    detail: t.exposeString('detail'),
  }),
});

const MatchAllocationRef = builder.objectRef<ProposedAllocation>('BankTransactionMatchAllocation').implement({
  fields: (t) => ({
    invoiceId: t.exposeID('invoice_id'),
    invoiceNumber: t.exposeString('invoice_number'),
    amount: t.expose('amount', { type: 'Amount' }),
  }),
});

const BankTransactionMatchRef = builder.objectRef<BankTransactionMatch>('BankTransactionMatch').implement({
  description: 'A proposal: the invoices a payment of the line would go to, scored 0–100 from its reasons.',
  fields: (t) => ({
    id: t.exposeID('id'),
    rank: t.exposeInt('rank', { description: '1 = the best proposal of its line.' }),
    score: t.exposeInt('score'),
    status: t.expose('status', { type: BankTransactionMatchStatus }),
    customerId: t.exposeID('customer_id'),
    allocations: t.expose('allocations', { type: [MatchAllocationRef] }),
    unallocated: t.expose('unallocated', { type: 'Amount', description: "Left as the customer's credit." }),
    reasons: t.expose('reasons', { type: [MatchReasonRef] }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

export const BankTransactionRef = builder.objectRef<BankTransaction>('BankTransaction').implement({
  description: 'A bank line: credits (positive) get match proposals; a confirmed one becomes a payment.',
  fields: (t) => ({
    id: t.exposeID('id'),
    bookedOn: t.expose('booked_on', { type: 'Date' }),
    amount: t.expose('amount', { type: 'Amount', description: 'Signed: credits positive, debits negative.' }),
    currency: t.exposeString('currency'),
    label: t.exposeString('label'),
    counterpartyName: t.exposeString('counterparty_name', { nullable: true }),
    bankReference: t.exposeString('bank_reference'),
    status: t.expose('status', { type: BankTransactionStatus }),
    paymentId: t.exposeID('payment_id', { nullable: true }),
    matchedAt: t.expose('matched_at', { type: 'DateTime', nullable: true }),
    matches: t.expose('matches', { type: [BankTransactionMatchRef], description: 'Proposals, best first.' }),
    metadata: t.expose('metadata', { type: 'Metadata' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const BankTransactionList = listType('BankTransaction', BankTransactionRef);

type ImportedLine = BankTransactionImportResult['lines'][number];
const ImportedLineRef = builder.objectRef<ImportedLine>('ImportedBankTransaction').implement({
  fields: (t) => ({
    created: t.exposeBoolean('created', {
      description: 'False: imported before (same bank reference); this is that line.',
    }),
    bankTransaction: t.expose('bank_transaction', { type: BankTransactionRef }),
  }),
});

const ImportResultRef = builder.objectRef<BankTransactionImportResult>('BankTransactionImportResult').implement({
  fields: (t) => ({
    created: t.exposeInt('created'),
    alreadyImported: t.exposeInt('already_imported'),
    lines: t.expose('lines', { type: [ImportedLineRef], description: 'In the order sent.' }),
  }),
});

const LineInput = builder.inputType('BankTransactionLineInput', {
  description:
    'A bank line: `bookedOn`, `amount` (signed, not 0), `currency`, `label` and `bankReference` are required.',
  fields: (t) => ({
    bookedOn: t.field({ type: 'Date' }),
    amount: t.field({ type: 'Amount' }),
    currency: t.string(),
    label: t.string(),
    counterpartyName: t.string(),
    bankReference: t.string(),
    metadata: t.field({ type: 'Metadata' }),
  }),
});

const ImportInput = builder.inputType('ImportBankTransactionsInput', {
  fields: (t) => ({ transactions: t.field({ type: [LineInput], description: '1 to 1,000 lines.' }) }),
});

const ConfirmInput = builder.inputType('ConfirmBankTransactionInput', {
  description: 'Either `matchId`, or `customerId` with optional `allocations` (oldest due first without them).',
  fields: (t) => ({
    matchId: t.id(),
    customerId: t.id(),
    allocations: t.field({ type: [AllocationInput] }),
  }),
});

const RejectInput = builder.inputType('RejectBankTransactionMatchInput', {
  fields: (t) => ({ matchId: t.id() }),
});

builder.queryFields((t) => ({
  bankTransaction: t.field({
    type: BankTransactionRef,
    nullable: true,
    description: 'A bank line of this account with its proposals, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => orNull(services.bankTransactions.get(actor, String(id))),
  }),
  bankTransactions: t.field({
    type: BankTransactionList,
    description: 'Bank lines, newest first.',
    args: {
      ...pageArgs,
      status: t.arg({ type: BankTransactionStatus }),
      bookedFrom: t.arg({ type: 'Date', description: 'Booked on or after this date.' }),
      bookedTo: t.arg({ type: 'Date', description: 'Booked on or before this date.' }),
    },
    resolve: (_root, args, { actor, services }) =>
      services.bankTransactions.list(actor, toListQuery<BankTransactionListQuery>(args)),
  }),
}));

builder.mutationFields((t) => ({
  importBankTransactions: t.field({
    type: ImportResultRef,
    description: 'Imports bank lines and proposes matches; a known bank reference is returned, not duplicated.',
    args: { input: t.arg({ type: ImportInput, required: true }) },
    resolve: (_root, { input }, { actor, services }) =>
      services.bankTransactions.import(actor, toServiceInput<BankTransactionImport>(input)),
  }),
  confirmBankTransaction: t.field({
    type: BankTransactionRef,
    description:
      'Records the payment of a bank line (a proposal, or a customer and allocations); `bank_transaction/match_stale` if the proposal is out of date.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ConfirmInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.bankTransactions.confirm(actor, String(id), toServiceInput<BankTransactionConfirm>(input)),
  }),
  rejectBankTransactionMatch: t.field({
    type: BankTransactionRef,
    description: 'Rejects one proposal; the line stays unmatched.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: RejectInput, required: true }) },
    resolve: (_root, { id, input }, { actor, services }) =>
      services.bankTransactions.reject(actor, String(id), toServiceInput<BankTransactionReject>(input)),
  }),
  ignoreBankTransaction: t.field({
    type: BankTransactionRef,
    description: 'Sets a bank line aside (not a customer payment); it can still be confirmed later.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { actor, services }) => services.bankTransactions.ignore(actor, String(id)),
  }),
}));
