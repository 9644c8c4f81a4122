import { createHash } from 'node:crypto';
import { type Expression, type Insertable, type RawBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { ReminderOccurrences } from '../../store/db-types.ts';

// Every query on `reminder_occurrences`: the planner, the sender, the scheduler, the timeline and
// the workers' gauge call these, with the caller's transaction (or the system's) first.

export type OccurrenceRow = Selectable<ReminderOccurrences>;
export type NewOccurrence = Insertable<ReminderOccurrences>;

/** `= ANY($1::text[])`: one array parameter instead of one per id (a planner batch has hundreds). */
export const anyText = (ids: readonly string[]) => sql<string>`any(${[...ids]}::text[])`;

/** Still to come: planning may move, hold or cancel them. */
const PENDING = ['scheduled', 'held'] as const;
/** The sender may act on them: due, or handed to a provider and not yet settled. */
const IN_FLIGHT = ['scheduled', 'sending'] as const;

// --- planning -------------------------------------------------------------------------------

/** Skips the pending reminders of closed invoices, with `reason`; returns what the events name. */
export function skipPendingOfInvoices(
  trx: Db,
  accountId: string,
  invoiceIds: readonly string[],
  reason: string,
  now: Date,
) {
  return trx
    .updateTable('reminder_occurrences')
    .set({ status: 'skipped', skip_reason: reason, updated_at: now })
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', anyText(invoiceIds))
    .where('status', 'in', PENDING)
    .returning(['id', 'invoice_id', 'step_id', 'repeat_index', 'offset_days', 'channel', 'template_key'])
    .execute();
}

/**
 * Inserts planned occurrences, or moves the existing one of the same (invoice, step, repeat,
 * plan, installment). What was sent, skipped or failed is history and stays as it is. `resume`
 * releases held ones.
 */
export async function upsertPlannedOccurrences(
  trx: Db,
  accountId: string,
  rows: readonly PlannedRow[],
  resume: boolean,
) {
  const upserted = [];
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK)
    upserted.push(...(await upsertChunk(trx, accountId, rows.slice(i, i + UPSERT_CHUNK), resume)));
  return upserted;
}

/** Rows per statement: bounds the arrays' size, not the parameter count (one per column). */
const UPSERT_CHUNK = 5000;

/**
 * The plan key's digest: MD5 of (invoice, step, repeat, payment plan, installment) as a uuid.
 * After the account and the invoice it is the unique key `reminder_occurrences_plan_key` (the
 * step, repeat, plan and installment in 16 bytes); `planDigest` computes the same value in
 * JavaScript.
 */
export const PLAN_DIGEST_SQL = sql`(md5(invoice_id || '/' || step_id || '/' || repeat_index::text || '/' || coalesce(payment_plan_id, '') || '/' || installment_number::text)::uuid)`;

