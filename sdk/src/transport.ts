import { RelanceConnectionError } from './errors.ts';

/** How a request is retried and how long an attempt may take. */
export interface RetrySettings {
  /** Retries after the first attempt (default 2): network errors, timeouts, 408, 429 and 5xx. 0 turns them off. */
  maxRetries?: number;
  /** Milliseconds one attempt may take, answer included (default 30,000). */
  timeout?: number;
}

type Fetch = (request: Request) => Promise<Response>;

const DEFAULT_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A `Retry-After` longer than this is not waited for: the answer is returned as it is. */
const MAX_RETRY_AFTER_MS = 60_000;

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s… at most 8 s. */
function backoffMs(retry: number): number {
  const ceiling = Math.min(8_000, 500 * 2 ** retry);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const sleep = (ms: number, signal: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * A `fetch` that gives each attempt `timeout` ms and retries network errors, timeouts, 408, 429
 * and 5xx up to `maxRetries` times, waiting as `Retry-After` says (when it says at most a
 * minute) or with exponential backoff. Every attempt sends the same request, headers included,
 * so a POST keeps its `Idempotency-Key` and the server applies it once. The caller's own abort
 * signal stops everything at once.
 */
export function retryingFetch(fetch: Fetch, settings: RetrySettings = {}): Fetch {
  const maxRetries = Math.max(0, Math.floor(settings.maxRetries ?? DEFAULT_RETRIES));
  const timeout = settings.timeout ?? DEFAULT_TIMEOUT_MS;
  return async (request) => {
    const callerSignal = request.signal;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries;
      const timer = AbortSignal.timeout(timeout);
      let response: Response;
      try {
        response = await fetch(new Request(request.clone(), { signal: AbortSignal.any([callerSignal, timer]) }));
      } catch (error) {
        if (callerSignal.aborted) throw error;
        const timedOut = timer.aborted;
        if (last)
          throw new RelanceConnectionError(
            request.method,
            request.url,
            attempt + 1,
            timedOut ? `no answer within ${timeout} ms` : String((error as Error)?.message ?? error),
            timedOut,
            error,
          );
        await sleep(backoffMs(attempt), callerSignal);
        continue;
      }
      if (last || !retryable(response.status)) return response;
      const asked = retryAfterMs(response.headers.get('retry-after'));
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return response;
      await response.body?.cancel().catch(() => {});
      await sleep(asked ?? backoffMs(attempt), callerSignal);
    }
  };
}
