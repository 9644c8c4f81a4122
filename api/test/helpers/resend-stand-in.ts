import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` if it was not JSON). */
  body: any;
}

export interface ResendStandIn {
  /** Give it to the SDK as `baseUrl` (or RESEND_BASE_URL). */
  url: string;
  /** Every request received, in order, including refused ones. */
  requests: RecordedRequest[];
  /** Distinct emails accepted (a repeated idempotency key is the same email). */
  emailsAccepted(): number;
  /** Answers the next `count` requests with `status` and a Resend-style error body. */
  failNext(count: number, status: number, name?: string, message?: string): void;
  close(): Promise<void>;
}

const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
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

/**
 * A local server answering like Resend's `POST /emails`: it checks `Authorization: Bearer re_…`,
 * requires from/to/subject, and keeps `Idempotency-Key`s as Resend does (a repeat with the same
 * body returns the first id; with another body, 409 `invalid_idempotent_request`).
 */
export async function startResendStandIn(options: { delayMs?: number } = {}): Promise<ResendStandIn> {
  const requests: RecordedRequest[] = [];
  const byKey = new Map<string, { body: string; id: string }>();
  const failures: Array<{ status: number; name: string; message: string }> = [];

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
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });

      const failure = failures.shift();
      if (failure) return send(res, failure.status, error(failure.status, failure.name, failure.message));
      if (req.method !== 'POST' || req.url !== '/emails') return send(res, 404, error(404, 'not_found', 'Route not found'));
      const auth = req.headers.authorization;
      if (!auth) return send(res, 401, error(401, 'missing_api_key', 'Missing API key in the authorization header'));
      if (!/^Bearer re_\S+$/.test(auth)) return send(res, 403, error(403, 'invalid_api_key', 'API key is invalid'));
      if (body === undefined) return send(res, 400, error(400, 'invalid_parameter', 'Body must be JSON'));
      for (const field of ['from', 'to', 'subject']) {
        if (!body[field]) return send(res, 422, error(422, 'missing_required_field', `Missing \`${field}\` field.`));
      }
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = byKey.get(key);
        if (seen && seen.body !== raw) {
          return send(res, 409, error(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'));
        }
        if (seen) return send(res, 200, { id: seen.id });
        const id = randomUUID();
        byKey.set(key, { body: raw, id });
        return send(res, 200, { id });
      }
      return send(res, 200, { id: randomUUID() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    emailsAccepted: () => byKey.size,
    failNext(count, status, name, message) {
      for (let i = 0; i < count; i++) {
        failures.push({ status, name: name ?? DEFAULT_ERROR_NAMES[status] ?? 'application_error', message: message ?? `Stand-in failure ${status}` });
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