/** `PLAN_DIGEST_SQL` of one planned reminder. */
export function planDigest(key: {
  invoice_id: string;
  step_id: string;
  repeat_index: number;
  payment_plan_id: string | null;
  installment_number: number;
}): string {
  const hex = createHash('md5')
    .update(
      `${key.invoice_id}/${key.step_id}/${key.repeat_index}/${key.payment_plan_id ?? ''}/${key.installment_number}`,
    )
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The columns a planned occurrence sets, with their SQL types: the insert sends one array per
 * column (`unnest`), or one value for a column the whole chunk shares, so a chunk of thousands
 * of rows is a statement of 19 parameters, which Postgres parses and plans once, instead of one
 * parameter per value.
 */
const PLANNED_COLUMNS = {
  account_id: 'text',
  id: 'text',
  invoice_id: 'text',
  policy_id: 'text',
  step_id: 'text',
  repeat_index: 'int4',
  offset_days: 'int4',
  channel: 'text',
  template_key: 'text',
  applies_late_fees: 'bool',
  status: 'text',
  scheduled_at: 'timestamptz',
  moved_from: 'date',
  moved_for: 'text',
  payment_plan_id: 'text',
  installment_number: 'int4',
  installment_due_on: 'date',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
} as const satisfies Partial<Record<keyof NewOccurrence, string>>;

/** A planned occurrence as the planner writes it: every column of `PLANNED_COLUMNS`, nothing else. */
export type PlannedRow = Required<Pick<NewOccurrence, keyof typeof PLANNED_COLUMNS>>;

const PLANNED = Object.entries(PLANNED_COLUMNS) as Array<[keyof typeof PLANNED_COLUMNS, string]>;

/** A value as the chunk compares it: a date by its time. */
const comparable = (value: unknown) => (value instanceof Date ? value.getTime() : value);

async function upsertChunk(trx: Db, accountId: string, rows: readonly PlannedRow[], resume: boolean) {
  const names = sql.join(PLANNED.map(([name]) => sql.ref(name)));
  // A column with one value in the whole chunk (the account, the times, most often the policy
  // and the empty payment plan columns) is sent once, not as an array of thousands of copies
  // that the driver escapes and PostgreSQL parses element by element. The id always varies.
  const [first] = rows;
  if (!first) return [];
  const constant = new Set(
    PLANNED.filter(
      ([name]) => name !== 'id' && rows.every((row) => comparable(row[name]) === comparable(first[name])),
    ).map(([name]) => name),
  );
  const varying = PLANNED.filter(([name]) => !constant.has(name));
  const value = (name: keyof typeof PLANNED_COLUMNS, type: string) =>
    constant.has(name) ? sql`${first[name] ?? null}::${sql.raw(type)}` : sql`planned.${sql.ref(name)}`;
  const values = sql.join(PLANNED.map(([name, type]) => value(name, type)));
  const arrays = sql.join(
    varying.map(([name, type]) => sql`${rows.map((row) => row[name] ?? null)}::${sql.raw(type)}[]`),
  );
  const status = resume
    ? sql`'scheduled'`
    : sql`CASE WHEN reminder_occurrences.status = 'held' THEN 'held' ELSE 'scheduled' END`;
  const holdReason = resume ? sql`NULL` : sql`reminder_occurrences.hold_reason`;
  const { rows: upserted } = await sql<{
    id: string;
    invoice_id: string;
    step_id: string;
    repeat_index: number;
    installment_number: number;
    channel: string;
    template_key: string | null;
    scheduled_at: Date | null;
    status: string;
  }>`
    INSERT INTO reminder_occurrences (${names})
    SELECT * FROM (SELECT ${values} FROM unnest(${arrays}) AS planned(${sql.join(varying.map(([name]) => sql.ref(name)))})) AS chunk(${names})
     -- All of one account, named: a statement that says which account it is about.
     WHERE chunk.account_id = ${accountId}
    ON CONFLICT (account_id, invoice_id, ${PLAN_DIGEST_SQL}) DO UPDATE SET
      policy_id = excluded.policy_id,
      offset_days = excluded.offset_days,
      channel = excluded.channel,
      template_key = excluded.template_key,
      applies_late_fees = excluded.applies_late_fees,
      scheduled_at = excluded.scheduled_at,
      -- Announced for a time it no longer has: announced again before the new one.
      upcoming_notified_at = CASE WHEN reminder_occurrences.scheduled_at IS DISTINCT FROM excluded.scheduled_at THEN NULL ELSE reminder_occurrences.upcoming_notified_at END,
      moved_from = excluded.moved_from,
      moved_for = excluded.moved_for,
      installment_due_on = excluded.installment_due_on,
      status = ${status},
      hold_reason = ${holdReason},
      updated_at = excluded.updated_at
    WHERE reminder_occurrences.status IN (${sql.join([...PENDING, 'canceled'])})
      -- Two different keys of one digest (never seen; MD5 spreads 2^128 ways) leave the row as it is.
      AND (reminder_occurrences.invoice_id, reminder_occurrences.step_id, reminder_occurrences.repeat_index, reminder_occurrences.installment_number)
        = (excluded.invoice_id, excluded.step_id, excluded.repeat_index, excluded.installment_number)
    RETURNING id, invoice_id, step_id, repeat_index, installment_number, channel, template_key, scheduled_at, status`.execute(
    trx,
  );
  return upserted;
}

/** Ids of the held occurrences of these invoices (a release moves those whose time has passed). */
export async function heldOccurrenceIds(trx: Db, accountId: string, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return new Set<string>();
  const rows = await trx
    .selectFrom('reminder_occurrences')
    .select('id')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', anyText(invoiceIds))
    .where('status', '=', 'held')
    .execute();
  return new Set(rows.map((r) => r.id));
}

export const moveScheduledAt = (trx: Db, accountId: string, ids: readonly string[], at: Date) =>
  trx
    .updateTable('reminder_occurrences')
    .set({ scheduled_at: at })
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', '=', 'scheduled')
    .execute();

/** The plan's keys, column by column (what `cancelUnplanned` keeps). */
export interface PlanKeys {
  invoice: string[];
  step: string[];
  repeat: number[];
  plan: string[];
  installment: number[];
}

/**
 * Cancels the pending reminders of these invoices that the new plan no longer has. They are
 * found invoice by invoice through the plan key's index (`pendingNotKept`), then canceled by
 * id: most batches (invoices planned for the first time) have none, and pay one read. The
 * planner calls it before writing the plan's rows, so an invoice with no reminders yet costs one
 * index probe that finds no entry (called after, it read back each reminder just written).
 */
export async function cancelUnplanned(
  trx: Db,
  accountId: string,
  invoiceIds: readonly string[],
  keep: PlanKeys,
  now: Date,
): Promise<void> {
  const ids = await pendingNotKept(trx, accountId, invoiceIds, keep);
  if (ids.length === 0) return;
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'canceled', updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', anyText(ids))
    .where('status', 'in', PENDING)
    .execute();
}

/**
 * Ids of the pending reminders of these invoices whose key the plan does not keep (a hashed
 * anti-join). Each invoice's reminders are read through the plan key's index, one probe per
 * invoice: the subquery's `OFFSET 0` keeps it a subquery run per invoice, so PostgreSQL cannot
 * turn it into a scan of the whole account's reminders filtered by invoice, which it chose
 * whenever its statistics undercounted the account's reminders (as they do while a large
 * account is being planned) and which grew with the account.
 */
async function pendingNotKept(trx: Db, accountId: string, invoiceIds: readonly string[], keep: PlanKeys) {
  const { rows } = await sql<{ id: string }>`
    SELECT o.id
      FROM unnest(${[...invoiceIds]}::text[]) AS planned(invoice_id)
     CROSS JOIN LATERAL (
       SELECT id, invoice_id, step_id, repeat_index, payment_plan_id, installment_number
         FROM reminder_occurrences
        WHERE account_id = ${accountId} AND invoice_id = planned.invoice_id AND status IN (${sql.join([...PENDING])})
       OFFSET 0) o
     WHERE (o.invoice_id, o.step_id, o.repeat_index, coalesce(o.payment_plan_id, ''), o.installment_number)
       NOT IN (SELECT * FROM unnest(${sql.val(keep.invoice)}::text[], ${sql.val(keep.step)}::text[], ${sql.val(keep.repeat)}::int[], ${sql.val(keep.plan)}::text[], ${sql.val(keep.installment)}::int[]))`.execute(
    trx,
  );
  return rows.map((r) => r.id);
}

/**
 * After a reversal reopens invoices: their reminders still to come, skipped because the invoice
 * was paid, become plannable again (the planner reschedules the steps its plan still has and
 * leaves the others canceled). Reminders whose time passed while the invoice was paid stay
 * skipped: a bounced payment does not release a burst of late messages.
 */
export async function releaseRemindersSkippedAsPaid(trx: Db, invoiceIds: readonly string[], now: Date): Promise<void> {
  if (invoiceIds.length === 0) return;
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'canceled', skip_reason: null, updated_at: now })
    .where('invoice_id', 'in', invoiceIds)
    .where('status', '=', 'skipped')
    .where('skip_reason', '=', 'paid')
    .where('scheduled_at', '>', now)
    .execute();
}

