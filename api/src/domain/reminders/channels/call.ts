import { defineChannel } from './channel.ts';
import { createsTask, TASK_PLAN, TASK_SUMMARY } from './task.ts';

/** Someone phones the customer: a `call` task (completing it may record a promise to pay). */
export const call = defineChannel({
  name: 'call',
  summary: TASK_SUMMARY,
  // A person phones at once: in the customer's daytime only (the task appears then).
  plan: { ...TASK_PLAN, daytimeOnly: true },
  create: () => createsTask('call'),
});
