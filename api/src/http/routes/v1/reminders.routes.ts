import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ReminderPolicyCreate,
  ReminderPolicyUpdate,
  RemindersRetry,
  ReminderHold,
  TestClockAdvance,
  TestClockReset,
} from '../../../domain/reminders/index.ts';
import { PageQuery } from '../../../domain/shared/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { Deleted, IdempotencyHeaders, IdParams, problems, responses, security, ref } from './common.ts';

export async function reminderRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Reminder policies'];
  const policies = services.reminderPolicies;

  app.post('/v1/reminder_policies', {
    schema: {
      operationId: 'createReminderPolicy',
      tags,
      summary: 'Create a reminder policy',
      security,
      headers: IdempotencyHeaders,
      body: ref(ReminderPolicyCreate),
      response: responses(201, 'ReminderPolicy'),
    },
    handler: async (request, reply) => reply.code(201).send(await policies.create(actorOf(request), request.body)),
  });
  app.get('/v1/reminder_policies', {
    schema: {
      operationId: 'listReminderPolicies',
      tags,
      summary: 'List reminder policies',
      security,
      querystring: PageQuery,
      response: responses(200, 'ReminderPolicyList'),
    },
    handler: (request) => policies.list(actorOf(request), request.query),
  });
  app.get('/v1/reminder_policies/:id', {
    schema: {
      operationId: 'getReminderPolicy',
      tags,
      summary: 'Get a reminder policy',
      security,
      params: IdParams,
      response: responses(200, 'ReminderPolicy'),
    },
    handler: (request) => policies.get(actorOf(request), request.params.id),
  });
  app.patch('/v1/reminder_policies/:id', {
    schema: {
      operationId: 'updateReminderPolicy',
      tags,
      security,
      params: IdParams,
      body: ref(ReminderPolicyUpdate),
      response: responses(200, 'ReminderPolicy'),
      summary: 'Change a policy: open invoices that follow it are replanned; nothing already sent is sent again',
    },
    handler: (request) => policies.update(actorOf(request), request.params.id, request.body),
  });
  app.delete('/v1/reminder_policies/:id', {
    schema: {
      operationId: 'deleteReminderPolicy',
      tags,
      summary: 'Delete an unused reminder policy',
      security,
      params: IdParams,
      response: {
        200: { description: 'Deleted.', content: { 'application/json': { schema: Deleted('reminder_policy') } } },
        ...problems,
      },
    },
    handler: (request) => policies.delete(actorOf(request), request.params.id),
  });

  app.post('/v1/reminders/:id/retry', {
    schema: {
      operationId: 'retryReminder',
      tags: ['Reminders'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'ReminderDelivery'),
      summary: 'Put a failed reminder back in the queue (one already queued again is returned as it is)',
    },
    handler: (request) => services.reminders.retries.retry(actorOf(request), request.params.id),
  });
  app.post('/v1/reminders/:id/hold', {
    schema: {
      operationId: 'holdReminder',
      tags: ['Reminders'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(ReminderHold),
      response: responses(200, 'ReminderDelivery'),
      summary: 'Hold a reminder still to go until a day (after `reminder.upcoming`, for instance)',
      description:
        "It goes at the policy's send time that day if the invoice is still owed; no replan brings it back earlier. Holding it again moves the day. A reminder already on its way or sent: `reminder/not_pending` (409).",
    },
    handler: (request) => services.reminders.vetoes.hold(actorOf(request), request.params.id, request.body),
  });
  app.post('/v1/reminders/:id/cancel', {
    schema: {
      operationId: 'cancelReminder',
      tags: ['Reminders'],
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'ReminderDelivery'),
      summary: 'Cancel a reminder still to go, for good',
      description:
        'It becomes `skipped` with reason `canceled` (and `reminder.skipped`); no replan brings it back, and cancelling it again changes nothing. A reminder already on its way or sent: `reminder/not_pending` (409).',
    },
    handler: (request) => services.reminders.vetoes.cancel(actorOf(request), request.params.id),
  });
  app.post('/v1/reminders/retry', {
    schema: {
      operationId: 'retryFailedReminders',
      tags: ['Reminders'],
      security,
      headers: IdempotencyHeaders,
      body: ref(RemindersRetry),
      response: responses(200, 'RemindersRequeued'),
      summary:
        'Put failed reminders back in the queue: by ids, invoice, or since when they failed (at most 1000 per call)',
    },
    handler: (request) => services.reminders.retries.retryMany(actorOf(request), request.body ?? {}),
  });

  app.get('/v1/invoices/:id/timeline', {
    schema: {
      operationId: 'getInvoiceTimeline',
      tags: ['Invoices'],
      security,
      params: IdParams,
      response: responses(200, 'Timeline'),
      summary: "An invoice's follow-up: reminders sent, skipped (and why) and to come, with their subjects",
    },
    handler: (request) => services.timeline.timeline(actorOf(request), request.params.id),
  });

  app.get('/v1/test_clock', {
    schema: {
      operationId: 'getTestClock',
      tags: ['Test clock'],
      summary: "A test account's clock",
      security,
      response: responses(200, 'TestClock'),
    },
    handler: (request) => services.timeline.testClock(actorOf(request)),
  });
  app.post('/v1/test_clock/advance', {
    schema: {
      operationId: 'advanceTestClock',
      tags: ['Test clock'],
      security,
      headers: IdempotencyHeaders,
      body: ref(TestClockAdvance),
      response: responses(200, 'TestClock'),
      summary:
        'Move a test account forward in time; every reminder, task and event due on the way happens before this returns',
    },
    handler: (request) => services.timeline.advance(actorOf(request), request.body),
  });
  app.post('/v1/test_clock/reset', {
    schema: {
      operationId: 'resetTestClock',
      tags: ['Test clock'],
      security,
      headers: IdempotencyHeaders,
      body: ref(TestClockReset),
      response: responses(200, 'TestClock'),
      summary:
        'Start a test account over: delete its customers, invoices, payments, messages, tasks and events (settings stay) and set its clock',
    },
    handler: (request) => services.timeline.reset(actorOf(request), request.body ?? {}),
  });
}