// --- finding due work -------------------------------------------------------------------------

export interface DueOccurrence {
  account_id: string;
  id: string;
}

/** The back-off's base (REMINDER_RETRY_SECONDS): 30 s unless the operator sets another. */
export const RETRY_BASE_MS = 30_000;

/**
 * Back-off before the next try when the provider named no moment: the base, doubling with each
 * attempt (`attempts` 0, 1, 2, 3: 30 s, 1, 2, 4 minutes by default), at most 15 minutes. The
 * sender counts an attempt before its call, so a reminder's first wait (and a claimed call's
 * lease) is twice the base: 1 minute by default.
 */
export function retryDelayMs(attempts: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempts, 10)), 15 * 60_000);
}

/**
 * Reminders due, oldest first (ties in invoice order, so that a contact budget lets the older
 * invoice go first), of the accounts `inScope` admits (a condition on `accounts a`);
 * also deliveries to try again (`retry_at`: what the provider said, the back-off, or the lease of
 * a claimed call that never settled; before `retry_at` existed, the back-off from `updated_at`).
 * Run as the system. Each branch reads its own partial index up to `now`: what it reads is what
 * is due (`scheduled`) or due again (`sending`, a few), never the reminders still to come.
 */
export async function findDueOccurrences(
  trx: Db,
  inScope: Expression<SqlBool>,
  now: Date,
  limit: number,
): Promise<DueOccurrence[]> {
  return (
    await sql<DueOccurrence>`
    SELECT account_id, id FROM (
      (SELECT o.account_id, o.id, o.scheduled_at, o.offset_days, o.repeat_index, o.invoice_id
         FROM reminder_occurrences o JOIN accounts a ON a.id = o.account_id
        WHERE ${inScope} AND o.status = 'scheduled' AND o.scheduled_at <= ${now}
        ORDER BY o.scheduled_at, o.offset_days, o.repeat_index, o.invoice_id, o.id
        LIMIT ${limit})
      UNION ALL
      (SELECT o.account_id, o.id, o.scheduled_at, o.offset_days, o.repeat_index, o.invoice_id
         FROM reminder_occurrences o JOIN accounts a ON a.id = o.account_id
        WHERE ${inScope} AND o.status = 'sending' AND coalesce(o.retry_at, o.updated_at) <= ${now}
          AND coalesce(o.retry_at, o.updated_at + make_interval(secs => 30 * power(2, least(o.attempts, 10))::int)) <= ${now}
        LIMIT ${limit})
    ) due
    ORDER BY scheduled_at, offset_days, repeat_index, invoice_id, id
    LIMIT ${limit}`.execute(trx)
  ).rows;
}

