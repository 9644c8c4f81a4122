import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { eventTypeOf } from '../events/index.ts';
import { insertEvents } from '../outbox/index.ts';
import { parseInput } from '../../validation.ts';
import { accountTime, type Actor, assertWriteAccess, type Page, pageSize, toPage } from '../shared/index.ts';
import { assertAllowedEndpointUrl, type TargetPolicy } from './target.ts';
import {
  deleteEndpoint,
  failPendingDeliveries,
  findDelivery,
  findEndpoint,
  insertDelivery,
  insertEndpoint,
  listAttemptsOfEndpoint,
  listDeliveries,
  listWebhookEndpoints,
  presentAttempt,
  presentEndpoint,
  updateEndpoint,
  withAttempts,
} from './webhook.repository.ts';
import { newWebhookSecret } from './webhook.rules.ts';
import {
  DEFAULT_OVERLAP_SECONDS,
  type WebhookAttempt,
  WebhookAttemptListQuery,
  type WebhookDelivery,
  WebhookDeliveryListQuery,
  type WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
  WebhookResend,
  WebhookSecretRotate,
} from './webhook.schemas.ts';

export const TEST_EVENT_TYPE = 'webhook_endpoint.test';

/**
 * Webhook endpoints of an account, their deliveries and attempts, and the on-demand sends
 * (a test event, a replay of any event). Deliveries created here are due at once: the worker's
 * dispatcher queues them within a fraction of a second.
 */
