import type { Clock } from '../../clock.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { isForeignKeyViolation } from '../../store/pg-errors.ts';
import { parseInput } from '../../validation.ts';
import { type Actor, assertWriteAccess, type Page, PageQuery, toPage } from '../shared/index.ts';
import { defaultPolicyId, policyNamedByRules } from './account-settings.repository.ts';
import { channelPlan } from './channels/registry.ts';
import {
  deletePolicy,
  findPolicy,
  insertPolicy,
  listPolicies,
  type PolicyRow,
  updatePolicy,
} from './policy.repository.ts';
import { DEFAULT_POLICY, firstContactAllowed, orderedSteps, type PolicyPlan } from './policy.rules.ts';
import {
  type ReminderPolicy,
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  type ReminderStep,
  type ReminderStepInput,
} from './policy.schemas.ts';

export type { PolicyRow };

export function planOf(row: PolicyRow): PolicyPlan {
  return {
    steps: row.steps as unknown as ReminderStep[],
    repeat: row.repeat_every_days && row.repeat_max ? { every_days: row.repeat_every_days, max: row.repeat_max } : null,
    send_hour: row.send_hour,
    send_minute: row.send_minute,
    skip_weekends: row.skip_weekends,
    skip_holidays: row.skip_holidays,
    min_gap_days: row.min_gap_days,
  };
}

export const minBalanceOf = (row: PolicyRow, currency: string): number =>
  (row.min_balance as Record<string, number>)[currency] ?? 0;

