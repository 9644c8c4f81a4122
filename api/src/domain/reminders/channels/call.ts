import { defineChannel } from './channel.ts';
import { createsTask, TASK_PLAN, TASK_SUMMARY } from './task.ts';

/** Someone phones the customer: a `call` task (completing it may record a promise to pay). */
export const call = defineChannel({
  name: 'call',
  summary: TASK_SUMMARY,
  plan: TASK_PLAN,
  create: () => createsTask('call'),
});