export function createWebhookService(deps: { database: Database; clock: Clock; targets: TargetPolicy }) {
  const { database, clock, targets } = deps;
  const timeFor = accountTime(database, clock);

  async function requireEndpoint(trx: Db, id: string, options: { forUpdate?: boolean } = {}) {
    const row = await findEndpoint(trx, id, options);
    if (!row) throw notFound('webhook_endpoint', id);
    return row;
  }

  async function newDelivery(
    trx: Db,
    actor: Actor,
    endpointId: string,
    event: { id: string; type: string },
  ): Promise<WebhookDelivery> {
    const now = clock.now();
    const row = await insertDelivery(trx, {
      account_id: actor.accountId,
      id: newId('webhookDelivery'),
      endpoint_id: endpointId,
      event_id: event.id,
      event_type: event.type,
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
    const [delivery] = await withAttempts(trx, [row]);
    if (!delivery) throw new Error('a delivery row yields a delivery');
    return delivery;
  }

  return {
    /** Registers an endpoint; the answer carries its signing secret, shown this once. */
    async create(actor: Actor, input: WebhookEndpointCreate): Promise<WebhookEndpoint> {
      assertWriteAccess(actor);
      const data = parseInput<WebhookEndpointCreate>(WebhookEndpointCreate, input);
      await assertAllowedEndpointUrl(data.url, actor.mode, targets);
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await insertEndpoint(trx, {
          account_id: actor.accountId,
          id: newId('webhookEndpoint'),
          url: data.url,
          description: data.description ?? null,
          enabled_events: data.enabled_events,
          enabled: data.enabled ?? true,
          secret: newWebhookSecret(),
          created_at: now,
          updated_at: now,
        });
        return presentEndpoint(row, { withSecret: true });
      });
    },

    list(actor: Actor, input: WebhookEndpointListQuery): Promise<Page<WebhookEndpoint>> {
      const query = parseInput<WebhookEndpointListQuery>(WebhookEndpointListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage(
          (await listWebhookEndpoints(trx, query)).map((row) => presentEndpoint(row)),
          pageSize(query),
        ),
      );
    },

    get(actor: Actor, id: string): Promise<WebhookEndpoint> {
      return database.withAccount(actor.accountId, async (trx) => presentEndpoint(await requireEndpoint(trx, id)));
    },

    /** Changes an endpoint. Disabling stops its pending deliveries; enabling clears the reason and the failure streak. */
    async update(actor: Actor, id: string, input: WebhookEndpointUpdate): Promise<WebhookEndpoint> {
      assertWriteAccess(actor);
      const data = parseInput<WebhookEndpointUpdate>(WebhookEndpointUpdate, input);
      if (data.url !== undefined) {
        // An unknown endpoint is a 404 before any name resolution, and the resolution (up to
        // DNS_TIMEOUT_MS) happens with no transaction open.
        await database.withAccount(actor.accountId, (trx) => requireEndpoint(trx, id));
        await assertAllowedEndpointUrl(data.url, actor.mode, targets);
      }
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await requireEndpoint(trx, id, { forUpdate: true });
        const enabling = data.enabled === true && !current.enabled;
        const disabling = data.enabled === false && current.enabled;
        const row = await updateEndpoint(trx, id, {
          ...(data.url !== undefined && { url: data.url }),
          ...(data.description !== undefined && { description: data.description }),
          ...(data.enabled_events !== undefined && { enabled_events: data.enabled_events }),
          ...(data.enabled !== undefined && { enabled: data.enabled }),
          ...(enabling && { disabled_reason: null, failing_since: null }),
          updated_at: now,
        });
        if (disabling) await failPendingDeliveries(trx, id, now);
        return presentEndpoint(row);
      });
    },

    /** Deletes an endpoint with its deliveries and their attempts. */
    async delete(actor: Actor, id: string): Promise<{ id: string; object: 'webhook_endpoint'; deleted: true }> {
      assertWriteAccess(actor);
      await database.withAccount(actor.accountId, async (trx) => {
        const row = await deleteEndpoint(trx, id);
        if (!row) throw notFound('webhook_endpoint', id);
      });
      return { id, object: 'webhook_endpoint', deleted: true };
    },

    /** A new secret; the old one keeps signing beside it for `overlap_seconds` (both signatures are sent). */
    async rotateSecret(actor: Actor, id: string, input: WebhookSecretRotate = {}): Promise<WebhookEndpoint> {
      assertWriteAccess(actor);
      const data = parseInput<WebhookSecretRotate>(WebhookSecretRotate, input ?? {});
      const overlap = data.overlap_seconds ?? DEFAULT_OVERLAP_SECONDS;
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await requireEndpoint(trx, id, { forUpdate: true });
        const row = await updateEndpoint(trx, id, {
          secret: newWebhookSecret(),
          previous_secret: overlap > 0 ? current.secret : null,
          previous_secret_expires_at: overlap > 0 ? new Date(now.getTime() + overlap * 1000) : null,
          updated_at: now,
        });
        return presentEndpoint(row, { withSecret: true });
      });
    },

    /** Sends a `webhook_endpoint.test` event to this endpoint only; returns its delivery. */
    async sendTest(actor: Actor, id: string): Promise<WebhookDelivery> {
      assertWriteAccess(actor);
      const { now } = await timeFor(actor);
      return database.withAccount(actor.accountId, async (trx) => {
        const endpoint = await requireEndpoint(trx, id);
        const event = { id: newId('event'), type: TEST_EVENT_TYPE };
        // Written as already dispatched: it goes to this endpoint only, not to every subscriber.
        await insertEvents(trx, [
          {
            account_id: actor.accountId,
            id: event.id,
            type: event.type,
            object_type: 'webhook_endpoint',
            object_id: endpoint.id,
            data: JSON.stringify(presentEndpoint(endpoint)),
            created_at: now,
            dispatched: true,
          },
        ]);
        return newDelivery(trx, actor, endpoint.id, event);
      });
    },

    /** Sends an event of the account to this endpoint again (a new delivery; same `webhook-id`, the event id). */
    async resend(actor: Actor, id: string, input: WebhookResend): Promise<WebhookDelivery> {
      assertWriteAccess(actor);
      const data = parseInput<WebhookResend>(WebhookResend, input);
      return database.withAccount(actor.accountId, async (trx) => {
        const endpoint = await requireEndpoint(trx, id);
        const event = await eventTypeOf(trx, data.event_id);
        if (!event) throw notFound('event', data.event_id);
        return newDelivery(trx, actor, endpoint.id, event);
      });
    },

    /** The attempts to one endpoint, newest first. */
    listAttempts(actor: Actor, id: string, input: WebhookAttemptListQuery): Promise<Page<WebhookAttempt>> {
      const query = parseInput<WebhookAttemptListQuery>(WebhookAttemptListQuery, input);
      return database.withAccount(actor.accountId, async (trx) => {
        await requireEndpoint(trx, id);
        return toPage((await listAttemptsOfEndpoint(trx, id, query)).map(presentAttempt), pageSize(query));
      });
    },

    /** Deliveries newest first, each with its attempts. */
    listDeliveries(actor: Actor, input: WebhookDeliveryListQuery): Promise<Page<WebhookDelivery>> {
      const query = parseInput<WebhookDeliveryListQuery>(WebhookDeliveryListQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage(await withAttempts(trx, await listDeliveries(trx, query)), pageSize(query)),
      );
    },

    getDelivery(actor: Actor, id: string): Promise<WebhookDelivery> {
      return database.withAccount(actor.accountId, async (trx) => {
        const row = await findDelivery(trx, id);
        if (!row) throw notFound('webhook_delivery', id);
        const [delivery] = await withAttempts(trx, [row]);
        if (!delivery) throw new Error('a delivery row yields a delivery');
        return delivery;
      });
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
