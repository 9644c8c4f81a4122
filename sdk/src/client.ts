import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import { buildResources, type Resources } from './resources.ts';
import { retryingFetch } from './transport.ts';
import type { paths } from './schema.d.ts';

/** openapi-fetch's `GET`/`POST`… by path, plus one typed helper per operation (`relance.invoices.create(…)`). */
export type RelanceClient = Client<paths> & Resources;

export interface ClientOptions {
  /** An API key: `rk_live_…` or `rk_test_…`. */
  apiKey: string;
  /** Where the API is served, e.g. `https://relance.example.com`, without `/v1`. */
  baseUrl: string;
  /** A `fetch` of your own (tracing, tests); defaults to the global one. Retries and timeouts wrap it. */
  fetch?: (request: Request) => Promise<Response>;
  /** Retries after a network error, a timeout, 408, 429 or 5xx (default 2; 0 for none). Per call: `{ maxRetries }`. */
  maxRetries?: number;
  /** Milliseconds one attempt may take (default 30,000). Per call: `{ timeout }`. */
  timeout?: number;
  /** Makes the `Idempotency-Key` of a POST sent without one; defaults to a random UUID. */
  idempotencyKey?: () => string;
}

/**
 * A typed client for the Relance REST API: a helper per operation (`relance.invoices.create(body)`,
 * `relance.invoices.get(id)`, `relance.payments.list(query)`: data, or a thrown `RelanceError`),
 * and openapi-fetch's methods by path (`relance.GET('/v1/invoices')`…).
 * Every request carries the API key; every POST carries an `Idempotency-Key` (yours, set with
 * `headers: { 'Idempotency-Key': … }`, or a fresh one), so a retried request is never applied twice.
 * Network errors, timeouts, 408, 429 and 5xx are retried (`maxRetries`, honouring `Retry-After`)
 * with the same key; each attempt has `timeout` ms. A helper named `list` also pages:
 * `for await (const invoice of relance.invoices.list({ overdue: true }))`.
 * Results are openapi-fetch's `{ data, error, response }`: `unwrap()` them to data or a `RelanceError`.
 */
export function createClient(options: ClientOptions): RelanceClient {
  const newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const settings = { maxRetries: options.maxRetries, timeout: options.timeout };
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: retryingFetch(baseFetch, settings),
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
  return Object.assign(
    client,
    buildResources(client, (call) => retryingFetch(baseFetch, { ...settings, ...call })),
  );
}
