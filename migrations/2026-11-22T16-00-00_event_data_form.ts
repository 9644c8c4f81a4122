import { type Kysely, sql } from 'kysely';

// How an event's `data` is stored. `snapshot` (every event so far): the object as the API shows
// it. `invoice_row`: the invoice's row as the same statement left it, written by Postgres itself
// (to_jsonb), and shown as the API shows an invoice when the event is read, as of `data_day`, the
// account's calendar day at the change (api/src/domain/events/event.service.ts, presentEvent).
// It lets a one-statement write emit an invoice event without reading the invoice first: the
// one-allocation payment path (api/src/domain/payments/payment.repository.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE events
      ADD COLUMN data_form text NOT NULL DEFAULT 'snapshot',
      ADD COLUMN data_day date,
      ADD CONSTRAINT events_data_form CHECK (
        (data_form = 'snapshot' AND data_day IS NULL) OR (data_form = 'invoice_row' AND data_day IS NOT NULL))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events DROP CONSTRAINT events_data_form, DROP COLUMN data_day, DROP COLUMN data_form`.execute(
    db,
  );
}
