import type { Clock } from '../../clock.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { recordEvent, takeUndispatchedEvents } from '../outbox/index.ts';
import { eventsByIds, presentEvent } from '../events/index.ts';
import { postWebhook, REQUEST_TIMEOUT_MS, type SendResult } from './sender.ts';
import { targetPolicyFor, type TargetPolicy } from './target.ts';
import {
  clearFailureStreaks,
  type DeliveryOutcome,
  disableEnabledEndpoint,
  enabledEndpointsOf,
  type EndpointRow,
  failPendingDeliveries,
  failStaleDeliveries,
  insertAttempts,
  insertDeliveries,
  leaseDeliveries,
  lockDeliveriesToAttempt,
  markEndpointFailing,
  presentEndpoint,
  settleDeliveries,
  takeDueDeliveries,
} from './webhook.repository.ts';
import { failingTooLong, nextAttemptAt, parseRetryAfter, signatureHeader, subscribes } from './webhook.rules.ts';

/** A delivery to attempt: what a queued job carries. */
export interface DeliveryJob {
  accountId: string;
  deliveryId: string;
}

/** Puts jobs on the queue inside the given transaction (pg-boss stays out of the domain). */
export type Enqueue = (trx: Db, jobs: DeliveryJob[]) => Promise<void>;

export const DISPATCH_BATCH = 1000;

/** How long a claimed delivery is left to its worker: the POST's timeout and a margin. */
export const DELIVERY_LEASE_MS = REQUEST_TIMEOUT_MS * 4;

/** A delivery queued this long ago and never claimed lost its job (retries exhausted): queue it again. */
export const STRANDED_AFTER_MS = 10 * 60_000;

/** Disables an endpoint (once), stops its pending deliveries and emits `webhook_endpoint.disabled`. */
async function disableEndpoint(trx: Db, endpoint: EndpointRow, reason: string, now: Date): Promise<void> {
  const row = await disableEnabledEndpoint(trx, endpoint.id, reason, now);
  if (!row) return;
  await failPendingDeliveries(trx, endpoint.id, now);
  await recordEvent(trx, {
    accountId: row.account_id,
    type: 'webhook_endpoint.disabled',
    objectType: 'webhook_endpoint',
    objectId: row.id,
    data: presentEndpoint(row),
    at: now,
  });
}

/**
 * The worker side of webhooks: turns new events into deliveries, queues due retries, and makes
 * the attempts. Events are claimed by a flag (`dispatched`), not by a sequence cursor, so an
 * event whose transaction commits late is never skipped; `SKIP LOCKED` lets any number of
 * workers dispatch at once.
 */