const present = (row: PolicyRow, defaultId: string | null): ReminderPolicy => ({
  id: row.id,
  object: 'reminder_policy',
  name: row.name,
  steps: orderedSteps(row.steps as unknown as ReminderStep[]).map((step) => ({
    ...step,
    first_contact_allowed: firstContactAllowed(step),
    attach_invoice_pdf: step.attach_invoice_pdf ?? false,
    attach_statement: step.attach_statement ?? false,
  })),
  repeat: planOf(row).repeat,
  send_hour: row.send_hour,
  send_minute: row.send_minute,
  skip_weekends: row.skip_weekends,
  skip_holidays: row.skip_holidays,
  min_balance: row.min_balance as Record<string, number>,
  min_gap_days: row.min_gap_days,
  max_contacts_per_week: row.max_contacts_per_week,
  min_days_between_contacts: row.min_days_between_contacts,
  grouping: row.grouping as ReminderPolicy['grouping'],
  upcoming_hours: row.upcoming_hours,
  is_default: row.id === defaultId,
  invoices_to_replan: row.replan_after === null ? 0 : row.invoices_to_replan,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** Gives new steps an id and checks that the steps of channels with templates (email) name one. Step ids given must exist. */
function normalizeSteps(input: ReminderStepInput[], existing: ReminderStep[]): ReminderStep[] {
  const known = new Set(existing.map((s) => s.id));
  return input.map((step, i) => {
    if (step.id && !known.has(step.id)) {
      throw new AppError(
        'request/validation_failed',
        400,
        "A step id must be one of this policy's steps; leave it out for a new step.",
        {
          errors: [{ field: `/steps/${i}/id`, message: 'is not a step of this policy' }],
        },
      );
    }
    if (channelPlan(step.channel).needsTemplate && !step.template_key) {
      const a = /^[aeiou]/.test(step.channel) ? 'An' : 'A';
      throw new AppError('request/validation_failed', 400, `${a} ${step.channel} step needs a template_key.`, {
        errors: [
          { field: `/steps/${i}/template_key`, message: `is required for ${a.toLowerCase()} ${step.channel} step` },
        ],
      });
    }
    // mail/templates' STATEMENT_TEMPLATE_KEY (not imported: the templates reach back here through accounts).
    if (step.template_key === 'statement')
      throw new AppError(
        'request/validation_failed',
        400,
        "'statement' is the monthly statement email's template: it has no invoice to render, so no step may send it.",
        { errors: [{ field: `/steps/${i}/template_key`, message: 'is the monthly statement template' }] },
      );
    if (step.attach_invoice_pdf && step.channel !== 'email')
      throw new AppError('request/validation_failed', 400, 'Only an email step can attach the invoice PDF.', {
        errors: [{ field: `/steps/${i}/attach_invoice_pdf`, message: 'is for email steps only' }],
      });
    if (step.attach_statement && step.channel !== 'email')
      throw new AppError('request/validation_failed', 400, "Only an email step can attach the customer's statement.", {
        errors: [{ field: `/steps/${i}/attach_statement`, message: 'is for email steps only' }],
      });
    if (step.attach_statement && step.attach_invoice_pdf)
      throw new AppError(
        'request/validation_failed',
        400,
        "An email carries one attachment: the invoice's PDF or the customer's statement, not both.",
        { errors: [{ field: `/steps/${i}/attach_statement`, message: 'cannot go with attach_invoice_pdf' }] },
      );
    const normalized = {
      id: step.id ?? newId('reminderStep'),
      offset_days: step.offset_days,
      channel: step.channel,
      template_key: step.template_key ?? null,
      applies_late_fees: step.applies_late_fees ?? false,
    };
    return {
      ...normalized,
      attach_invoice_pdf: step.attach_invoice_pdf ?? false,
      attach_statement: step.attach_statement ?? false,
      first_contact_allowed: firstContactAllowed({ ...normalized, first_contact_allowed: step.first_contact_allowed }),
    };
  });
}

/** Whether a template key has a text message in some locale (Relance's keys all have one); handed in by services.ts. */
export type TextTemplateExists = (trx: Db, key: string) => Promise<boolean>;

/**
 * An `sms` step names a template that has a text message: one of Relance's keys (each has one), or
 * one of the account's own with `sms` in at least one locale.
 * @throws AppError `reminder_policy/template_without_sms` (422) naming each step that does not.
 */
async function assertTextTemplates(
  trx: Db,
  steps: readonly ReminderStep[],
  exists: TextTemplateExists | undefined,
): Promise<void> {
  if (!exists) return;
  const missing: Array<{ key: string; i: number }> = [];
  for (const [i, step] of steps.entries())
    if (step.channel === 'sms' && step.template_key && !(await exists(trx, step.template_key)))
      missing.push({ key: step.template_key, i });
  if (missing.length > 0)
    throw new AppError(
      'reminder_policy/template_without_sms',
      422,
      `An sms step sends its template's text message, and ${missing.map((m) => `'${m.key}'`).join(', ')} has none: give it an \`sms\` (PUT /v1/templates/{key}/{locale}) or use one of Relance's keys.`,
      {
        errors: missing.map((m) => ({
          field: `/steps/${m.i}/template_key`,
          message: `the template '${m.key}' has no text message`,
        })),
      },
    );
}

function columns(data: ReminderPolicyUpdate, steps: ReminderStep[] | undefined) {
  return {
    ...(data.name !== undefined && { name: data.name }),
    ...(steps && { steps: JSON.stringify(steps) }),
    ...(data.repeat !== undefined && {
      repeat_every_days: data.repeat?.every_days ?? null,
      repeat_max: data.repeat?.max ?? null,
    }),
    ...(data.send_hour !== undefined && { send_hour: data.send_hour }),
    ...(data.send_minute !== undefined && { send_minute: data.send_minute }),
    ...(data.skip_weekends !== undefined && { skip_weekends: data.skip_weekends }),
    ...(data.skip_holidays !== undefined && { skip_holidays: data.skip_holidays }),
    ...(data.min_balance !== undefined && { min_balance: JSON.stringify(data.min_balance) }),
    ...(data.min_gap_days !== undefined && { min_gap_days: data.min_gap_days }),
    ...(data.max_contacts_per_week !== undefined && { max_contacts_per_week: data.max_contacts_per_week }),
    ...(data.min_days_between_contacts !== undefined && { min_days_between_contacts: data.min_days_between_contacts }),
    ...(data.grouping !== undefined && { grouping: data.grouping }),
    ...(data.upcoming_hours !== undefined && { upcoming_hours: data.upcoming_hours }),
  };
}

/** Inserts the default policy for a new account (in the caller's transaction) and returns its id. */
export async function insertDefaultPolicy(trx: Db, accountId: string, now: Date): Promise<string> {
  const id = newId('reminderPolicy');
  await insertPolicy(trx, {
    account_id: accountId,
    id,
    name: DEFAULT_POLICY.name,
    steps: JSON.stringify(
      normalizeSteps(
        DEFAULT_POLICY.steps.map((s) => ({ ...s })),
        [],
      ),
    ),
    send_hour: DEFAULT_POLICY.send_hour,
    send_minute: DEFAULT_POLICY.send_minute,
    skip_weekends: DEFAULT_POLICY.skip_weekends,
    skip_holidays: DEFAULT_POLICY.skip_holidays,
    min_gap_days: DEFAULT_POLICY.min_gap_days,
    created_at: now,
    updated_at: now,
  });
  return id;
}

export function createReminderPolicyService(deps: {
  database: Database;
  clock: Clock;
  /** How many open invoices a changed policy applies to (the schedule module): the workers replan them. */
  invoicesToReplan?: (trx: Db, actor: Actor, policyId: string) => Promise<number>;
  /** Whether a template has a text message (the templates module): an `sms` step must name one. */
  textTemplateExists?: TextTemplateExists;
}) {
  const { database, clock } = deps;
  const find = async (trx: Db, id: string) => {
    const row = await findPolicy(trx, id);
    if (!row) throw notFound('reminder_policy', id);
    return row;
  };

  return {
    async create(actor: Actor, input: ReminderPolicyCreate): Promise<ReminderPolicy> {
      assertWriteAccess(actor);
      const data = parseInput<ReminderPolicyCreate>(ReminderPolicyCreate, input);
      const now = clock.now();
      return database.withAccount(actor.accountId, async (trx) => {
        const steps = normalizeSteps(data.steps, []);
        await assertTextTemplates(trx, steps, deps.textTemplateExists);
        const row = await insertPolicy(trx, {
          account_id: actor.accountId,
          id: newId('reminderPolicy'),
          name: data.name,
          steps: '[]',
          created_at: now,
          updated_at: now,
          ...columns(data, steps),
        });
        return present(row, await defaultPolicyId(trx));
      });
    },

    get(actor: Actor, id: string): Promise<ReminderPolicy> {
      return database.withAccount(actor.accountId, async (trx) =>
        present(await find(trx, id), await defaultPolicyId(trx)),
      );
    },

    list(actor: Actor, input: PageQuery): Promise<Page<ReminderPolicy>> {
      const query = parseInput<PageQuery>(PageQuery, input);
      const limit = query.limit ?? 20;
      return database.withAccount(actor.accountId, async (trx) => {
        const rows = await listPolicies(trx, query);
        const def = await defaultPolicyId(trx);
        return toPage(
          rows.map((row) => present(row, def)),
          limit,
        );
      });
    },

    /**
     * Changes a policy. Open invoices that follow it are replanned by the workers, in the
     * background (`invoices_to_replan` says how many are still to go): future reminders move to
     * the new steps; a step removed is canceled; nothing already sent is ever sent again (a kept
     * step id keeps its history).
     */
    async update(actor: Actor, id: string, patch: ReminderPolicyUpdate): Promise<ReminderPolicy> {
      assertWriteAccess(actor);
      const data = parseInput<ReminderPolicyUpdate>(ReminderPolicyUpdate, patch);
      return database.withAccount(actor.accountId, async (trx) => {
        const current = await find(trx, id);
        const steps = data.steps ? normalizeSteps(data.steps, current.steps as unknown as ReminderStep[]) : undefined;
        if (steps) await assertTextTemplates(trx, steps, deps.textTemplateExists);
        // A new name changes no reminder; anything else replans the policy's open invoices, in
        // the background: the workers flag them in batches (from the first again if a replan was
        // under way) and the sender replans any of them before sending meanwhile.
        const replans = Object.keys(data).some((key) => key !== 'name');
        const pending = replans ? ((await deps.invoicesToReplan?.(trx, actor, id)) ?? 0) : undefined;
        const row = await updatePolicy(trx, id, {
          ...columns(data, steps),
          updated_at: clock.now(),
          ...(pending !== undefined && { replan_after: '', invoices_to_replan: pending }),
        });
        return present(row, await defaultPolicyId(trx));
      });
    },

    /** Deletes a policy no invoice, customer or account default uses. */
    async delete(actor: Actor, id: string): Promise<{ id: string; object: 'reminder_policy'; deleted: true }> {
      assertWriteAccess(actor);
      try {
        await database.withAccount(actor.accountId, async (trx) => {
          await find(trx, id);
          if (await policyNamedByRules(trx, actor.accountId, id))
            throw new AppError(
              'reminder_policy/in_use',
              409,
              'This policy is named by a policy rule of the account: change the rules first.',
            );
          await deletePolicy(trx, id);
        });
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AppError(
            'reminder_policy/in_use',
            409,
            'This policy is used by an invoice, a customer or as the account default.',
          );
        }
        throw error;
      }
      return { id, object: 'reminder_policy', deleted: true };
    },
  };
}

export type ReminderPolicyService = ReturnType<typeof createReminderPolicyService>;
