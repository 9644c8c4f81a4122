import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` if it was not JSON). */
  body: any;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** The status it was answered with. */
  status?: number;
}

export interface ResendStandIn {
  /** Give it to the SDK as `baseUrl` (or RESEND_BASE_URL). */
  url: string;
  /** Every request received, in order, including refused ones. */
  requests: RecordedRequest[];
  /** Distinct emails accepted (a repeated idempotency key is the same email, or the same batch). */
  emailsAccepted(): number;
  /** Every email accepted, with the `occurrence` tag it carried and when (ms since the epoch). */
  accepted: Array<{ occurrence: string | undefined; to: string[]; at: number; apiKey: string }>;
  /** Emails accepted more than once for the same reminder (by its `occurrence` tag). */
  duplicates(): number;
  /** Requests answered 429 by the rate limit. */
  rateLimited(): number;
  /** Answers the next `count` requests with `status` and a Resend-style error body. */
  failNext(count: number, status: number, name?: string, message?: string): void;
  close(): Promise<void>;
}

const send = (
  res: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const error = (statusCode: number, name: string, message: string) => ({ statusCode, name, message });

const DEFAULT_ERROR_NAMES: Record<number, string> = {
  400: 'invalid_parameter',
  403: 'invalid_api_key',
  409: 'invalid_idempotent_request',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
};

/** Addresses at this domain are refused as Resend refuses an invalid one (422 `validation_error`). */
export const REFUSED_DOMAIN = 'refused.example';

/** Why Resend would refuse this email, or null. */
function invalidity(email: any): string | null {
  if (!email || typeof email !== 'object') return 'The email must be an object.';
  for (const field of ['from', 'to', 'subject']) if (!email[field]) return `Missing \`${field}\` field.`;
  const to: string[] = Array.isArray(email.to) ? email.to : [email.to];
  const bad = to.find((address) => String(address).toLowerCase().endsWith(`@${REFUSED_DOMAIN}`));
  return bad
    ? `Invalid \`to\` field. The email address needs to follow the \`email@example.com\` format: ${bad}`
    : null;
}

/**
 * A local server answering like Resend's `POST /emails` and `POST /emails/batch`: it checks
 * `Authorization: Bearer re_…`, requires from/to/subject, refuses addresses at `REFUSED_DOMAIN`,
 * and keeps `Idempotency-Key`s as Resend does (a repeat with the same body returns the first
 * answer; with another body, 409 `invalid_idempotent_request`). A batch takes up to 100 emails,
 * `x-batch-validation: strict` (all or nothing) or `permissive` (the valid ones, the others in
 * `errors`). With `ratePerSecond`, a token bucket of that size refilled at that rate answers 429
 * with `retry-after` and `ratelimit-*` past it (every answer carries `ratelimit-*`). `delayMs`:
 * the latency of every answer (the email is accepted before the answer leaves).
 */
