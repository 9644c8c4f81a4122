import { typeid } from 'typeid-js';

/** Object kinds and their id prefixes: an id says what it names (`inv_01j…`). */
export const ID_PREFIX = {
  account: 'acct',
  apiKey: 'key',
  customer: 'cus',
  invoice: 'inv',
  paymentTerms: 'pt',
  event: 'evt',
  reminderPolicy: 'rp',
  reminderStep: 'step',
  occurrence: 'occ',
  message: 'msg',
  task: 'task',
  document: 'doc',
  dispute: 'dsp',
  invoiceFee: 'fee',
  payment: 'pay',
  paymentAllocation: 'alloc',
  paymentPlan: 'pplan',
  paymentClaim: 'pclm',
  bankTransaction: 'btx',
  bankTransactionMatch: 'btxm',
  webhookEndpoint: 'we',
  webhookDelivery: 'whd',
  webhookAttempt: 'wha',
  einvoiceStatus: 'eis',
  portalLink: 'pl',
  statementMailing: 'stm',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A new time-ordered (UUIDv7-based TypeID) id: sorting ids sorts by creation time. */
export function newId(kind: IdKind): string {
  return typeid(ID_PREFIX[kind]).toString();
}
