import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EventListQuery } from '../../../domain/events/index.ts';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, responses, security } from './common.ts';

export async function eventRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Events'];

  app.get('/v1/events', {
    schema: {
      operationId: 'listEvents',
      tags,
      security,
      querystring: EventListQuery,
      response: responses(200, 'EventList'),
      summary: 'List events, newest first',
      description:
        'Every change writes an event in the same transaction: it exists if and only if the change does. Ordered by `sequence`.',
    },
    handler: (request) => services.events.list(actorOf(request), request.query),
  });

  app.get('/v1/events/:id', {
    schema: {
      operationId: 'getEvent',
      tags,
      summary: 'Get an event',
      security,
      params: IdParams,
      response: responses(200, 'Event'),
    },
    handler: (request) => services.events.get(actorOf(request), request.params.id),
  });
}
