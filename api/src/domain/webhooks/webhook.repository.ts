import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { WebhookAttempts, WebhookDeliveries, WebhookEndpoints } from '../../store/db-types.ts';
import { keysetPage, type PageRequest } from '../shared/index.ts';
import type {
  DeliveryStatus,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
} from './webhook.schemas.ts';

export type EndpointRow = Selectable<WebhookEndpoints>;
export type DeliveryRow = Selectable<WebhookDeliveries>;
export type AttemptRow = Selectable<WebhookAttempts>;

/** The endpoint as the API shows it; the secret only when asked (creation and rotation). */
export const presentEndpoint = (row: EndpointRow, options: { withSecret?: boolean } = {}): WebhookEndpoint => ({
  id: row.id,
  object: 'webhook_endpoint',
  url: row.url,
  description: row.description,
  enabled_events: row.enabled_events,
  enabled: row.enabled,
  disabled_reason: row.disabled_reason,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
  ...(options.withSecret && { secret: row.secret }),
});

export const presentAttempt = (row: AttemptRow): WebhookAttempt => ({
  id: row.id,
  object: 'webhook_attempt',
  delivery_id: row.delivery_id,
  endpoint_id: row.endpoint_id,
  event_id: row.event_id,
  attempted_at: row.attempted_at.toISOString(),
  status_code: row.status_code,
  duration_ms: row.duration_ms,
  response_excerpt: row.response_excerpt,
  error: row.error,
  succeeded: row.succeeded,
  next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
});

export const presentDelivery = (row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery => ({
  id: row.id,
  object: 'webhook_delivery',
  endpoint_id: row.endpoint_id,
  event_id: row.event_id,
  event_type: row.event_type,
  status: row.status as DeliveryStatus,
  attempt_count: row.attempt_count,
  next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
  last_attempt_at: row.last_attempt_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
  attempts: attempts.map(presentAttempt),
});

export const findEndpoint = (trx: Db, id: string, options: { forUpdate?: boolean } = {}) => {
  const q = trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id);
  return (options.forUpdate ? q.forUpdate() : q).executeTakeFirst();
};

/** Deliveries with their attempts (oldest first), in two queries. */
export async function withAttempts(trx: Db, rows: DeliveryRow[]): Promise<WebhookDelivery[]> {
  if (rows.length === 0) return [];
  const attempts = await trx
    .selectFrom('webhook_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  const byDelivery = Map.groupBy(attempts, (a) => a.delivery_id);
  return rows.map((row) => presentDelivery(row, byDelivery.get(row.id) ?? []));
}

/** One page of deliveries, newest first, filtered. */
export function listDeliveries(trx: Db, query: WebhookDeliveryListQuery) {
  let q = keysetPage(trx.selectFrom('webhook_deliveries').selectAll(), query);
  if (query.endpoint_id) q = q.where('endpoint_id', '=', query.endpoint_id);
  if (query.event_id) q = q.where('event_id', '=', query.event_id);
  if (query.status) q = q.where('status', '=', query.status);
  return q.execute();
}

/** Stops an endpoint's pending deliveries (the endpoint was disabled): they become `failed`. */
export async function failPendingDeliveries(trx: Db, endpointId: string, now: Date): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', next_attempt_at: null, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute();
}

export const findDelivery = (trx: Db, id: string) =>
  trx.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();

export const insertDelivery = (trx: Db, values: Insertable<WebhookDeliveries>) =>
  trx.insertInto('webhook_deliveries').values(values).returningAll().executeTakeFirstOrThrow();

export const insertEndpoint = (trx: Db, values: Insertable<WebhookEndpoints>) =>
  trx.insertInto('webhook_endpoints').values(values).returningAll().executeTakeFirstOrThrow();

/** One page of the account's endpoints, newest first. */
export const listWebhookEndpoints = (trx: Db, query: PageRequest) =>
  keysetPage(trx.selectFrom('webhook_endpoints').selectAll(), query).execute();

export const updateEndpoint = (trx: Db, id: string, set: Updateable<WebhookEndpoints>) =>
  trx.updateTable('webhook_endpoints').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

/** Deletes an endpoint (its deliveries and their attempts go with it); undefined if there was none. */
export const deleteEndpoint = (trx: Db, id: string) =>
  trx.deleteFrom('webhook_endpoints').where('id', '=', id).returning('id').executeTakeFirst();

/** One page of the attempts to an endpoint, newest first. */
export const listAttemptsOfEndpoint = (trx: Db, endpointId: string, query: PageRequest) =>
  keysetPage(trx.selectFrom('webhook_attempts').selectAll().where('endpoint_id', '=', endpointId), query).execute();

