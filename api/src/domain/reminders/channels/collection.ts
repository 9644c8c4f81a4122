import { defineChannel } from './channel.ts';
import { createsTask, TASK_PLAN, TASK_SUMMARY } from './task.ts';

/** The debt goes to a collection agency: a `collection` task for a person. */
export const collection = defineChannel({
  name: 'collection',
  summary: TASK_SUMMARY,
  plan: TASK_PLAN,
  create: () => createsTask('collection'),
});
