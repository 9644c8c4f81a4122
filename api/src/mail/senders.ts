import { Resend } from 'resend';
import type { Config } from '../config.ts';
import { type OpenedSender, openSender, type ProbeResult, senderStamp } from '../domain/senders/index.ts';
import { createSecretBox, type SecretBox } from '../secrets.ts';
import type { Database } from '../store/database.ts';
import { createRateBudget } from './rate-budget.ts';
import { createResendTransport } from './resend.ts';
import { credentialOf, type EmailTransport } from './transport.ts';

/** What the services need to let accounts bring their own Resend key (domain/senders). */
export interface SenderDeps {
  secrets: SecretBox;
  /** Asks Resend about a key before it is stored. */
  probe: (apiKey: string) => Promise<ProbeResult>;
  /** RESEND_RATE_LIMIT: the pace of an account's key unless it says otherwise. */
  defaultRate: number;
  /** The transport for an account's opened credential (paced by its own budget row). */
  transportOf: (sender: OpenedSender) => EmailTransport;
}

/**
 * Asks Resend what it makes of a key, through the SDK's `domains.list` (`GET /domains`): its
 * domains and their state; `restricted_api_key` means a sending-access key (it can send, not
 * list); `invalid_api_key` / `missing_api_key` a refused one (resend SDK's error codes).
 */
export function resendProbe(baseUrl: string | undefined): (apiKey: string) => Promise<ProbeResult> {
  return async (apiKey) => {
    const resend = new Resend(apiKey, baseUrl ? { baseUrl: baseUrl.replace(/\/$/, '') } : undefined);
    let answer: Awaited<ReturnType<typeof resend.domains.list>>;
    try {
      answer = await resend.domains.list();
    } catch (error) {
      return { kind: 'unavailable', message: error instanceof Error ? error.message : String(error) };
    }
    if (answer.error) {
      const { name, message } = answer.error;
      if (name === 'restricted_api_key') return { kind: 'sending_only' };
      if (name === 'invalid_api_key' || name === 'missing_api_key' || name === 'invalid_access')
        return { kind: 'refused', message };
      return { kind: 'unavailable', message: `${name}: ${message}` };
    }
    return { kind: 'domains', domains: answer.data?.data.map((d) => ({ name: d.name, status: d.status })) ?? [] };
  };
}

/** Accounts' own senders as this process's configuration allows them. */
export function sendersFromConfig(
  config: Pick<Config, 'secretsKey' | 'secretsKeysPrevious' | 'resendBaseUrl' | 'resendRatePerSecond'>,
  database: Database,
  wrap: (transport: EmailTransport) => EmailTransport = (t) => t,
): SenderDeps {
  return {
    secrets: createSecretBox(config.secretsKey, config.secretsKeysPrevious),
    probe: resendProbe(config.resendBaseUrl),
    defaultRate: config.resendRatePerSecond,
    transportOf: (sender) =>
      wrap(
        createResendTransport({
          apiKey: sender.apiKey,
          baseUrl: config.resendBaseUrl,
          budget: createRateBudget(database, {
            credential: credentialOf('resend', sender.apiKey),
            ratePerSecond: sender.ratePerSecond,
          }),
        }),
      ),
  };
}

/**
 * An account's own transport, or null (it sends with the service's). One cheap indexed read per
 * call (the credential's `updated_at`); the credential is opened and its transport built again
 * only when that changes, so a new key takes effect at the next batch in every process.
 */
export function createSenderDirectory(
  database: Database,
  deps: SenderDeps,
): (accountId: string) => Promise<EmailTransport | null> {
  const built = new Map<string, { stamp: number; transport: EmailTransport }>();
  return async (accountId) => {
    const stamp = await database.withSystem((trx) => senderStamp(trx, accountId));
    if (!stamp) {
      built.delete(accountId);
      return null;
    }
    const cached = built.get(accountId);
    if (cached?.stamp === stamp.getTime()) return cached.transport;
    const opened = await openSender(database, deps.secrets, accountId, deps.defaultRate);
    if (!opened) return null;
    const transport = deps.transportOf(opened);
    built.set(accountId, { stamp: opened.stamp.getTime(), transport });
    return transport;
  };
}
