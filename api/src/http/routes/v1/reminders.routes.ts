import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ReminderPolicyCreate, ReminderPolicyUpdate, TestClockAdvance, TestClockReset } from '../../../domain/reminders/index.ts';
import { PageQuery } from '../../../domain/shared/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { Deleted, IdempotencyHeaders, IdParams, problems, responses, security } from './common.ts';

export async function reminderRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;
  const tags = ['Reminder policies'];
  const policies = services.reminderPolicies;

  app.post('/v1/reminder_policies', {
    schema: { operationId: 'createReminderPolicy', tags, summary: 'Create a reminder policy', security, headers: IdempotencyHeaders, body: Type.Ref('ReminderPolicyCreate'), response: responses(201, 'ReminderPolicy') },
    handler: async (request, reply) => reply.code(201).send(await policies.create(actorOf(request), request.body as ReminderPolicyCreate)),
  });
  app.get('/v1/reminder_policies', {
    schema: { operationId: 'listReminderPolicies', tags, summary: 'List reminder policies', security, querystring: PageQuery, response: responses(200, 'ReminderPolicyList') },
    handler: (request) => policies.list(actorOf(request), request.query as PageQuery),
  });
  app.get('/v1/reminder_policies/:id', {
    schema: { operationId: 'getReminderPolicy', tags, summary: 'Get a reminder policy', security, params: IdParams, response: responses(200, 'ReminderPolicy') },
    handler: (request) => policies.get(actorOf(request), id(request)),
  });
  app.patch('/v1/reminder_policies/:id', {
    schema: {
      operationId: 'updateReminderPolicy', tags, security, params: IdParams, body: Type.Ref('ReminderPolicyUpdate'), response: responses(200, 'ReminderPolicy'),
      summary: 'Change a policy: open invoices that follow it are replanned; nothing already sent is sent again',
    },
    handler: (request) => policies.update(actorOf(request), id(request), request.body as ReminderPolicyUpdate),
  });
  app.delete('/v1/reminder_policies/:id', {
    schema: {
      operationId: 'deleteReminderPolicy', tags, summary: 'Delete an unused reminder policy', security, params: IdParams,
      response: { 200: { description: 'Deleted.', content: { 'application/json': { schema: Deleted('reminder_policy') } } }, ...problems },
    },
    handler: (request) => policies.delete(actorOf(request), id(request)),
  });

  app.get('/v1/invoices/:id/timeline', {
    schema: {
      operationId: 'getInvoiceTimeline', tags: ['Invoices'], security, params: IdParams, response: responses(200, 'Timeline'),
      summary: "An invoice's follow-up: reminders sent, skipped (and why) and to come, with their subjects",
    },
    handler: (request) => services.timeline.timeline(actorOf(request), id(request)),
  });

  app.get('/v1/test_clock', {
    schema: { operationId: 'getTestClock', tags: ['Test clock'], summary: "A test account's clock", security, response: responses(200, 'TestClock') },
    handler: (request) => services.timeline.testClock(actorOf(request)),
  });
  app.post('/v1/test_clock/advance', {
    schema: {
      operationId: 'advanceTestClock', tags: ['Test clock'], security, headers: IdempotencyHeaders, body: Type.Ref('TestClockAdvance'), response: responses(200, 'TestClock'),
      summary: 'Move a test account forward in time; every reminder, task and event due on the way happens before this returns',
    },
    handler: (request) => services.timeline.advance(actorOf(request), request.body as TestClockAdvance),
  });
  app.post('/v1/test_clock/reset', {
    schema: {
      operationId: 'resetTestClock', tags: ['Test clock'], security, headers: IdempotencyHeaders, body: Type.Ref('TestClockReset'), response: responses(200, 'TestClock'),
      summary: "Start a test account over: delete its customers, invoices, payments, messages, tasks and events (settings stay) and set its clock",
    },
    handler: (request) => services.timeline.reset(actorOf(request), (request.body ?? {}) as TestClockReset),
  });
}
