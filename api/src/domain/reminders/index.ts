// The reminders module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { type ComposeInput, createReminderEngine, type GroupedComposeInput, type MessageComposer } from './engine.ts';
export { CHANNEL_NAMES, createChannels, describeChannels } from './channels/registry.ts';
export {
  type Channel,
  PolicyRule,
  PolicyRules,
  ReminderPolicy,
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  type ReminderStep,
} from './policy.schemas.ts';
export { createReminderPolicyService, insertDefaultPolicy, planOf } from './policy.service.ts';
export { DEFAULT_POLICY, mayMessageAt, nextSendTime, type PolicyPlan } from './policy.rules.ts';
export {
  oldestDueReminderAge,
  releaseRemindersSkippedAsPaid,
  skipPendingOfInvoices,
} from './reminder-occurrence.repository.ts';
export { countInvoicesOfPolicy, markPoliciesForReplan } from './planning.repository.ts';
export { replanInvoices } from './schedule.ts';
export { createReminderRetention, MIN_REMINDER_RETENTION_DAYS, type ReminderPurge } from './retention.ts';
export { createReminderScheduler, type Scope as SchedulerScope } from './scheduler.ts';
export {
  createTimelineService,
  TestClock,
  TestClockAdvance,
  TestClockReset,
  Timeline,
  type TimelineEntry,
} from './timeline.service.ts';
export { createReminderRetryService, ReminderDelivery, RemindersRequeued, RemindersRetry } from './retry.service.ts';
export { createReminderVetoService, ReminderHold } from './veto.service.ts';
