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
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [undefined | never] ? never : NonNullable<Q>) : never;

/** The data of a successful answer (2xx). */
type DataOf<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 | 202 | 204 ? (JsonOf<R[S]> extends never ? undefined : JsonOf<R[S]>) : never }[keyof R]
  : never;

/** Per call: your own `Idempotency-Key` (POST), headers, an abort signal. */
export interface CallOptions {
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The helper of one operation: path parameters in order, then the body (or the query string of a GET/DELETE), then options. */
type Helper<M extends Method, P extends string> =
  OperationOf<P, M> extends infer O
    ? M extends 'get' | 'delete'
      ? [QueryOf<O>] extends [never]
        ? (...args: [...PathArgs<P>, options?: CallOptions]) => Promise<DataOf<O>>
        : (...args: [...PathArgs<P>, query?: QueryOf<O>, options?: CallOptions]) => Promise<DataOf<O>>
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
    -readonly [N in keyof Operations[R]]: Operations[R][N] extends readonly [infer M extends Method, infer P extends string] ? Helper<M, P> : never;
  };
};

const PARAM = /\{([^}]+)\}/g;

export function buildResources(client: Client<paths>): Resources {
  const request = client.request as unknown as (
    method: string,
    url: string,
    init: { params: { path: Record<string, string>; query?: object }; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  const helper = (method: string, url: string) => {
    const names = [...url.matchAll(PARAM)].map((m) => String(m[1]));
    return async (...args: unknown[]) => {
      const path = Object.fromEntries(names.map((name, i) => [name, String(args[i])]));
      const input = args[names.length] as object | undefined;
      const options = (args[names.length + 1] ?? {}) as CallOptions;
      const headers = { ...options.headers, ...(options.idempotencyKey && { 'idempotency-key': options.idempotencyKey }) };
      const reading = method === 'get' || method === 'delete';
      return unwrap(
        await request(method.toUpperCase(), url, {
          params: { path, ...(reading && input && { query: input }) },
          ...(!reading && { body: input ?? {} }),
          headers,
          ...(options.signal && { signal: options.signal }),
        }),
      );
    };
  };
  return Object.fromEntries(
    Object.entries(OPERATIONS).map(([resource, operations]) => [
      resource,
      Object.fromEntries(Object.entries(operations).map(([name, [method, url]]) => [name, helper(method, url)])),
    ]),
  ) as Resources;
}