export async function startResendStandIn(
  options: {
    delayMs?: number;
    ratePerSecond?: number;
    /**
     * Resend teams by API key: only these keys are valid, each with its own rate limit (Resend
     * limits per team) and domains (`GET /domains`); `sendingOnly`: a sending-access key, whose
     * `GET /domains` is 401 `restricted_api_key`. Absent: any `re_…` key is valid, no domains.
     */
    teams?: Record<string, { domains?: Array<{ name: string; status: string }>; sendingOnly?: boolean }>;
  } = {},
): Promise<ResendStandIn> {
  const requests: RecordedRequest[] = [];
  const byKey = new Map<string, { body: string; status: number; answer: unknown }>();
  const accepted: ResendStandIn['accepted'] = [];
  const failures: Array<{ status: number; name: string; message: string }> = [];
  let limited = 0;
  const rate = options.ratePerSecond;
  const buckets = new Map<string, { tokens: number; refilledAt: number }>();

  /** Takes a token of the key's team; the headers of the answer, and whether the request is over the limit. */
  function meter(apiKey: string): { headers: Record<string, string>; over: boolean } {
    if (!rate) return { headers: {}, over: false };
    const now = Date.now();
    const bucket = buckets.get(apiKey) ?? { tokens: rate, refilledAt: now };
    buckets.set(apiKey, bucket);
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.refilledAt) / 1000) * rate);
    bucket.refilledAt = now;
    const over = bucket.tokens < 1;
    if (!over) bucket.tokens -= 1;
    const tokens = bucket.tokens;
    const untilToken = over ? Math.max(1, Math.ceil((1 - tokens) / rate)) : 1;
    return {
      over,
      headers: {
        'ratelimit-limit': String(rate),
        'ratelimit-remaining': String(Math.floor(tokens)),
        'ratelimit-reset': String(untilToken),
        ...(over && { 'retry-after': String(untilToken) }),
      },
    };
  }

  const acceptOne = (email: any, apiKey: string) => {
    const occurrence = Array.isArray(email.tags)
      ? email.tags.find((t: any) => t?.name === 'occurrence')?.value
      : undefined;
    accepted.push({ occurrence, to: Array.isArray(email.to) ? email.to : [email.to], at: Date.now(), apiKey });
    return { id: randomUUID() };
  };

  const server = createServer((req, res) => {
    // A slow provider: the email is accepted (and counted) before the answer arrives.
    if (options.delayMs) {
      const write = res.end.bind(res);
      res.end = ((...args: Parameters<typeof write>) => {
        setTimeout(() => write(...args), options.delayMs);
        return res;
      }) as typeof res.end;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      };
      requests.push(recorded);

      const apiKey = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      // Resend limits per team: without `teams`, every key is of one team and shares its limit.
      const { headers, over } = meter(options.teams ? apiKey : 'team');
      const answer = (status: number, payload: unknown) => {
        recorded.status = status;
        send(res, status, payload, headers);
      };
      if (over) {
        limited++;
        return answer(
          429,
          error(429, 'rate_limit_exceeded', 'Too many requests. You can only make 5 requests per second.'),
        );
      }
      const failure = failures.shift();
      if (failure) return answer(failure.status, error(failure.status, failure.name, failure.message));
      const batch = req.url === '/emails/batch';
      const domains = req.method === 'GET' && req.url === '/domains';
      if (!domains && (req.method !== 'POST' || (req.url !== '/emails' && !batch)))
        return answer(404, error(404, 'not_found', 'Route not found'));
      const auth = req.headers.authorization;
      if (!auth) return answer(401, error(401, 'missing_api_key', 'Missing API key in the authorization header'));
      if (!/^Bearer re_\S+$/.test(auth) || (options.teams && !options.teams[apiKey]))
        return answer(403, error(403, 'invalid_api_key', 'API key is invalid'));
      if (domains) {
        const team = options.teams?.[apiKey];
        if (team?.sendingOnly)
          return answer(401, error(401, 'restricted_api_key', 'This API key is restricted to only send emails'));
        return answer(200, {
          object: 'list',
          has_more: false,
          data: (team?.domains ?? []).map((d, i) => ({
            id: `d_${i}`,
            name: d.name,
            status: d.status,
            created_at: '2026-01-01T00:00:00.000Z',
            region: 'eu-west-1',
            capabilities: { sending: 'enabled', receiving: 'disabled' },
          })),
        });
      }
      if (body === undefined) return answer(400, error(400, 'invalid_parameter', 'Body must be JSON'));
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = byKey.get(key);
        if (seen && seen.body !== raw)
          return answer(
            409,
            error(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'),
          );
        if (seen) return answer(seen.status, seen.answer);
      }
      let status = 200;
      let result: unknown;
      if (!batch) {
        const invalid = invalidity(body);
        if (invalid) {
          status = 422;
          result = error(422, invalid.startsWith('Missing') ? 'missing_required_field' : 'validation_error', invalid);
        } else result = acceptOne(body, apiKey);
      } else if (!Array.isArray(body) || body.length === 0 || body.length > 100) {
        status = 422;
        result = error(422, 'validation_error', 'A batch takes 1 to 100 emails.');
      } else {
        const invalid = body.map(invalidity);
        const permissive = req.headers['x-batch-validation'] === 'permissive';
        if (!permissive && invalid.some((i) => i !== null)) {
          status = 422;
          result = error(422, 'validation_error', invalid.find((i) => i !== null)!);
        } else {
          const data = body.flatMap((email, i) => (invalid[i] === null ? [acceptOne(email, apiKey)] : []));
          const errors = invalid.flatMap((message, index) => (message === null ? [] : [{ index, message }]));
          result = permissive ? { data, errors } : { data };
        }
      }
      if (typeof key === 'string') byKey.set(key, { body: raw, status, answer: result });
      return answer(status, result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    emailsAccepted: () => accepted.length,
    duplicates() {
      const seen = new Map<string, number>();
      for (const a of accepted) if (a.occurrence) seen.set(a.occurrence, (seen.get(a.occurrence) ?? 0) + 1);
      return [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    },
    rateLimited: () => limited,
    failNext(count, status, name, message) {
      for (let i = 0; i < count; i++) {
        failures.push({
          status,
          name: name ?? DEFAULT_ERROR_NAMES[status] ?? 'application_error',
          message: message ?? `Stand-in failure ${status}`,
        });
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * The headers Resend (through Svix) signs a webhook with: `svix-signature` is
 * `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64-decoded `whsec_` secret.
 * Written from the Standard Webhooks specification, independently of the verifier under test.
 */
export function signWebhook(
  secret: string,
  body: string,
  options: { id?: string; timestamp?: number } = {},
): { 'svix-id': string; 'svix-timestamp': string; 'svix-signature': string } {
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': `v1,${signature}` };
}
