import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../errors.ts';
import { member, refuseUnstorableText, unstorableTextFields } from '../validation.ts';

/** Our ids: a prefix, `_`, and a TypeID suffix (26 characters of Crockford base32, lower case). */
export const ID_FORMAT = /^[a-z]{2,6}_[0-9a-hjkmnp-tv-z]{26}$/;

/** What a path id names, by the collection it sits under (the first segment after /v1/). */
const KIND_OF_COLLECTION: Record<string, string> = {
  api_keys: 'api_key',
  customers: 'customer',
  payment_terms: 'payment_terms',
  invoices: 'invoice',
  reminder_policies: 'reminder_policy',
  tasks: 'task',
  disputes: 'dispute',
  events: 'event',
  payments: 'payment',
  payment_plans: 'payment_plan',
  bank_transactions: 'bank_transaction',
  webhook_endpoints: 'webhook_endpoint',
  webhook_deliveries: 'webhook_delivery',
  messages: 'message',
};

/** Path parameters that carry one of our ids, and the kind they name when not the collection's. */
const ID_PARAMS: Record<string, string | null> = { id: null, fee_id: 'invoice_fee' };

function refuseMalformedIds(request: FastifyRequest): void {
  const collection = /^\/v1\/([a-z_]+)\//.exec(request.routeOptions.url ?? '')?.[1];
  if (!collection) return;
  for (const [name, kindOverride] of Object.entries(ID_PARAMS)) {
    const value = member(request.params, name);
    const kind = kindOverride ?? KIND_OF_COLLECTION[collection];
    // An id that cannot exist is not looked up: the same 404 as an unknown one.
    if (kind && typeof value === 'string' && !ID_FORMAT.test(value)) throw notFound(kind, value);
  }
}

/**
 * Before any route runs (and before the schema validation): every path parameter, query
 * parameter and body string is text PostgreSQL can store, and a path id looks like one.
 * One check for every route, so no route can forget it.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    refuseUnstorableText('path', unstorableTextFields(request.params));
    refuseUnstorableText('query string', unstorableTextFields(request.query));
    refuseUnstorableText('request body', unstorableTextFields(request.body));
    refuseMalformedIds(request);
  });
}
