import t from 'tap';
import { createOutboxTransport } from '../../src/mail/outbox.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createTransport, type OutgoingEmail, TransportError } from '../../src/mail/transport.ts';
import { signWebhook, startResendStandIn } from '../helpers/resend-stand-in.ts';

const email: OutgoingEmail = {
  from: 'Acme Billing <billing@acme.example>',
  to: ['compta@dupont.example'],
  cc: ['dg@dupont.example'],
  replyTo: 'ar@acme.example',
  subject: 'Invoice F-1 is due',
  html: '<p>Invoice <b>F-1</b> is due.</p>',
  text: 'Invoice F-1 is due.',
  tags: { occurrence_id: 'occ_01jq', 'bad tag!': 'a@b' },
};

t.test('the real Resend SDK against a local stand-in', async (t) => {
  const standIn = await startResendStandIn();
  t.teardown(() => standIn.close());
  const transport = createResendTransport({ apiKey: 're_test_123', baseUrl: standIn.url });
  t.equal(transport.name, 'resend');

  t.test('headers, idempotency key and payload', async (t) => {
    const { providerMessageId } = await transport.send(email, 'occ_01jqaaaaaaaaaaaaaaaaaaaaaa');
    t.match(providerMessageId, /^[0-9a-f-]{36}$/);
    const request = standIn.requests.at(-1)!;
    t.equal(request.method, 'POST');
    t.equal(request.path, '/emails');
    t.equal(request.headers.authorization, 'Bearer re_test_123');
    t.equal(request.headers['idempotency-key'], 'occ_01jqaaaaaaaaaaaaaaaaaaaaaa');
    t.match(request.headers['content-type'], /^application\/json/);
    t.match(request.headers['user-agent'], /^resend-node:/);
    t.same(
      request.body,
      {
        from: 'Acme Billing <billing@acme.example>',
        to: ['compta@dupont.example'],
        cc: ['dg@dupont.example'],
        reply_to: 'ar@acme.example',
        subject: 'Invoice F-1 is due',
        html: '<p>Invoice <b>F-1</b> is due.</p>',
        text: 'Invoice F-1 is due.',
        tags: [
          { name: 'occurrence_id', value: 'occ_01jq' },
          { name: 'bad_tag_', value: 'a_b' },
        ],
      },
      'snake_case fields as the API wants them; tags made acceptable to Resend',
    );
  });

  t.test('no cc, no reply-to, no tags: the fields are left out', async (t) => {
    await transport.send({ ...email, cc: [], replyTo: null, tags: undefined }, 'key-minimal');
    const body = standIn.requests.at(-1)!.body;
    t.notOk('cc' in body);
    t.notOk('reply_to' in body);
    t.notOk('tags' in body);
  });

  t.test('a repeated key returns the same provider id', async (t) => {
    const first = await transport.send(email, 'occ_repeat');
    const second = await transport.send(email, 'occ_repeat');
    t.equal(second.providerMessageId, first.providerMessageId);
    const other = await transport.send(email, 'occ_other');
    t.not(other.providerMessageId, first.providerMessageId);
  });

  t.test('a 500 is a retryable TransportError', async (t) => {
    standIn.failNext(1, 500);
    const error = await transport.send(email, 'occ_500').catch((e: unknown) => e);
    t.type(error, TransportError);
    t.match(error, {
      retryable: true,
      statusCode: 500,
      providerCode: 'internal_server_error',
      message: /Stand-in failure 500/,
    });
    const retried = await transport.send(email, 'occ_500');
    t.ok(retried.providerMessageId, 'the retry with the same key goes through');
  });

  t.test('a 429 is retryable', async (t) => {
    standIn.failNext(1, 429);
    t.match(await transport.send(email, 'occ_429').catch((e: unknown) => e), {
      retryable: true,
      statusCode: 429,
      providerCode: 'rate_limit_exceeded',
    });
  });

  t.test('a 422 is not retryable and keeps the provider message', async (t) => {
    standIn.failNext(1, 422, 'validation_error', 'Invalid `from` field.');
    const error = await transport.send(email, 'occ_422').catch((e: unknown) => e);
    t.type(error, TransportError);
    t.match(error, {
      retryable: false,
      statusCode: 422,
      providerCode: 'validation_error',
      message: 'Resend: Invalid `from` field.',
    });
    const missing = await transport.send({ ...email, from: '' }, 'occ_422b').catch((e: unknown) => e);
    t.match(
      missing,
      { retryable: false, statusCode: 422, providerCode: 'missing_required_field' },
      'a real refusal from the stand-in',
    );
  });

  t.test('the same key with another payload is refused, not retryable', async (t) => {
    await transport.send(email, 'occ_changed');
    const error = await transport.send({ ...email, subject: 'Changed' }, 'occ_changed').catch((e: unknown) => e);
    t.match(error, { retryable: false, statusCode: 409, providerCode: 'invalid_idempotent_request' });
  });

  t.test('a bad API key is not retryable', async (t) => {
    const wrong = createResendTransport({ apiKey: 'not_a_resend_key', baseUrl: standIn.url });
    t.match(await wrong.send(email, 'occ_key').catch((e: unknown) => e), {
      retryable: false,
      statusCode: 403,
      providerCode: 'invalid_api_key',
    });
  });

  t.test('no server is a retryable network error', async (t) => {
    const closed = await startResendStandIn();
    await closed.close();
    const offline = createResendTransport({ apiKey: 're_test_123', baseUrl: closed.url });
    const error = await offline.send(email, 'occ_net').catch((e: unknown) => e);
    t.type(error, TransportError);
    t.match(error, { retryable: true, statusCode: null });
  });
});

t.test('createTransport: Resend with a key, the outbox without', async (t) => {
  const standIn = await startResendStandIn();
  t.teardown(() => standIn.close());
  const resend = createTransport({ resendApiKey: 're_test_abc', resendBaseUrl: `${standIn.url}/` });
  t.equal(resend.name, 'resend');
  await resend.send(email, 'occ_config');
  t.equal(standIn.requests.at(-1)?.headers.authorization, 'Bearer re_test_abc', 'the configured base URL is used');

  const outbox = createTransport({ resendApiKey: undefined, resendBaseUrl: undefined });
  t.equal(outbox.name, 'outbox');
  t.same(await outbox.send(email, 'occ_1'), { providerMessageId: 'outbox_occ_1' });
  t.same(await createOutboxTransport().send(email, 'occ_1'), { providerMessageId: 'outbox_occ_1' }, 'deterministic');
});

t.test('signWebhook reproduces the Standard Webhooks known answer', async (t) => {
  const headers = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{"test": 2432232314}', {
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
  });
  t.equal(headers['svix-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});
