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
  dispute: 'dsp',
  invoiceFee: 'fee',
  payment: 'pay',
  paymentAllocation: 'alloc',
  paymentPlan: 'pplan',
  bankTransaction: 'btx',
  bankTransactionMatch: 'btxm',
  webhookEndpoint: 'we',
  webhookDelivery: 'whd',
  webhookAttempt: 'wha',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A new time-ordered (UUIDv7-based TypeID) id: sorting ids sorts by creation time. */
export function newId(kind: IdKind): string {
  return typeid(ID_PREFIX[kind]).toString();
}

/** The alphabet of a TypeID's suffix (Crockford base32, lowercase); its last character holds the id's 5 lowest bits. */
export const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * For a statement that writes up to 32 rows whose ids it cannot get from us one by one: a new id
 * without its last character. The statement appends one character of `ID_ALPHABET` per row:
 * each result is a valid id (the same UUIDv7 with its 5 lowest random bits chosen), distinct
 * from the others of the stem and time-ordered like any new id.
 */
export function idStem(kind: IdKind): string {
  return newId(kind).slice(0, -1);
}