/**
 * Seconds since the oldest live reminder still to send fell due (test accounts whose clock is set
 * run on it and are left out), or null. Reads the partial indexes `reminder_occurrences_scheduled`
 * (from its oldest entry) and `reminder_occurrences_sending` (the few in flight). Run as the system.
 */
export async function oldestDueReminderAge(trx: Db, now: Date): Promise<number | null> {
  const live = sql`(a.mode = 'live' OR NOT EXISTS (SELECT 1 FROM account_clocks c WHERE c.account_id = a.id))`;
  const row = await sql<{ age: number | null }>`
    SELECT extract(epoch FROM ${now}::timestamptz - least(
      (SELECT o.scheduled_at FROM reminder_occurrences o JOIN accounts a ON a.id = o.account_id AND ${live}
        WHERE o.status = 'scheduled' AND o.scheduled_at <= ${now} ORDER BY o.scheduled_at LIMIT 1),
      (SELECT min(o.scheduled_at) FROM reminder_occurrences o JOIN accounts a ON a.id = o.account_id AND ${live}
        WHERE o.status = 'sending' AND o.scheduled_at <= ${now})))::float8 AS age`.execute(trx);
  return row.rows[0]?.age ?? null;
}

/** The time of the account's next scheduled reminder after `after` (the test clock stops there). */
export async function nextScheduledAfter(trx: Db, accountId: string, after: Date): Promise<Date | null> {
  const row = await trx
    .selectFrom('reminder_occurrences')
    .select('scheduled_at')
    .where('account_id', '=', accountId)
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '>', after)
    .orderBy('scheduled_at')
    .limit(1)
    .executeTakeFirst();
  // The moment a reminder is announced (`reminder.upcoming`), when it comes first.
  const { rows } = await sql<{ at: Date | null }>`
    SELECT min(o.scheduled_at - make_interval(hours => p.upcoming_hours)) AS at
      FROM reminder_occurrences o JOIN reminder_policies p ON p.account_id = o.account_id AND p.id = o.policy_id
     WHERE o.account_id = ${accountId} AND p.account_id = ${accountId}
       AND o.status = 'scheduled' AND o.upcoming_notified_at IS NULL AND p.upcoming_hours > 0
       AND o.scheduled_at - make_interval(hours => p.upcoming_hours) > ${after}`.execute(trx);
  const announce = rows[0]?.at ?? null;
  const next = row?.scheduled_at ?? null;
  if (!announce) return next;
  if (!next) return announce;
  return new Date(Math.min(announce.getTime(), next.getTime()));
}

