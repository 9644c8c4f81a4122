import { parseSecretsKey } from './secrets.ts';
import { isIP } from 'node:net';
import path from 'node:path';

export interface Config {
  /** `development` shows GraphiQL and pretty errors; `production` hides them. */
  readonly env: 'development' | 'production' | 'test';
  /** Postgres to use; absent means an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** Where pg-boss keeps its job tables; the domain's database when absent. */
  readonly queueDatabaseUrl: string | undefined;
  /** Port of the `GET /metrics` server (Prometheus); absent: no metrics server. */
  readonly metricsPort: number | undefined;
  /** Address the metrics server listens on; `HOST` by default. */
  readonly metricsHost: string;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  /** EMBEDDED_POSTGRES_PORT was given: a taken port is then an error, not a reason to pick another. */
  readonly embeddedPostgresPortSet: boolean;
  readonly host: string;
  readonly port: number;
  /** Base URL printed at start and used in links; defaults to http://host:port. */
  readonly publicUrl: string;
  readonly logLevel: string;
  /** Requests per minute per API key. */
  readonly rateLimitPerMinute: number;
  /** Customer-page visits a minute per address (each link: twice that), in one API process. */
  readonly portalRateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
  readonly graphqlMaxDepth: number;
  readonly graphqlMaxCost: number;
  /** `__schema` / `__type` queries answered; off in production unless GRAPHQL_INTROSPECTION=true. */
  readonly graphqlIntrospection: boolean;
  /** "Did you mean …?" in GraphQL errors (they reveal field names); off in production by default. */
  readonly graphqlSuggestions: boolean;
  /**
   * Which proxies' X-Forwarded-For to believe, so rate limits and the bad-key lockout see the
   * client's address (Fastify's `trustProxy`): false, true (any), a hop count, or addresses/CIDRs.
   */
  readonly trustProxy: boolean | number | string;
  /** Resend API key: with it, reminders are emailed through Resend; without it, kept in the local outbox. */
  readonly resendApiKey: string | undefined;
  /** Resend API base URL (a local stand-in in tests). */
  readonly resendBaseUrl: string | undefined;
  /** Requests per second to Resend, shared by every process using the key (Resend's documented default: 5). */
  readonly resendRatePerSecond: number;
  /** Signing secret of the Resend webhook (`whsec_…`), to verify delivery and bounce events. */
  readonly resendWebhookSecret: string | undefined;
  /** Twilio account SID and auth token: with both, text messages go through Twilio; without, to the local outbox. */
  readonly twilioAccountSid: string | undefined;
  readonly twilioAuthToken: string | undefined;
  /** Twilio API base URL in place of https://api.twilio.com (a local stand-in in tests). */
  readonly twilioBaseUrl: string | undefined;
  /** The sender of text messages for accounts that set none (`sms_sender`): a number in E.164 or an alphanumeric id. */
  readonly smsSender: string | undefined;
  /** Encrypts secrets at rest (accounts' own provider keys): `RELANCE_SECRETS_KEY`, 32 bytes. */
  readonly secretsKey: Buffer | undefined;
  /** Keys that still open older secrets during a rotation: `RELANCE_SECRETS_KEY_PREVIOUS`, comma-separated. */
  readonly secretsKeysPrevious: readonly Buffer[];
  /**
   * First back-off of a reminder whose provider call failed or whose outcome is unknown, doubling
   * with each attempt up to 15 minutes; a claimed call is leased for as long, after which another
   * worker takes over the reminder of a worker that died mid-send (REMINDER_RETRY_SECONDS).
   */
  readonly reminderRetrySeconds: number;
  /** Days events are kept (listable, resendable) before the workers purge them; 30 at least. */
  readonly eventRetentionDays: number;
  /** Months a message's words are kept; older ones keep their facts only (MESSAGE_RETENTION_MONTHS, default 24). */
  readonly messageRetentionMonths: number;
  /**
   * Days the reminders of a closed invoice are kept after the last was settled
   * (REMINDER_RETENTION_DAYS: `off`, the default, or 30 at least); null keeps them for ever.
   */
  readonly reminderRetentionDays: number | null;
  /**
   * Webhook endpoints may point at loopback, private and link-local addresses, and at plain
   * http in live mode (WEBHOOKS_ALLOW_PRIVATE_TARGETS=true): for local development and tests only.
   */
  readonly webhooksAllowPrivateTargets: boolean;
  /** A `worker` process answers GET /health on this port (the container's health check); none when unset. */
  readonly workerHealthPort: number | undefined;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

function decimal(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a number between ${min} and ${max}, got '${raw}'`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return integer(env, 'TRUST_PROXY', 0, 1, 20);
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address ?? '') === 4 ? 32 : 128));
    if (!PROXY_NAMES.has(entry) && (extra !== undefined || !isIP(address ?? '') || !validPrefix)) {
      throw new ConfigError(
        `TRUST_PROXY must be true, false, a hop count, or addresses/CIDRs separated by commas, got '${entry}'`,
      );
    }
  }
  return entries.join(',');
}

function secretsKeys(env: NodeJS.ProcessEnv): Pick<Config, 'secretsKey' | 'secretsKeysPrevious'> {
  try {
    return {
      secretsKey: env.RELANCE_SECRETS_KEY ? parseSecretsKey(env.RELANCE_SECRETS_KEY, 'RELANCE_SECRETS_KEY') : undefined,
      secretsKeysPrevious: (env.RELANCE_SECRETS_KEY_PREVIOUS ?? '')
        .split(',')
        .filter((k) => k.trim() !== '')
        .map((k) => parseSecretsKey(k, 'each key of RELANCE_SECRETS_KEY_PREVIOUS')),
    };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** Reads and validates the environment once, at start; the result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const envName = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const queueDatabaseUrl = env.QUEUE_DATABASE_URL || undefined;
  if (queueDatabaseUrl && !/^postgres(ql)?:\/\//.test(queueDatabaseUrl)) {
    throw new ConfigError('QUEUE_DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  return Object.freeze({
    env: envName,
    databaseUrl,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    queueDatabaseUrl,
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 0, 65535) : undefined,
    metricsHost: env.METRICS_HOST || host,
    metricsToken: env.METRICS_TOKEN || undefined,
    dataDir: path.resolve(env.RELANCE_DATA_DIR || '.relance'),
    embeddedPostgresPort: integer(env, 'EMBEDDED_POSTGRES_PORT', 54329, 1, 65535),
    embeddedPostgresPortSet: Boolean(env.EMBEDDED_POSTGRES_PORT),
    host,
    port,
    publicUrl: (env.PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL || (envName === 'test' ? 'silent' : 'info'),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    portalRateLimitPerMinute: integer(env, 'PORTAL_RATE_LIMIT_PER_MINUTE', 60, 1, 10_000_000),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    graphqlMaxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 8, 2, 50),
    graphqlMaxCost: integer(env, 'GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
    graphqlIntrospection: env.GRAPHQL_INTROSPECTION ? flag(env, 'GRAPHQL_INTROSPECTION') : envName !== 'production',
    graphqlSuggestions: env.GRAPHQL_SUGGESTIONS ? flag(env, 'GRAPHQL_SUGGESTIONS') : envName !== 'production',
    trustProxy: trustProxy(env),
    resendApiKey: env.RESEND_API_KEY || undefined,
    resendBaseUrl: env.RESEND_BASE_URL || undefined,
    resendRatePerSecond: decimal(env, 'RESEND_RATE_LIMIT', 5, 0.1, 1000),
    resendWebhookSecret: env.RESEND_WEBHOOK_SECRET || undefined,
    twilioAccountSid: env.TWILIO_ACCOUNT_SID || undefined,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN || undefined,
    twilioBaseUrl: env.TWILIO_BASE_URL || undefined,
    smsSender: env.SMS_SENDER || undefined,
    reminderRetrySeconds: integer(env, 'REMINDER_RETRY_SECONDS', 30, 5, 900),
    ...secretsKeys(env),
    eventRetentionDays: integer(env, 'EVENT_RETENTION_DAYS', 30, 30, 36_500),
    messageRetentionMonths: integer(env, 'MESSAGE_RETENTION_MONTHS', 24, 1, 1200),
    reminderRetentionDays: ['', 'off'].includes((env.REMINDER_RETENTION_DAYS ?? '').trim().toLowerCase())
      ? null
      : integer(env, 'REMINDER_RETENTION_DAYS', 0, 30, 36_500),
    webhooksAllowPrivateTargets: flag(env, 'WEBHOOKS_ALLOW_PRIVATE_TARGETS'),
    workerHealthPort: env.WORKER_HEALTH_PORT ? integer(env, 'WORKER_HEALTH_PORT', 0, 1, 65535) : undefined,
  });
}
