import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../secrets.ts';
import type { Database } from '../../store/database.ts';
import { parseInput } from '../../validation.ts';
import { type Actor, assertKeyAdmin } from '../shared/index.ts';
import {
  accountSenderEmail,
  allSenders,
  deleteSender,
  findSender,
  resealSender,
  type SenderRow,
  saveSender,
} from './sender.repository.ts';
import { type AccountSender, AccountSenderUpdate, type DOMAIN_STATUSES } from './sender.schemas.ts';

type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/** What the provider says of a key (mail/resend.ts asks Resend's `GET /domains` with it). */
export type ProbeResult =
  /** The key works and may list its domains. */
  | { kind: 'domains'; domains: Array<{ name: string; status: string }> }
  /** The key works but may only send (Resend: `restricted_api_key`). */
  | { kind: 'sending_only' }
  /** The provider refuses the key. */
  | { kind: 'refused'; message: string }
  /** No usable answer (network, 5xx, 429): nothing can be concluded now. */
  | { kind: 'unavailable'; message: string };

export type SenderProbe = (apiKey: string) => Promise<ProbeResult>;

/** The path of an account's own provider webhook (its events are verified with its own secret). */
export const providerEventsPath = (accountId: string) => `/v1/provider_events/resend/${accountId}`;

export function presentSender(row: SenderRow, defaultRate: number): AccountSender {
  return {
    object: 'account_sender',
    provider: 'resend',
    api_key_last4: row.api_key_last4,
    domain: row.domain,
    domain_status: row.domain_status as DomainStatus | null,
    webhook_secret_set: row.webhook_secret_ciphertext !== null,
    provider_events_path: providerEventsPath(row.account_id),
    rate_per_second: row.rate_per_second ?? defaultRate,
    checked_at: row.checked_at.toISOString(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const notConfigured = () =>
  new AppError('account_sender/not_found', 404, 'This account has no sender of its own: it sends with the service.');

/**
 * An account's own email provider credential (issue: multi-entity users send "from" their own
 * company). The key is checked with the provider before it is stored, stored encrypted
 * (secrets.ts), and never returned: only its last 4 characters. Only an admin key manages it.
 */
export function createSenderService(deps: {
  database: Database;
  clock: Clock;
  secrets: SecretBox;
  probe: SenderProbe;
  /** The service's own Resend rate (RESEND_RATE_LIMIT): the default pace of an account's key. */
  defaultRate: number;
}) {
  const { database, clock, secrets, probe, defaultRate } = deps;
  return {
    async get(actor: Actor): Promise<AccountSender> {
      const row = await database.withAccount(actor.accountId, (trx) => findSender(trx, actor.accountId));
      if (!row) throw notConfigured();
      return presentSender(row, defaultRate);
    },

    async set(actor: Actor, input: unknown): Promise<AccountSender> {
      assertKeyAdmin(actor);
      const data = parseInput<AccountSenderUpdate>(AccountSenderUpdate, input);
      if (!secrets.enabled)
        throw new AppError(
          'account_sender/secrets_key_missing',
          409,
          'This Relance has no RELANCE_SECRETS_KEY, so it cannot store an API key; its operator must set one.',
        );
      const account = await database.withAccount(actor.accountId, (trx) => accountSenderEmail(trx, actor.accountId));
      const domain = data.domain ?? account.sender_email?.split('@')[1]?.toLowerCase() ?? null;
      // Asked with no transaction open: the provider may take its time.
      const answer = await probe(data.api_key);
      if (answer.kind === 'refused')
        throw new AppError('account_sender/invalid_api_key', 422, `Resend refused the API key: ${answer.message}`, {
          errors: [{ field: '/api_key', message: 'is refused by Resend' }],
        });
      if (answer.kind === 'unavailable')
        throw new AppError(
          'account_sender/provider_unavailable',
          503,
          `Resend could not be asked to check the key (${answer.message}); nothing was stored. Try again.`,
          { headers: { 'retry-after': '30' } },
        );
      let domainStatus: DomainStatus | null = domain ? 'unchecked' : null;
      if (answer.kind === 'domains' && domain) {
        const found = answer.domains.find((d) => d.name.toLowerCase() === domain);
        if (!found)
          throw new AppError(
            'account_sender/domain_unknown',
            422,
            `The Resend account of this key has no domain '${domain}'${data.domain ? '' : " (the domain of the account's sender_email)"}: add and verify it at Resend first.`,
            { errors: [{ field: data.domain ? '/domain' : '/api_key', message: `has no domain '${domain}'` }] },
          );
        if (found.status !== 'verified')
          throw new AppError(
            'account_sender/domain_not_verified',
            422,
            `The domain '${domain}' is '${found.status}' at Resend: emails from it would be refused until it is verified.`,
            { errors: [{ field: data.domain ? '/domain' : '/api_key', message: `is ${found.status} at Resend` }] },
          );
        domainStatus = 'verified';
      }
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        const existing = await findSender(trx, actor.accountId);
        const row = await saveSender(trx, {
          account_id: actor.accountId,
          provider: 'resend',
          api_key_ciphertext: secrets.seal(data.api_key),
          api_key_last4: data.api_key.slice(-4),
          // Absent keeps the stored secret; null removes it.
          webhook_secret_ciphertext:
            data.webhook_secret === undefined
              ? (existing?.webhook_secret_ciphertext ?? null)
              : data.webhook_secret && secrets.seal(data.webhook_secret),
          domain,
          domain_status: domainStatus,
          rate_per_second: data.rate_per_second ?? existing?.rate_per_second ?? null,
          checked_at: now,
          created_at: existing?.created_at ?? now,
          updated_at: now,
        });
        return presentSender(row, defaultRate);
      });
    },

    /** The signing secret of an account's own Resend webhook, or undefined (none stored, or no such account). */
    async webhookSecretOf(accountId: string): Promise<string | undefined> {
      const row = await database.withSystem((trx) => findSender(trx, accountId));
      return row?.webhook_secret_ciphertext ? secrets.open(row.webhook_secret_ciphertext) : undefined;
    },

    async remove(actor: Actor): Promise<{ object: 'account_sender'; deleted: true }> {
      assertKeyAdmin(actor);
      const deleted = await database.withAccount(actor.accountId, (trx) => deleteSender(trx, actor.accountId));
      if (!deleted) throw notConfigured();
      return { object: 'account_sender', deleted: true };
    },

    /**
     * Re-encrypts every stored secret under the current RELANCE_SECRETS_KEY (after a rotation).
     * Operator-level (the CLI). Counts what was re-sealed and what already was current.
     */
    async rotate(): Promise<{ resealed: number; current: number }> {
      return database.withSystem(async (trx) => {
        let resealed = 0;
        let current = 0;
        for (const row of await allSenders(trx)) {
          const values = [row.api_key_ciphertext, row.webhook_secret_ciphertext].filter((v): v is string => v !== null);
          if (values.every((v) => secrets.isCurrent(v))) {
            current++;
            continue;
          }
          await resealSender(trx, row.account_id, {
            api_key_ciphertext: secrets.seal(secrets.open(row.api_key_ciphertext)),
            webhook_secret_ciphertext:
              row.webhook_secret_ciphertext && secrets.seal(secrets.open(row.webhook_secret_ciphertext)),
          });
          resealed++;
        }
        return { resealed, current };
      });
    },
  };
}

export type SenderService = ReturnType<typeof createSenderService>;

/** An account's credential opened for sending (system role: the workers work across accounts). */
export interface OpenedSender {
  stamp: Date;
  apiKey: string;
  ratePerSecond: number;
  webhookSecret: string | null;
}

/**
 * Reads an account's credential and opens it, or undefined when it has none. `stamp` changes
 * whenever the credential does, so a caller may keep what it built from it until then.
 */
export async function openSender(
  database: Database,
  secrets: SecretBox,
  accountId: string,
  defaultRate: number,
): Promise<OpenedSender | undefined> {
  const row = await database.withSystem((trx) => findSender(trx, accountId));
  if (!row) return undefined;
  return {
    stamp: row.updated_at,
    apiKey: secrets.open(row.api_key_ciphertext),
    ratePerSecond: row.rate_per_second ?? defaultRate,
    webhookSecret: row.webhook_secret_ciphertext && secrets.open(row.webhook_secret_ciphertext),
  };
}
