import type twilioSdk from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../config.ts';
import { TransportError } from '../mail/transport.ts';

/** One text message as it leaves Relance: the stored body of a message. */
export interface OutgoingSms {
  /** Relance's message id (the outbox names the text after it). */
  messageId: string;
  /** The sender: a number in E.164 or an alphanumeric sender id (up to 11 characters). */
  from: string;
  /** The customer's mobile number, E.164. */
  to: string;
  body: string;
}

export interface SmsTransport {
  readonly name: 'outbox' | 'twilio';
  /** Nothing leaves the process (the outbox). */
  readonly local: boolean;
  /**
   * Hands one text to the provider. SMS providers take no idempotency key: a call made twice may
   * send twice, so the caller never makes one again when its outcome is unknown.
   * @throws TransportError a refusal, a "not now" (429), or no answer (`outcomeUnknown`).
   */
  send(sms: OutgoingSms): Promise<{ providerMessageId: string }>;
}

/**
 * The transport when no provider is configured: the message is stored and listed by `GET
 * /v1/messages`, nothing leaves. Deterministic, as the email outbox: the id names the message.
 */
export function createSmsOutbox(): SmsTransport {
  return {
    name: 'outbox',
    local: true,
    async send(sms) {
      return { providerMessageId: `outbox_${sms.messageId}` };
    },
  };
}

/**
 * Twilio's error codes that say something of the recipient rather than of the request
 * (twilio.com/docs/api/errors): 21610, the number answered STOP to this sender; 21211, not a
 * valid number; 21614, not a mobile number.
 */
export const TWILIO_OPTED_OUT = 21610;

type TwilioSdk = typeof twilioSdk;

/**
 * The SDK, loaded on the first text sent: it is large (about 7 MiB of heap), and a process that
 * sends no text (any API process, a worker without Twilio) never needs it.
 */
const loadTwilio = async (): Promise<TwilioSdk> => (await import('twilio')).default as TwilioSdk;

/** The SDK's HTTP client, pointed at `baseUrl` instead of api.twilio.com (a local stand-in in tests). */
function redirectingClient(twilio: TwilioSdk, baseUrl: string, timeoutMs: number) {
  const base = baseUrl.replace(/\/+$/, '');
  return new (class extends twilio.RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, base) });
    }
  })({ timeout: timeoutMs, keepAlive: true });
}

/** Codes of a network error that prove the request never reached the provider. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Twilio through its official SDK (`twilio`): `messages.create` with the status callback URL,
 * so delivery reports come back signed (see sms/callbacks.ts). `baseUrl` replaces
 * https://api.twilio.com (a stand-in in tests). The SDK's own retry of 429 answers is off: the
 * ledger decides when to try again.
 */
export function createTwilioTransport(options: {
  accountSid: string;
  authToken: string;
  baseUrl?: string | undefined;
  /** Where Twilio posts delivery reports, or null for none. */
  statusCallbackUrl: string | null;
  /** How long to wait for Twilio's answer; past it, the outcome is unknown. */
  timeoutMs?: number;
}): SmsTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connect = async () => {
    const twilio = await loadTwilio();
    const client = twilio(options.accountSid, options.authToken, {
      autoRetry: false,
      timeout: timeoutMs,
      ...(options.baseUrl && { httpClient: redirectingClient(twilio, options.baseUrl, timeoutMs) }),
    });
    return { twilio, client };
  };
  let connected: ReturnType<typeof connect> | undefined;
  return {
    name: 'twilio',
    local: false,
    async send(sms) {
      connected ??= connect();
      const { twilio, client } = await connected;
      try {
        const message = await client.messages.create({
          to: sms.to,
          from: sms.from,
          body: sms.body,
          ...(options.statusCallbackUrl && { statusCallback: options.statusCallbackUrl }),
        });
        return { providerMessageId: message.sid };
      } catch (error) {
        throw twilioError(twilio, error);
      }
    },
  };
}

/** A Twilio SDK failure as the ledger settles it. */
function twilioError(twilio: TwilioSdk, error: unknown): TransportError {
  if (error instanceof twilio.RestException) {
    const status = error.status;
    return new TransportError(`Twilio ${error.code ?? status}: ${error.message}`, {
      retryable: status === 429 || status >= 500,
      statusCode: status,
      providerCode: error.code === undefined ? null : String(error.code),
    });
  }
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  // Refused before anything was written: certainly not sent, so it may be tried again. Anything
  // else (a timeout, a connection cut during the call) leaves the outcome unknown.
  if (code && NOT_SENT.has(code))
    return new TransportError(`Twilio unreachable: ${message}`, {
      retryable: true,
      providerCode: code,
      notTaken: true,
    });
  return new TransportError(`Twilio gave no answer: ${message}`, { retryable: true, statusCode: null });
}

/** Twilio when its credentials are set (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN); otherwise the outbox. */
export function createSmsTransport(
  config: Pick<Config, 'twilioAccountSid' | 'twilioAuthToken' | 'twilioBaseUrl' | 'publicUrl'>,
): SmsTransport {
  if (config.twilioAccountSid && config.twilioAuthToken)
    return createTwilioTransport({
      accountSid: config.twilioAccountSid,
      authToken: config.twilioAuthToken,
      baseUrl: config.twilioBaseUrl,
      statusCallbackUrl: `${config.publicUrl.replace(/\/+$/, '')}/v1${SMS_STATUS_PATH}`,
    });
  return createSmsOutbox();
}

/** Where Twilio posts delivery reports and, once set on the sender number, replies (under /v1; see http/routes/v1/sms.routes.ts). */
export const SMS_STATUS_PATH = '/provider_events/twilio';
export const SMS_INBOUND_PATH = '/provider_events/twilio/inbound';
