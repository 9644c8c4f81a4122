import type { DeliveryEvent } from '../../mail/resend-events.ts';
import type { MessageStatus } from './message.schemas.ts';

// Provider events arrive late, twice or out of order: a message only moves forward, so a
// repeated or stale event changes nothing (a complaint outranks the delivery before it).
const RANK: Record<string, number> = { pending: 0, failed: 0, sent: 1, delivered: 2, bounced: 3, complained: 4 };

/** The message's status after a provider event, or null when the event changes nothing. */
export function statusAfter(current: string, event: Pick<DeliveryEvent, 'kind'>): MessageStatus | null {
  const from = RANK[current];
  if (from === undefined) return null; // canceled, or unknown: never sent, nothing to update
  return (RANK[event.kind] ?? -1) > from ? event.kind : null;
}

/** A hard bounce or a complaint: the address must not be written to again. */
export function suppressesRecipients(event: Pick<DeliveryEvent, 'kind' | 'bounce'>): 'bounced' | 'complained' | null {
  if (event.kind === 'complained') return 'complained';
  if (event.kind === 'bounced' && event.bounce?.permanent) return 'bounced';
  return null;
}

/** An address as stored and compared: the part inside `<…>` if any, trimmed, lower case. */
export function normalizeEmail(address: string): string {
  return (/<([^<>]+)>\s*$/.exec(address)?.[1] ?? address).trim().toLowerCase();
}
