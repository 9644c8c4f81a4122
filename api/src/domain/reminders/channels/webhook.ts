import { defineChannel } from './channel.ts';

/** Only the `reminder.sent` event, for integrators who send their own messages. */
export const webhook = defineChannel({
  name: 'webhook',
  summary: 'only an event, for integrators who send their own messages.',
  plan: { rank: 1, repeats: false, needsTemplate: false, contact: 'none', budgeted: false },
  create: () => ({
    compose: async () => ({ kind: 'done' }),
    preview: async () => null,
  }),
});
