import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json),
 * as the official SDK meets it: HTTP basic auth with the account SID and auth token, form bodies,
 * `201` with the message resource, Twilio's error body (`code`, `message`, `more_info`,
 * `status`) for 400 (21211 not a valid number, 21610 unsubscribed recipient), 401 (20003) and 429
 * (20429, over `ratePerSecond`), a latency per call, and the two failures a network gives: a
 * connection cut after the message was taken (the caller cannot know it was), and none at all.
 *
 * It signs delivery reports and inbound texts as Twilio does (`X-Twilio-Signature`: base64
 * HMAC-SHA1, keyed with the auth token, of the URL followed by each parameter's name and value in
 * name order), written here from Twilio's description rather than with the SDK, so the service's
 * check is tested against an independent signer.
 */
export interface TwilioStandIn {
  /** Give it as TWILIO_BASE_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every text taken (a `201`, or a connection cut after taking it), in order. */
  accepted: Array<{ sid: string; to: string; from: string; body: string; statusCallback: string | null; at: number }>;
  /** Every request received, with the status it was answered (0: the connection was cut). */
  requests: Array<{ to: string; status: number; at: number }>;
  /** Numbers that answered STOP: a text to them is refused with 21610. */
  optedOut: Set<string>;
  /** Answers the next `count` requests with `status` and Twilio's `code`. */
  failNext(count: number, status: number, code: number, message?: string): void;
  /** Takes the next `count` texts, then cuts the connection before answering. */
  cutAfterTakingNext(count: number): void;
  /** Takes the next `count` texts and answers each only `ms` later (a kill can land in between). */
  answerLateNext(count: number, ms: number): void;
  /** A form posted by Twilio to `url`, with its signature. */
  signed(url: string, form: Record<string, string>): { payload: string; headers: Record<string, string> };
  /** The signed delivery report of a text Twilio took. */
  report(
    sid: string,
    status: string,
    errorCode?: number,
  ): { url: string; payload: string; headers: Record<string, string> };
  close(): Promise<void>;
}

/** Twilio's request signature (twilio.com/docs/usage/security#validating-requests). */
export function twilioSignature(authToken: string, url: string, form: Record<string, string>): string {
  const data = Object.keys(form)
    .sort()
    .reduce((acc, key) => acc + key + form[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const E164 = /^\+[1-9]\d{6,14}$/;

export async function startTwilioStandIn(
  options: { ratePerSecond?: number; latencyMs?: number } = {},
): Promise<TwilioStandIn> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const ratePerSecond = options.ratePerSecond ?? 100;
  const latencyMs = options.latencyMs ?? 20;
  const accepted: TwilioStandIn['accepted'] = [];
  const requests: TwilioStandIn['requests'] = [];
  const optedOut = new Set<string>();
  const failures: Array<{ status: number; code: number; message: string }> = [];
  let cuts = 0;
  const lateAnswers: number[] = [];
  const recent: number[] = [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string) =>
    answer(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    await new Promise((r) => setTimeout(r, latencyMs));
    const at = Date.now();
    const to = form.To ?? '';
    const record = (status: number) => requests.push({ to, status, at });
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      record(404);
      return error(res, 404, 20404, 'The requested resource was not found');
    }
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      record(401);
      return error(res, 401, 20003, 'Authenticate');
    }
    while (recent.length > 0 && (recent[0] ?? 0) <= at - 1000) recent.shift();
    if (recent.length >= ratePerSecond) {
      record(429);
      return error(res, 429, 20429, 'Too Many Requests');
    }
    recent.push(at);
    const failure = failures.shift();
    if (failure) {
      record(failure.status);
      return error(res, failure.status, failure.code, failure.message);
    }
    if (!E164.test(to)) {
      record(400);
      return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (optedOut.has(to)) {
      record(400);
      return error(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    accepted.push({
      sid,
      to,
      from: form.From ?? '',
      body: form.Body ?? '',
      statusCallback: form.StatusCallback ?? null,
      at,
    });
    if (cuts > 0) {
      cuts--;
      record(0);
      req.socket.destroy();
      return;
    }
    const late = lateAnswers.shift();
    if (late) await new Promise((r) => setTimeout(r, late));
    record(201);
    answer(res, 201, {
      sid,
      account_sid: accountSid,
      to,
      from: form.From,
      body: form.Body,
      status: 'queued',
      direction: 'outbound-api',
      num_segments: '1',
      error_code: null,
      error_message: null,
      date_created: new Date(at).toUTCString(),
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const signed = (url: string, form: Record<string, string>) => ({
    payload: new URLSearchParams(form).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, form),
    },
  });

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    accepted,
    requests,
    optedOut,
    failNext(count, status, code, message = `error ${code}`) {
      for (let i = 0; i < count; i++) failures.push({ status, code, message });
    },
    cutAfterTakingNext(count) {
      cuts += count;
    },
    answerLateNext(count, ms) {
      for (let i = 0; i < count; i++) lateAnswers.push(ms);
    },
    signed,
    report(sid, status, errorCode) {
      const text = accepted.find((a) => a.sid === sid);
      if (!text?.statusCallback) throw new Error(`no status callback for ${sid}`);
      const form: Record<string, string> = {
        AccountSid: accountSid,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        To: text.to,
        From: text.from,
        ApiVersion: '2010-04-01',
        ...(errorCode !== undefined && { ErrorCode: String(errorCode) }),
      };
      return { url: text.statusCallback, ...signed(text.statusCallback, form) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