/** Disables an endpoint still enabled; undefined if it already was. */
export const disableEnabledEndpoint = (trx: Db, id: string, reason: string, now: Date) =>
  trx
    .updateTable('webhook_endpoints')
    .set({ enabled: false, disabled_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('enabled', '=', true)
    .returningAll()
    .executeTakeFirst();

/** The enabled endpoints of these accounts, with the events they subscribe to. */
export const enabledEndpointsOf = (trx: Db, accountIds: readonly string[]) =>
  trx
    .selectFrom('webhook_endpoints')
    .select(['account_id', 'id', 'enabled_events'])
    .where('account_id', 'in', accountIds)
    .where('enabled', '=', true)
    .execute();

export async function insertDeliveries(trx: Db, values: Insertable<WebhookDeliveries>[]): Promise<void> {
  await trx.insertInto('webhook_deliveries').values(values).execute();
}

/**
 * Takes the pending deliveries due to be queued (up to `limit` of each kind): retries whose time
 * has come, those claimed by a worker whose lease ran out, and those queued before
 * `strandedBefore` and never claimed. Their schedule and lease are cleared; skips rows another
 * transaction holds.
 */
export async function takeDueDeliveries(trx: Db, now: Date, strandedBefore: Date, limit: number) {
  return (
    await sql<{ account_id: string; id: string }>`
          WITH retries AS (
            SELECT account_id, id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ${now}
             ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ), abandoned AS (
            SELECT account_id, id FROM webhook_deliveries
             WHERE status = 'pending' AND claimed_until IS NOT NULL AND claimed_until <= ${now}
             ORDER BY claimed_until LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ), stranded AS (
            SELECT account_id, id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at IS NULL AND claimed_until IS NULL
               AND updated_at <= ${strandedBefore}
             ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ), batch AS (SELECT * FROM retries UNION SELECT * FROM abandoned UNION SELECT * FROM stranded)
          UPDATE webhook_deliveries d SET next_attempt_at = NULL, claimed_until = NULL, updated_at = ${now} FROM batch
           WHERE d.account_id = batch.account_id AND d.id = batch.id
          RETURNING d.account_id, d.id`.execute(trx)
  ).rows;
}

/**
 * These deliveries of the account with their endpoint and the account's mode, locked; rows
 * another worker holds are skipped.
 */
export const lockDeliveriesToAttempt = (trx: Db, accountId: string, deliveryIds: readonly string[]) =>
  trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as we', 'we.id', 'd.endpoint_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .innerJoin('accounts as a', 'a.id', 'we.account_id')
    .select([
      'a.mode',
      'd.id as delivery_id',
      'd.event_id',
      'd.attempt_count',
      'd.status',
      'd.next_attempt_at',
      'd.claimed_until',
      'we.id as endpoint_id',
      'we.url',
      'we.enabled',
      'we.secret',
      'we.previous_secret',
      'we.previous_secret_expires_at',
    ])
    .where('d.account_id', '=', accountId)
    .where('d.id', 'in', deliveryIds)
    .forUpdate('d')
    .skipLocked()
    .execute();

/** Pending deliveries whose endpoint was disabled meanwhile: `failed`. */
export async function failStaleDeliveries(trx: Db, ids: readonly string[], now: Date): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', updated_at: now })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/** Claims these deliveries for a worker until `until`. */
export async function leaseDeliveries(trx: Db, accountId: string, ids: readonly string[], until: Date): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ claimed_until: until })
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .execute();
}

export interface DeliveryOutcome {
  id: string;
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date;
}

/**
 * Settles a batch of attempted deliveries in one statement and releases their lease. A failure
 * only moves a delivery still pending (it may have been stopped meanwhile); a success is
 * recorded whatever happened.
 */
export async function settleDeliveries(
  trx: Db,
  accountId: string,
  updates: readonly DeliveryOutcome[],
  now: Date,
): Promise<void> {
  await sql`
          UPDATE webhook_deliveries d
             SET status = u.status, attempt_count = u.attempt_count, next_attempt_at = u.next_attempt_at,
                 last_attempt_at = u.last_attempt_at, claimed_until = NULL, updated_at = ${now}
            FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
                 AS u(id text, status text, attempt_count integer, next_attempt_at timestamptz, last_attempt_at timestamptz)
           WHERE d.account_id = ${accountId} AND d.id = u.id AND (u.status = 'succeeded' OR d.status = 'pending')`.execute(
    trx,
  );
}

export async function insertAttempts(trx: Db, values: Insertable<WebhookAttempts>[]): Promise<void> {
  await trx.insertInto('webhook_attempts').values(values).execute();
}

/** A success ends these endpoints' failure streaks. */
export async function clearFailureStreaks(trx: Db, endpointIds: readonly string[]): Promise<void> {
  await trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', 'in', endpointIds)
    .where('failing_since', 'is not', null)
    .execute();
}

/** A failure starts the endpoint's failure streak (if none runs); returns the endpoint. */
export const markEndpointFailing = (trx: Db, id: string, now: Date) =>
  trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: sql`coalesce(failing_since, ${now})` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

/**
 * Runs `insert` as the login role, which owns pg-boss's tables, inside a transaction running as
 * relance_system, then steps back (SET LOCAL: until the transaction ends).
 */
export async function asLoginRole(trx: Db, insert: () => Promise<void>): Promise<void> {
  await sql`SET LOCAL ROLE NONE`.execute(trx);
  await insert();
  await sql`SET LOCAL ROLE relance_system`.execute(trx);
}
