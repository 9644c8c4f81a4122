import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services.ts';
import { actorOf } from '../../auth.ts';
import { IdParams, problems, responses, security } from './common.ts';

export async function documentRoutes(instance: FastifyInstance, { services }: { services: Services }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Documents'];

  app.get('/v1/documents/:id', {
    schema: {
      operationId: 'getDocument',
      tags,
      security,
      params: IdParams,
      summary: 'Download a document (a formal-notice letter) as PDF',
      description:
        'The file exactly as it was produced and stored (its `sha256` is in `document.created` and on the task); `Accept: application/json` gives its metadata instead. `document/pending` (409, with `Retry-After`) while a formal notice decided with its reminder is still being written (its `status` is `pending`, usually for seconds); `document/purged` (410) once the customer was anonymized.',
      response: {
        ...responses(200, 'Document'),
        200: {
          description: 'The PDF, or the document (JSON) with `Accept: application/json`.',
          content: {
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
            'application/json': { schema: { $ref: 'Document' } },
          },
        },
        ...problems,
      },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const accept = request.headers.accept ?? '';
      if (accept.includes('application/json') && !accept.includes('application/pdf'))
        return reply.send(await services.documents.get(actor, request.params.id));
      const { document, content } = await services.documents.file(actor, request.params.id);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${document.filename}"`)
        .header('etag', `"${document.sha256}"`)
        .send(content);
    },
  });
}
