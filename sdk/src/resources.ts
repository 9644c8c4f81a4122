import type { Client } from 'openapi-fetch';
import { unwrap } from './errors.ts';
import { OPERATIONS } from './operations.ts';
import type { paths } from './schema.d.ts';

type Operations = typeof OPERATIONS;
type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** `'/v1/invoices/{id}/fees/{fee_id}/waive'` → `[id: string, fee_id: string]`: the path's parameters, in order. */
type PathArgs<P extends string> = P extends `${string}{${infer _Name}}${infer Rest}` ? [string, ...PathArgs<Rest>] : [];

type OperationOf<P, M> = P extends keyof paths ? (M extends keyof paths[P] ? NonNullable<paths[P][M]> : never) : never;

type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type BodyOf<O> = O extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
type BodyRequired<O> = O extends { requestBody: object } ? true : false;
type QueryOf<O> = O extends { parameters: { query?: infer Q } }
  ? [Q] extends [undefined | never]
    ? never
    : NonNullable<Q>
  : never;

/** The data of a successful answer (2xx). */
type DataOf<O> = O extends { responses: infer R }
  ? {
      [S in keyof R]: S extends 200 | 201 | 202 | 204 ? (JsonOf<R[S]> extends never ? undefined : JsonOf<R[S]>) : never;
    }[keyof R]
  : never;

/** Per call: your own `Idempotency-Key` (POST), headers, an abort signal, retries and timeout. */
export interface CallOptions {
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Retries for this call (see `ClientOptions.maxRetries`). */
  maxRetries?: number;
  /** Milliseconds one attempt of this call may take. */
  timeout?: number;
}

/**
 * What a list helper returns: `await` it for one page (`{ data, has_more, next_cursor }`), or
 * iterate it with `for await` for every item of every page, fetched page by page as you go.
 */
export type PagePromise<Page, Item> = Promise<Page> & AsyncIterable<Item>;

type Paged<D> = D extends { data: (infer Item)[]; has_more: boolean } ? PagePromise<D, Item> : Promise<D>;

/** The helper of one operation: path parameters in order, then the body (or the query string of a GET/DELETE), then options. */
type Helper<M extends Method, P extends string> =
  OperationOf<P, M> extends infer O
    ? M extends 'get' | 'delete'
      ? [QueryOf<O>] extends [never]
        ? (...args: [...PathArgs<P>, options?: CallOptions]) => Paged<DataOf<O>>
        : (...args: [...PathArgs<P>, query?: QueryOf<O>, options?: CallOptions]) => Paged<DataOf<O>>
      : [BodyOf<O>] extends [never]
        ? (...args: [...PathArgs<P>, body?: Record<string, never>, options?: CallOptions]) => Promise<DataOf<O>>
        : BodyRequired<O> extends true
          ? (...args: [...PathArgs<P>, body: BodyOf<O>, options?: CallOptions]) => Promise<DataOf<O>>
          : (...args: [...PathArgs<P>, body?: BodyOf<O>, options?: CallOptions]) => Promise<DataOf<O>>
    : never;

/**
 * One typed helper per REST operation, by resource: `relance.invoices.create(body)`,
 * `relance.invoices.get(id)`, `relance.payments.list({ customer_id })`,
 * `relance.invoices.waiveFee(invoiceId, feeId, body)`. Each returns the answer's data or throws a
 * `RelanceError`. Built from the OpenAPI document, so every route has one.
 */
export type Resources = {
  [R in keyof Operations]: {
    -readonly [N in keyof Operations[R]]: Operations[R][N] extends readonly [
      infer M extends Method,
      infer P extends string,
    ]
      ? Helper<M, P>
      : never;
  };
};

const PARAM = /\{([^}]+)\}/g;

type Fetch = (request: Request) => Promise<Response>;
type ListPage = { data: unknown[]; has_more: boolean; next_cursor?: string | null };

const isListPage = (value: unknown): value is ListPage =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as ListPage).data) &&
  typeof (value as ListPage).has_more === 'boolean';

/** A page promise that also iterates every item, asking for the next page (`starting_after`) when one is used up. */
function pagePromise(
  first: Promise<unknown>,
  next: (cursor: string) => Promise<unknown>,
): PagePromise<unknown, unknown> {
  return Object.assign(first, {
    async *[Symbol.asyncIterator]() {
      let page = await first;
      for (;;) {
        if (!isListPage(page)) throw new TypeError('This answer is not a list: it cannot be iterated.');
        yield* page.data;
        const last = page.data.at(-1) as { id?: string } | undefined;
        const cursor = page.next_cursor ?? last?.id;
        if (!page.has_more || !cursor) return;
        page = await next(cursor);
      }
    },
  });
}

export function buildResources(
  client: Client<paths>,
  fetchFor: (call: { maxRetries?: number; timeout?: number }) => Fetch,
): Resources {
  const request = client.request as unknown as (
    method: string,
    url: string,
    init: {
      params: { path: Record<string, string>; query?: object };
      body?: unknown;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      fetch?: Fetch;
    },
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  const helper = (method: string, url: string, name: string) => {
    const names = [...url.matchAll(PARAM)].map((m) => String(m[1]));
    const reading = method === 'get' || method === 'delete';
    const call = async (path: Record<string, string>, input: object | undefined, options: CallOptions) => {
      const headers = {
        ...options.headers,
        ...(options.idempotencyKey && { 'idempotency-key': options.idempotencyKey }),
      };
      const perCall = options.maxRetries !== undefined || options.timeout !== undefined;
      return unwrap(
        await request(method.toUpperCase(), url, {
          params: { path, ...(reading && input && { query: input }) },
          ...(!reading && { body: input ?? {} }),
          headers,
          ...(options.signal && { signal: options.signal }),
          ...(perCall && { fetch: fetchFor({ maxRetries: options.maxRetries, timeout: options.timeout }) }),
        }),
      );
    };
    return (...args: unknown[]) => {
      const path = Object.fromEntries(names.map((name, i) => [name, String(args[i])]));
      const input = args[names.length] as object | undefined;
      const options = (args[names.length + 1] ?? {}) as CallOptions;
      const first = call(path, input, options);
      if (method !== 'get' || !name.startsWith('list')) return first;
      return pagePromise(first, (cursor) => call(path, { ...input, starting_after: cursor }, options));
    };
  };
  return Object.fromEntries(
    Object.entries(OPERATIONS).map(([resource, operations]) => [
      resource,
      Object.fromEntries(Object.entries(operations).map(([name, [method, url]]) => [name, helper(method, url, name)])),
    ]),
  ) as Resources;
}
