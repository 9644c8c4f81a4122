import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import { buildResources, type Resources } from './resources.ts';
import type { paths } from './schema.d.ts';

/** openapi-fetch's `GET`/`POST`… by path, plus one typed helper per operation (`relance.invoices.create(…)`). */
export type RelanceClient = Client<paths> & Resources;

export interface ClientOptions {
  /** An API key: `rk_live_…` or `rk_test_…`. */
  apiKey: string;
  /** Where the API is served, e.g. `https://relance.example.com`, without `/v1`. */
  baseUrl: string;
  /** A `fetch` of your own (retries, tracing, tests); defaults to the global one. */
  fetch?: (request: Request) => Promise<Response>;
  /** Makes the `Idempotency-Key` of a POST sent without one; defaults to a random UUID. */
  idempotencyKey?: () => string;
}

/**
 * A typed client for the Relance REST API: a helper per operation (`relance.invoices.create(body)`,
 * `relance.invoices.get(id)`, `relance.payments.list(query)`: data, or a thrown `RelanceError`),
 * and openapi-fetch's methods by path (`relance.GET('/v1/invoices')`…).
 * Every request carries the API key; every POST carries an `Idempotency-Key` (yours, set with
 * `headers: { 'Idempotency-Key': … }`, or a fresh one), so a retried request is never applied twice.
 * Results are openapi-fetch's `{ data, error, response }`: `unwrap()` them to data or a `RelanceError`.
 */
export function createClient(options: ClientOptions): RelanceClient {
  const newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch && { fetch: options.fetch }),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${options.apiKey}`);
      if (request.method === 'POST' && !request.headers.has('idempotency-key')) {
        request.headers.set('idempotency-key', newKey());
      }
      return request;
    },
  };
  client.use(auth);
  return Object.assign(client, buildResources(client));
}