/** Invoices' reminders in timeline order, each with the subject of the message it sent, if any. */
export function listOccurrencesWithSubject(trx: Db, invoiceIds: readonly string[]) {
  return trx
    .selectFrom('reminder_occurrences')
    .leftJoin('messages', 'messages.id', 'reminder_occurrences.message_id')
    .selectAll('reminder_occurrences')
    .select('messages.subject')
    .where('reminder_occurrences.invoice_id', 'in', invoiceIds)
    .orderBy('reminder_occurrences.installment_number')
    .orderBy('reminder_occurrences.offset_days')
    .orderBy('reminder_occurrences.repeat_index')
    .orderBy('reminder_occurrences.channel')
    .execute();
}

// --- sending ----------------------------------------------------------------------------------

/** Which of these reminders the sender may act on, and their invoices (read before locking those). */
export function peekInFlight(trx: Db, accountId: string, ids: readonly string[]) {
  return trx
    .selectFrom('reminder_occurrences')
    .select(['id', 'invoice_id'])
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', 'in', IN_FLIGHT)
    .execute();
}

/** Locks reminders (after their invoices), in the order they fall due. */
export function lockOccurrences(trx: Db, accountId: string, ids: readonly string[]): Promise<OccurrenceRow[]> {
  return trx
    .selectFrom('reminder_occurrences')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .orderBy('scheduled_at')
    .orderBy('offset_days')
    .orderBy('repeat_index')
    .forUpdate()
    .execute();
}

/** Locks one reminder. */
export function lockOccurrence(trx: Db, id: string): Promise<OccurrenceRow | undefined> {
  return trx.selectFrom('reminder_occurrences').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The invoice of a reminder (read before locking it). */
export async function invoiceIdOfOccurrence(trx: Db, id: string): Promise<string | undefined> {
  return (await trx.selectFrom('reminder_occurrences').select('invoice_id').where('id', '=', id).executeTakeFirst())
    ?.invoice_id;
}

/**
 * The reminders of these invoices due by `now` (a later one supersedes an earlier one), including
 * those already on their way or sent: two jobs may take an invoice's steps at the same time.
 */
export function dueStepsOfInvoices(trx: Db, accountId: string, invoiceIds: readonly string[], now: Date) {
  return trx
    .selectFrom('reminder_occurrences')
    .select(['id', 'invoice_id', 'installment_number', 'offset_days', 'repeat_index', 'channel', 'status'])
    .where('account_id', '=', accountId)
    .where('invoice_id', 'in', invoiceIds)
    .where('status', 'in', ['scheduled', 'sending', 'sent'])
    .where('scheduled_at', '<=', now)
    .execute();
}

/**
 * After a catch-up: the reminders of its schedule still to go before `until` wait until then
 * (`min_gap`); those before it in the schedule and due are folded into it (skipped as `stale`,
 * `folded_into` naming it), and so are those skipped as stale since the last reminder sent.
 * Returns the ids moved and the reminders folded (their events are the caller's).
 */
export async function spaceAfterCatchUp(
  trx: Db,
  accountId: string,
  catchUp: Pick<OccurrenceRow, 'id' | 'invoice_id' | 'installment_number' | 'offset_days' | 'repeat_index'>,
  until: Date,
  now: Date,
): Promise<{ moved: string[]; folded: OccurrenceRow[] }> {
  const sameSchedule = trx
    .selectFrom('reminder_occurrences')
    .where('account_id', '=', accountId)
    .where('invoice_id', '=', catchUp.invoice_id)
    .where('installment_number', '=', catchUp.installment_number)
    .where('id', '<>', catchUp.id);
  const before = sql<SqlBool>`(offset_days < ${catchUp.offset_days} OR (offset_days = ${catchUp.offset_days} AND repeat_index < ${catchUp.repeat_index}))`;
  const folded = await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'skipped', skip_reason: 'stale', folded_into: catchUp.id, updated_at: now })
    .where('account_id', '=', accountId)
    .where(
      'id',
      'in',
      sameSchedule.select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now).where(before),
    )
    .returningAll()
    .execute();
  // Those already skipped as superseded since the last reminder that went out are folded into it too.
  const lastSent = await sameSchedule
    .select(['offset_days', 'repeat_index'])
    .where('status', 'in', ['sent', 'sending'])
    .where(before)
    .orderBy('offset_days', 'desc')
    .orderBy('repeat_index', 'desc')
    .limit(1)
    .executeTakeFirst();
  await trx
    .updateTable('reminder_occurrences')
    .set({ folded_into: catchUp.id })
    .where('account_id', '=', accountId)
    .where(
      'id',
      'in',
      sameSchedule
        .select('id')
        .where('status', '=', 'skipped')
        .where('skip_reason', '=', 'stale')
        .where('folded_into', 'is', null)
        .where(before)
        .where(
          lastSent
            ? sql<SqlBool>`(offset_days, repeat_index) > (${lastSent.offset_days}, ${lastSent.repeat_index})`
            : sql<SqlBool>`true`,
        ),
    )
    .execute();
  const moved = await trx
    .updateTable('reminder_occurrences')
    .set({ scheduled_at: until, hold_reason: 'min_gap', updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', 'in', sameSchedule.select('id').where('status', '=', 'scheduled').where('scheduled_at', '<', until))
    .returning('id')
    .execute();
  return { moved: moved.map((r) => r.id), folded };
}

/** The template a reminder went out as, when not its own (`first_overdue`). */
export async function markSentAs(trx: Db, accountId: string, id: string, template: string): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ sent_as: template })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

