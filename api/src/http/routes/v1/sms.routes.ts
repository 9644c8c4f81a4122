import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
// Only the SDK's signature check, not the whole SDK (about 7 MiB of heap, used to send only).
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import Type from 'typebox';
import { PhoneSuppressionListQuery } from '../../../domain/messages/index.ts';
import { AppError } from '../../../errors.ts';
import type { Services } from '../../../services.ts';
import { SMS_INBOUND_PATH, SMS_STATUS_PATH } from '../../../sms/transport.ts';
import { actorOf } from '../../auth.ts';
import { responses, security } from './common.ts';

/**
 * Text messages: the numbers that opted out, and what Twilio posts back (delivery reports and
 * the customers' replies), each call verified by its `X-Twilio-Signature` (HMAC-SHA1 of the URL
 * Twilio called and its sorted parameters, with the account's auth token; the SDK's
 * `validateRequest`).
 */
export async function smsRoutes(
  instance: FastifyInstance,
  options: { services: Services; twilioAuthToken: string | undefined; publicUrl: string },
) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { services, twilioAuthToken } = options;
  const tags = ['Messages'];

  app.get('/v1/phone_suppressions', {
    schema: {
      operationId: 'listPhoneSuppressions',
      tags,
      security,
      querystring: PhoneSuppressionListQuery,
      response: responses(200, 'PhoneSuppressionList'),
      summary: 'List the mobile numbers that are not texted, in number order',
      description: 'Numbers that answered STOP, or that the provider says opted out (docs/sms.md#stop).',
    },
    handler: (request) => services.sms.listSuppressions(actorOf(request), request.query),
  });

  app.delete('/v1/phone_suppressions/:phone', {
    schema: {
      operationId: 'removePhoneSuppression',
      tags,
      security,
      summary: 'Let text messages go to a number again',
      description:
        'Only when the customer asked for them back: the provider itself keeps refusing a number that answered STOP until it texts START.',
      params: Type.Object(
        { phone: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'The number, E.164.' }) },
        { additionalProperties: false },
      ),
      response: responses(200, 'PhoneSuppressionRemoved'),
    },
    handler: (request) => services.sms.removeSuppression(actorOf(request), request.params.phone),
  });

  const base = options.publicUrl.replace(/\/+$/, '');
  /** The form Twilio posted, once its signature over the URL it called is verified. */
  function verified(request: FastifyRequest): Record<string, string> {
    if (!twilioAuthToken)
      throw new AppError(
        'webhook/not_configured',
        503,
        'Twilio callbacks are not accepted: TWILIO_AUTH_TOKEN is not set.',
      );
    const params = Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
    const signature = request.headers['x-twilio-signature'];
    // Twilio signs the URL it was given (PUBLIC_URL and the path), query string included.
    const url = `${base}${request.url}`;
    if (typeof signature !== 'string' || !validateRequest(twilioAuthToken, signature, url, params))
      throw new AppError(
        'webhook/invalid_signature',
        401,
        'The X-Twilio-Signature header does not match this request.',
      );
    return params;
  }

  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    // No API key here (auth.ts lists the routes): Twilio signs each call with the auth token.
    raw.post(`/v1${SMS_STATUS_PATH}`, {
      schema: { hide: true },
      handler: (request) => {
        const form = verified(request);
        return services.sms.applyStatus({
          providerMessageId: form.MessageSid ?? form.SmsSid ?? '',
          status: form.MessageStatus ?? form.SmsStatus ?? '',
          errorCode: form.ErrorCode || null,
        });
      },
    });
    raw.post(`/v1${SMS_INBOUND_PATH}`, {
      schema: { hide: true },
      handler: async (request, reply) => {
        const form = verified(request);
        await services.sms.applyReply({
          from: form.From ?? '',
          to: form.To ?? '',
          body: form.Body ?? '',
          optOutType: form.OptOutType || null,
        });
        // An empty TwiML answer: Relance sends no automatic reply (the provider confirms a STOP itself).
        return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      },
    });
  });
}
