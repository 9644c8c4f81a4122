import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { WebhookAttempts, WebhookDeliveries, WebhookEndpoints } from '../../store/db-types.ts';
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
  const limit = query.limit ?? 20;
  let q = trx
    .selectFrom('webhook_deliveries')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.starting_after) q = q.where('id', '<', query.starting_after);
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
