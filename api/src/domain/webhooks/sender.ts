import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { hostOf, resolveAllowed, type TargetPolicy } from './target.ts';

export const REQUEST_TIMEOUT_MS = 15_000;
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
  retryAfter: string | undefined;
}

// Kept-alive connections: a busy endpoint gets many deliveries over few TLS handshakes. A socket
// is only ever opened through the checking lookup below, so reusing it stays safe.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** A `lookup` for the socket that resolves once, refuses forbidden addresses, and connects to what it checked. */
function checkingLookup(policy: TargetPolicy): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveAllowed(hostname, policy).then(
      (addresses) => {
        if (options?.all) callback(null, addresses);
        else callback(null, addresses[0]?.address, addresses[0]?.family);
      },
      (error: Error) => callback(error),
    );
  }) as unknown as LookupFunction;
}

/** Node connects to an IP literal without a lookup: why such a target is refused, or null. */
async function literalRefused(target: URL, policy: TargetPolicy): Promise<string | null> {
  if (!isIP(hostOf(target))) return null;
  try {
    await resolveAllowed(hostOf(target), policy);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * POSTs one signed webhook: no redirect followed (a 3xx is a failure), 15 s for the whole
 * exchange, the address checked at connection time, the first KiB of the answer kept.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  policy: TargetPolicy,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const failure = (error: string): SendResult => ({
    statusCode: null,
    durationMs: elapsed(),
    responseExcerpt: null,
    error,
    retryAfter: undefined,
  });
  const refused = await literalRefused(target, policy);
  if (refused) return failure(refused);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        lookup: checkingLookup(policy),
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept += Math.min(chunk.length, RESPONSE_EXCERPT_BYTES - kept);
          }
        });
        const done = (error: string | null) => {
          const status = response.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          const retryAfter = response.headers['retry-after'];
          finish({
            statusCode: status,
            durationMs: elapsed(),
            responseExcerpt: kept > 0 ? Buffer.concat(chunks).toString('utf8') : null,
            error:
              error ??
              (ok
                ? null
                : status !== null && status >= 300 && status < 400
                  ? `redirect (${status}) not followed`
                  : `HTTP ${status}`),
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          });
        };
        response.on('end', () => done(null));
        response.on('error', (error) => done(error.message));
        response.on('aborted', () => done('response aborted'));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS / 1000} s`));
    }, REQUEST_TIMEOUT_MS);
    request.on('error', (error) => finish(failure(error.message)));
    request.end(body);
  });
}

/** A file fetched for an email: its bytes, or why it could not be had. */
export type FetchedFile = { ok: true; content: Buffer; contentType: string } | { ok: false; error: string };

/**
 * GETs a file from a URL an integrator gave (an invoice's `pdf_url`) with the guards of webhook
 * deliveries: the address checked at connection time (no private, loopback or reserved address
 * unless the operator allows them), no redirect followed, `timeoutMs` for the whole exchange,
 * and at most `maxBytes` (a larger body is cut off and refused).
 */
export async function fetchGuarded(
  url: string,
  policy: TargetPolicy,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<FetchedFile> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, error: 'not a valid URL' };
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return { ok: false, error: 'not an http(s) URL' };
  const refused = await literalRefused(target, policy);
  if (refused) return { ok: false, error: refused };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<FetchedFile>((resolve) => {
    let settled = false;
    const finish = (result: FetchedFile) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(
      target,
      { method: 'GET', agent: agents[target.protocol as 'http:' | 'https:'], lookup: checkingLookup(policy) },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          response.resume();
          request.destroy();
          return finish({
            ok: false,
            error: status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}`,
          });
        }
        const declared = Number(response.headers['content-length'] ?? Number.NaN);
        const tooLarge = () => `larger than ${Math.round(limits.maxBytes / 1_048_576)} MB`;
        if (declared > limits.maxBytes) {
          request.destroy();
          return finish({ ok: false, error: tooLarge() });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBytes) {
            request.destroy();
            finish({ ok: false, error: tooLarge() });
          } else chunks.push(chunk);
        });
        response.on('end', () =>
          finish({
            ok: true,
            content: Buffer.concat(chunks),
            contentType: String(response.headers['content-type'] ?? 'application/octet-stream'),
          }),
        );
        response.on('error', (error) => finish({ ok: false, error: error.message }));
        response.on('aborted', () => finish({ ok: false, error: 'response aborted' }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`timed out after ${limits.timeoutMs / 1000} s`));
    }, limits.timeoutMs);
    request.on('error', (error) => finish({ ok: false, error: error.message }));
    request.end();
  });
}
