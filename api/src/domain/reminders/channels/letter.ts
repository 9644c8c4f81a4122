import { defineChannel } from './channel.ts';
import { createsTask, TASK_PLAN, TASK_SUMMARY } from './task.ts';

/** A formal notice sent by post (registered letter): a `letter` task for a person. */
export const letter = defineChannel({
  name: 'letter',
  summary: TASK_SUMMARY,
  plan: TASK_PLAN,
  create: () => createsTask('letter'),
});