export function createWebhookDelivery(deps: {
  database: Database;
  clock: Clock;
  targets: TargetPolicy;
  userAgent?: string;
  /**
   * Told of the events each dispatch takes from the outbox, in the transaction that takes them
   * (the payment behaviour keeps its figures up to date from them).
   */
  onEventsTaken?: (trx: Db, events: readonly { account_id: string; id: string; type: string }[]) => Promise<unknown>;
}) {
  const { database, clock, targets } = deps;
  const userAgent = deps.userAgent ?? 'Relance-Webhooks/1';

  return {
    /** Claims up to `limit` new events, creates their deliveries and queues them, in one transaction. Returns the events claimed. */
    dispatch(enqueue: Enqueue, limit = DISPATCH_BATCH): Promise<number> {
      return database.withSystem(async (trx) => {
        const now = clock.now();
        const claimed = await takeUndispatchedEvents(trx, limit);
        if (claimed.length === 0) return 0;
        await deps.onEventsTaken?.(trx, claimed);
        const accounts = [...new Set(claimed.map((r) => r.account_id))];
        const endpoints = await enabledEndpointsOf(trx, accounts);
        if (endpoints.length === 0) return claimed.length;
        const byAccount = Map.groupBy(endpoints, (e) => e.account_id);
        const deliveries = [];
        for (const event of claimed) {
          for (const endpoint of byAccount.get(event.account_id) ?? []) {
            if (!subscribes(endpoint.enabled_events, event.type)) continue;
            deliveries.push({
              account_id: event.account_id,
              id: newId('webhookDelivery'),
              endpoint_id: endpoint.id,
              event_id: event.id,
              event_type: event.type,
              status: 'pending',
              next_attempt_at: null,
              created_at: now,
              updated_at: now,
            });
          }
        }
        for (let i = 0; i < deliveries.length; i += 1000) {
          const chunk = deliveries.slice(i, i + 1000);
          await insertDeliveries(trx, chunk);
          await enqueue(
            trx,
            chunk.map((d) => ({ accountId: d.account_id, deliveryId: d.id })),
          );
        }
        return claimed.length;
      });
    },

    /**
     * Queues the deliveries whose retry (or on-demand send) is due by the clock, those whose
     * worker claimed them and never settled (its lease ran out), and those queued long ago and
     * never claimed (their job was lost). A second job for a delivery is harmless: the claim
     * lets one through. Returns how many.
     */
    enqueueDue(enqueue: Enqueue, limit = DISPATCH_BATCH): Promise<number> {
      return database.withSystem(async (trx) => {
        const now = clock.now();
        const due = await takeDueDeliveries(trx, now, new Date(now.getTime() - STRANDED_AFTER_MS), limit);
        if (due.length > 0)
          await enqueue(
            trx,
            due.map((r) => ({ accountId: r.account_id, deliveryId: r.id })),
          );
        return due.length;
      });
    },

    /**
     * Attempts the deliveries of one account: claims them (a lease, in a short transaction), POSTs
     * each (in parallel, no transaction open), then records every attempt and its consequences in
     * one transaction. A delivery already settled, already rescheduled, or claimed by another
     * worker (a job run twice) is left alone.
     */
    async attempt(accountId: string, deliveryIds: string[]): Promise<{ succeeded: number; failed: number }> {
      const work = await database.withAccount(accountId, async (trx) => {
        const claimedAt = clock.now();
        const rows = await lockDeliveriesToAttempt(trx, accountId, deliveryIds);
        const unclaimed = rows.filter((r) => r.claimed_until === null || r.claimed_until <= claimedAt);
        const stale = unclaimed
          .filter((r) => r.status === 'pending' && r.next_attempt_at === null && !r.enabled)
          .map((r) => r.delivery_id);
        if (stale.length) {
          await failStaleDeliveries(trx, stale, clock.now());
        }
        const ready = unclaimed.filter((r) => r.status === 'pending' && r.next_attempt_at === null && r.enabled);
        if (ready.length === 0) return [];
        await leaseDeliveries(
          trx,
          accountId,
          ready.map((r) => r.delivery_id),
          new Date(claimedAt.getTime() + DELIVERY_LEASE_MS),
        );
        const events = await eventsByIds(
          trx,
          ready.map((r) => r.event_id),
        );
        const byId = new Map(events.map((e) => [e.id, e]));
        return ready.flatMap((r) => {
          const event = byId.get(r.event_id);
          return event ? [{ ...r, event }] : [];
        });
      });
      if (work.length === 0) return { succeeded: 0, failed: 0 };

      const results = await Promise.all(
        work.map(async (row) => {
          const attemptedAt = clock.now();
          const timestamp = Math.floor(attemptedAt.getTime() / 1000);
          // The body is the event as GET /v1/events/{id} shows it: stored jsonb reads back in a
          // fixed key order, so every attempt sends (and signs) the same bytes.
          const body = Buffer.from(JSON.stringify(presentEvent(row.event)));
          const secrets = [row.secret];
          if (row.previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at > attemptedAt)
            secrets.push(row.previous_secret);
          const headers = {
            'content-type': 'application/json',
            'user-agent': userAgent,
            'webhook-id': row.event_id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader(secrets, row.event_id, timestamp, body),
          };
          const result: SendResult = await postWebhook(
            row.url,
            headers,
            body,
            targetPolicyFor(targets, row.mode === 'test' ? 'test' : 'live'),
          );
          return { row, attemptedAt, result };
        }),
      );

      let succeeded = 0;
      await database.withAccount(accountId, async (trx) => {
        const now = clock.now();
        const attempts = [];
        const updates: DeliveryOutcome[] = [];
        const endpointsFailing = new Map<string, { gone: boolean }>();
        const endpointsOk = new Set<string>();
        for (const { row, attemptedAt, result } of results) {
          const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
          const attemptCount = row.attempt_count + 1;
          const gone = result.statusCode === 410;
          const retryAfterMs =
            result.statusCode === 429 || result.statusCode === 503 ? parseRetryAfter(result.retryAfter, now) : null;
          const next = ok || gone ? null : nextAttemptAt(now, attemptCount, { retryAfterMs });
          attempts.push({
            account_id: accountId,
            id: newId('webhookAttempt'),
            delivery_id: row.delivery_id,
            endpoint_id: row.endpoint_id,
            event_id: row.event_id,
            attempted_at: attemptedAt,
            status_code: result.statusCode,
            duration_ms: result.durationMs,
            response_excerpt: result.responseExcerpt,
            error: gone ? 'HTTP 410: the endpoint is gone and was disabled' : result.error,
            succeeded: ok,
            next_attempt_at: next,
          });
          updates.push({
            id: row.delivery_id,
            status: ok ? 'succeeded' : next ? 'pending' : 'failed',
            attempt_count: attemptCount,
            next_attempt_at: next,
            last_attempt_at: attemptedAt,
          });
          if (ok) {
            succeeded++;
            endpointsOk.add(row.endpoint_id);
          } else {
            const failing = endpointsFailing.get(row.endpoint_id) ?? { gone: false };
            failing.gone ||= gone;
            endpointsFailing.set(row.endpoint_id, failing);
          }
        }
        // One statement for the batch.
        await settleDeliveries(trx, accountId, updates, now);
        await insertAttempts(trx, attempts);

        // A success ends the endpoint's failure streak; a failure starts one or, 3 days on, disables it.
        if (endpointsOk.size) {
          await clearFailureStreaks(trx, [...endpointsOk]);
        }
        for (const [endpointId, { gone }] of endpointsFailing) {
          if (endpointsOk.has(endpointId) && !gone) continue;
          const endpoint = await markEndpointFailing(trx, endpointId, now);
          if (!endpoint) continue;
          if (gone) await disableEndpoint(trx, endpoint, 'The endpoint answered 410 Gone.', now);
          else if (failingTooLong(endpoint.failing_since, now)) {
            await disableEndpoint(trx, endpoint, 'Every delivery failed for 3 days.', now);
          }
        }
      });
      return { succeeded, failed: results.length - succeeded };
    },
  };
}

export type WebhookDeliveryEngine = ReturnType<typeof createWebhookDelivery>;
