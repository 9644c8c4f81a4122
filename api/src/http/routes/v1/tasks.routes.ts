import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TaskComplete, TaskListQuery, TaskUpdate } from '../../../domain/tasks/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, IdempotencyHeaders, responses, security, ref } from './common.ts';

export async function taskRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Tasks'];

  app.get('/v1/tasks', {
    schema: {
      operationId: 'listTasks',
      tags,
      security,
      querystring: TaskListQuery,
      response: responses(200, 'TaskList'),
      summary: 'List tasks, newest first',
      description: 'Calls, letters and collection hand-offs created by the reminder policy steps of those channels.',
    },
    handler: (request) => services.tasks.list(actorOf(request), request.query),
  });

  app.get('/v1/tasks/:id', {
    schema: {
      operationId: 'getTask',
      tags,
      summary: 'Get a task',
      security,
      params: IdParams,
      response: responses(200, 'Task'),
    },
    handler: (request) => services.tasks.get(actorOf(request), request.params.id),
  });

  app.patch('/v1/tasks/:id', {
    schema: {
      operationId: 'updateTask',
      tags,
      summary: 'Assign an open task or change its note',
      security,
      params: IdParams,
      body: ref(TaskUpdate),
      response: responses(200, 'Task'),
    },
    handler: (request) => services.tasks.update(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/tasks/:id/complete', {
    schema: {
      operationId: 'completeTask',
      tags,
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      body: ref(TaskComplete),
      response: responses(200, 'Task'),
      summary: 'Complete an open task with its outcome',
      description:
        'A call task may record the payment date the customer promised (`promise_to_pay_on`, today or later): it is set on ' +
        'the invoice, whose reminders wait until two days after it and resume if it passes unpaid.',
    },
    handler: (request) => services.tasks.complete(actorOf(request), request.params.id, request.body),
  });

  app.post('/v1/tasks/:id/cancel', {
    schema: {
      operationId: 'cancelTask',
      tags,
      summary: 'Cancel an open task',
      security,
      headers: IdempotencyHeaders,
      params: IdParams,
      response: responses(200, 'Task'),
    },
    handler: (request) => services.tasks.cancel(actorOf(request), request.params.id),
  });
}