/**
 * The integrator holds a reminder until a day: it waits until then, whatever replans happen. One
 * held already (a dispute) keeps that hold and its reason, and waits for both.
 */
export function holdUntil(trx: Db, accountId: string, id: string, until: string, at: Date, now: Date) {
  return trx
    .updateTable('reminder_occurrences')
    .set({
      held_until: until,
      scheduled_at: sql`CASE WHEN status = 'held' THEN scheduled_at ELSE ${at}::timestamptz END`,
      hold_reason: sql`CASE WHEN status = 'held' THEN hold_reason ELSE 'vetoed' END`,
      upcoming_notified_at: null,
      updated_at: now,
    })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markSkipped(trx: Db, accountId: string, id: string, reason: string, now: Date): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'skipped', skip_reason: reason, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

export async function markHeld(trx: Db, accountId: string, id: string, reason: string, now: Date): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'held', hold_reason: reason, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

/** Moves a reminder to a later moment, saying why. */
export async function markDeferred(
  trx: Db,
  accountId: string,
  id: string,
  at: Date,
  reason: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ scheduled_at: at, hold_reason: reason, upcoming_notified_at: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .execute();
}

/** Done: sent (an email after `attempts` tries), or acted on (a task created, an event written). */
export async function markSent(
  trx: Db,
  id: string,
  now: Date,
  extra: { taskId?: string; attempts?: number } = {},
): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({
      status: 'sent',
      sent_at: now,
      updated_at: now,
      ...(extra.taskId !== undefined && { task_id: extra.taskId }),
      ...(extra.attempts !== undefined && { attempts: extra.attempts }),
    })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(trx: Db, id: string, failure: string, now: Date): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'failed', failure, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Its message is stored and is to be handed to the provider. */
export async function markSending(trx: Db, id: string, messageId: string, now: Date): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'sending', message_id: messageId, retry_at: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * An attempt is about to be made (counted before the provider is called, so a crash cannot hide
 * it); `leaseUntil`: when it is due again if its outcome is never settled.
 */
export async function markClaimed(trx: Db, id: string, attempts: number, leaseUntil: Date, now: Date): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ attempts, retry_at: leaseUntil, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** A delivery attempt that did not succeed: still `sending`, to try again at `retryAt`, or (null) `failed`. */
export async function markAttemptFailed(
  trx: Db,
  id: string,
  attempts: number,
  failure: string,
  retryAt: Date | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .set({ attempts, failure, status: retryAt ? 'sending' : 'failed', retry_at: retryAt, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Failed reminders back in the queue (`POST /v1/reminders/{id}/retry`): one that stored its
 * message is `sending` again (the same stored bytes, under a new key: `requeues` counts), one
 * that never composed is `scheduled` again. Returns those re-queued.
 */
export function requeueFailed(trx: Db, accountId: string, ids: readonly string[], now: Date) {
  return trx
    .updateTable('reminder_occurrences')
    .set((eb) => ({
      status: sql`CASE WHEN message_id IS NULL THEN 'scheduled' ELSE 'sending' END`,
      requeues: eb('requeues', '+', 1),
      retry_at: now,
      failure: null,
      updated_at: now,
    }))
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', '=', 'failed')
    .returningAll()
    .execute();
}

/** Reminders whose messages were delivered in the transaction that stored them (a local transport). */
export async function markSentWithMessages(
  trx: Db,
  sent: ReadonlyArray<{ id: string; messageId: string }>,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('reminder_occurrences')
    .from(
      sql<{
        id: string;
        message_id: string;
      }>`(SELECT * FROM unnest(${sql.val(sent.map((s) => s.id))}::text[], ${sql.val(sent.map((s) => s.messageId))}::text[]) AS v(id, message_id))`.as(
        'v',
      ),
    )
    .set((eb) => ({
      status: 'sent',
      message_id: eb.ref('v.message_id'),
      attempts: sql`reminder_occurrences.attempts + 1`,
      sent_at: now,
      updated_at: now,
    }))
    .whereRef('reminder_occurrences.id', '=', 'v.id')
    .execute();
}

/**
 * The contact budget's ledger for these customers: the local days of their reminders, on the
 * channels given, sent or on their way since `since` (a letter or a message counts, whatever the
 * invoice). First takes a lock per customer, in a fixed order, held to the end of the transaction:
 * two batches deciding for the same customer take turns, so both cannot spend its last contact.
 */
export async function customerContactDays(
  trx: Db,
  args: {
    accountId: string;
    customerIds: readonly string[];
    channels: readonly string[];
    since: Date;
    timeZone: string;
  },
): Promise<Map<string, Array<{ day: string; invoice: string }>>> {
  const days = new Map<string, Array<{ day: string; invoice: string }>>();
  if (args.customerIds.length === 0 || args.channels.length === 0) return days;
  await sql`
    SELECT pg_advisory_xact_lock(s.k) FROM (
      SELECT hashtextextended('contact:' || c, 0) AS k FROM unnest(${[...args.customerIds]}::text[]) c ORDER BY 1) s`.execute(
    trx,
  );
  const { rows } = await sql<{ customer_id: string; invoice: string; day: string }>`
    SELECT i.customer_id, i.id AS invoice, to_char((coalesce(o.sent_at, o.updated_at) AT TIME ZONE ${args.timeZone})::date, 'YYYY-MM-DD') AS day
      FROM invoices i
      JOIN reminder_occurrences o ON o.account_id = i.account_id AND o.invoice_id = i.id
     WHERE i.account_id = ${args.accountId} AND i.customer_id = ANY(${[...args.customerIds]}::text[])
       AND o.status IN ('sent', 'sending') AND o.channel = ANY(${[...args.channels]}::text[])
       AND coalesce(o.sent_at, o.updated_at) >= ${args.since}`.execute(trx);
  for (const { customer_id, invoice, day } of rows)
    days.set(customer_id, [...(days.get(customer_id) ?? []), { day, invoice }]);
  return days;
}

/**
 * For a policy that groups by customer: the other reminders due now of the same customers,
 * through the same channels (`channels`), so that one batch holds a customer's whole day and
 * composes one message of it. Installments' reminders are never grouped.
 */
export async function dueOfSameCustomers(
  trx: Db,
  accountId: string,
  ids: readonly string[],
  channels: readonly string[],
  now: Date,
): Promise<string[]> {
  if (ids.length === 0 || channels.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT o2.id
      FROM reminder_occurrences o
      JOIN invoices i ON i.account_id = o.account_id AND i.id = o.invoice_id
      JOIN invoices i2 ON i2.account_id = i.account_id AND i2.customer_id = i.customer_id
      JOIN reminder_occurrences o2 ON o2.account_id = i2.account_id AND o2.invoice_id = i2.id
     WHERE o.account_id = ${accountId} AND o.id = ANY(${[...ids]}::text[]) AND o.channel = ANY(${[...channels]}::text[])
       AND o2.status = 'scheduled' AND o2.scheduled_at <= ${now} AND o2.channel = o.channel
       AND o2.installment_number = 0 AND o2.id <> ALL(${[...ids]}::text[])
     LIMIT 1000`.execute(trx);
  return rows.map((r) => r.id);
}

/** The other reminders carrying the same messages as these (a grouped message carries several). */
export async function sharingMessages(trx: Db, accountId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    SELECT o2.id FROM reminder_occurrences o
      JOIN reminder_occurrences o2 ON o2.account_id = o.account_id AND o2.message_id = o.message_id
     WHERE o.account_id = ${accountId} AND o.id = ANY(${[...ids]}::text[]) AND o.message_id IS NOT NULL
       AND o2.id <> ALL(${[...ids]}::text[]) AND o2.status = 'sending'`.execute(trx);
  return rows.map((r) => r.id);
}

/**
 * A grouped message left unsent (an invoice of it was paid or voided before the call): its other
 * reminders are due again at once, to be composed anew without it.
 */
export async function regroup(trx: Db, accountId: string, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('reminder_occurrences')
    .set({ status: 'scheduled', message_id: null, retry_at: null, scheduled_at: now, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', 'in', [...ids])
    .where('status', '=', 'sending')
    .execute();
}

// --- announcements --------------------------------------------------------------------------

/**
 * Reminders of the accounts in scope (`inScope`, over `accounts a`) due within their policy's
 * `upcoming_hours` and not yet announced, read from the partial index of those not announced,
 * from now to the account's longest notice.
 */
export async function upcomingToAnnounce(trx: Db, inScope: RawBuilder<boolean>, now: Date) {
  return (
    await sql<{ account_id: string; id: string }>`
        SELECT o.account_id, o.id
          FROM (SELECT a.id, (SELECT max(p.upcoming_hours) FROM reminder_policies p WHERE p.account_id = a.id) AS hours
                  FROM accounts a WHERE ${inScope}) a
         CROSS JOIN LATERAL (
           SELECT o.account_id, o.id FROM reminder_occurrences o
             JOIN reminder_policies p ON p.account_id = o.account_id AND p.id = o.policy_id
            WHERE o.account_id = a.id AND o.status = 'scheduled' AND o.upcoming_notified_at IS NULL
              AND o.scheduled_at > ${now} AND o.scheduled_at <= ${now}::timestamptz + make_interval(hours => a.hours)
              AND o.scheduled_at <= ${now}::timestamptz + make_interval(hours => p.upcoming_hours)
              AND p.upcoming_hours > 0
            LIMIT 5000) o
         LIMIT 5000`.execute(trx)
  ).rows;
}

/**
 * Marks scheduled reminders announced as upcoming unless they already are: the condition makes
 * the update the arbiter, so a concurrent pass announces nothing twice. Returns those marked.
 */
export function markUpcomingAnnounced(trx: Db, accountId: string, ids: string[], now: Date) {
  return trx
    .updateTable('reminder_occurrences')
    .set({ upcoming_notified_at: now })
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', '=', 'scheduled')
    .where('upcoming_notified_at', 'is', null)
    .returningAll()
    .execute();
}

// --- the integrator's retry and veto ---------------------------------------------------------

/** Locks one reminder of the account. */
export function lockAccountOccurrence(trx: Db, accountId: string, id: string): Promise<OccurrenceRow | undefined> {
  return trx
    .selectFrom('reminder_occurrences')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Locks the account's failed reminders that match, in id order, at most `limit`. */
export function lockFailedOccurrences(
  trx: Db,
  accountId: string,
  criteria: { ids?: string[] | undefined; invoice_id?: string | undefined; failed_since?: string | undefined },
  limit: number,
) {
  let query = trx
    .selectFrom('reminder_occurrences')
    .select('id')
    .where('account_id', '=', accountId)
    .where('status', '=', 'failed');
  if (criteria.ids) query = query.where('id', 'in', criteria.ids);
  if (criteria.invoice_id) query = query.where('invoice_id', '=', criteria.invoice_id);
  if (criteria.failed_since) query = query.where('updated_at', '>=', new Date(criteria.failed_since));
  return query.orderBy('id').limit(limit).forUpdate().execute();
}

/** The invoice of one of the account's reminders (read before locking it, invoice first). */
export const peekOccurrenceInvoice = (trx: Db, accountId: string, id: string) =>
  trx
    .selectFrom('reminder_occurrences')
    .select('invoice_id')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
