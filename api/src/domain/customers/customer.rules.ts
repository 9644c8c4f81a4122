import { compareDates } from '../calendar.ts';

/** A pause of the reminders, as the API shows it on a customer or an invoice. */
export interface Pause {
  until: string | null;
  reason: string | null;
}

/**
 * The pause in effect today, as the API shows it: open-ended, or ending on a date not yet
 * passed. A pause whose last day has passed is over without anyone lifting it.
 */
export function activePause(
  row: { paused: boolean; paused_until: string | null; pause_reason: string | null },
  today: string,
): Pause | null {
  if (!row.paused) return null;
  if (row.paused_until !== null && compareDates(row.paused_until, today) < 0) return null;
  return { until: row.paused_until, reason: row.pause_reason };
}
