import { randomBytes } from 'node:crypto';
import { signWebhook, verifyWebhook, WebhookVerificationError, type RelanceEvent } from '@relance/sdk';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import t from 'tap';

/** The error `fn` throws. */
async function thrown(fn: () => Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected a WebhookVerificationError, got none');
}

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

t.test('the Standard Webhooks known answer', async (t) => {
  // The Standard Webhooks specification's known-answer vector.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const headers = {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const at = () => new Date(1614265330 * 1000);
  t.same(await verifyWebhook('{"test": 2432232314}', headers, secret, { now: at }), { test: 2432232314 });
  t.equal(
    (await thrown(() => verifyWebhook('{"test": 2432232315}', headers, secret, { now: at }))).code,
    'invalid_signature',
  );
  t.equal(
    (await thrown(() => verifyWebhook('{"test": 2432232314}', headers, secret))).code,
    'timestamp_too_old',
    'that vector is from 2021',
  );
});

t.test('accepts what standardwebhooks and svix sign; rejects anything changed', async (t) => {
  const secret = newSecret();
  const event = {
    id: 'evt_01',
    object: 'event',
    type: 'invoice.paid',
    object_type: 'invoice',
    object_id: 'inv_01',
    object_sequence: 3,
    data: { id: 'inv_01', balance: 0 },
  };
  const body = JSON.stringify(event);
  const now = new Date();
  const signers = { standardwebhooks: new StandardWebhook(secret), svix: new SvixWebhook(secret) };

  for (const [name, signer] of Object.entries(signers)) {
    t.test(name, async (t) => {
      const headers = {
        'webhook-id': 'evt_01',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign('evt_01', now, body),
      };
      const verified: RelanceEvent = await verifyWebhook(body, headers, secret);
      t.same(verified, event, 'the event, parsed');
      t.same(await verifyWebhook(new TextEncoder().encode(body), headers, secret), event, 'a Uint8Array body');
      t.same(await verifyWebhook(Buffer.from(body), new Headers(headers), secret), event, 'a fetch Headers, a Buffer');
      const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
      t.same(await verifyWebhook(body, upper, secret), event, 'header names in any case');

      t.equal(
        (await thrown(() => verifyWebhook(body.replace('"balance":0', '"balance":1'), headers, secret))).code,
        'invalid_signature',
        'tampered body',
      );
      t.equal(
        (await thrown(() => verifyWebhook(`${body} `, headers, secret))).code,
        'invalid_signature',
        'one byte more',
      );
      t.equal(
        (await thrown(() => verifyWebhook(body, headers, newSecret()))).code,
        'invalid_signature',
        'wrong secret',
      );
      t.equal(
        (await thrown(() => verifyWebhook(body, { ...headers, 'webhook-id': 'evt_02' }, secret))).code,
        'invalid_signature',
        'another id',
      );
      t.equal(
        (
          await thrown(() =>
            verifyWebhook(
              body,
              { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') },
              secret,
            ),
          )
        ).code,
        'invalid_signature',
        'an unknown version',
      );
    });
  }

  t.test('the timestamp: five minutes either way', async (t) => {
    const signer = signers.standardwebhooks;
    const at = (offsetSeconds: number) => {
      const date = new Date(now.getTime() + offsetSeconds * 1000);
      return {
        'webhook-id': 'evt_01',
        'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
        'webhook-signature': signer.sign('evt_01', date, body),
      };
    };
    const nowFn = () => now;
    t.same(await verifyWebhook(body, at(-299), secret, { now: nowFn }), event, '4:59 old');
    t.same(await verifyWebhook(body, at(299), secret, { now: nowFn }), event, '4:59 ahead');
    const stale = await thrown(() => verifyWebhook(body, at(-301), secret, { now: nowFn }));
    t.equal(stale.code, 'timestamp_too_old');
    t.match(stale.message, /more than 300 s/);
    t.equal((await thrown(() => verifyWebhook(body, at(301), secret, { now: nowFn }))).code, 'timestamp_too_new');
    t.same(
      await verifyWebhook(body, at(-3600), secret, { now: nowFn, toleranceSeconds: 7200 }),
      event,
      'a tolerance of your own',
    );
    t.equal(
      (await thrown(() => verifyWebhook(body, { ...at(0), 'webhook-timestamp': 'yesterday' }, secret))).code,
      'invalid_timestamp',
    );
  });

  t.test('missing headers are named', async (t) => {
    const headers = {
      'webhook-id': 'evt_01',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signers.svix.sign('evt_01', now, body),
    };
    for (const name of Object.keys(headers)) {
      const { [name as keyof typeof headers]: _gone, ...rest } = headers;
      const error = await thrown(() => verifyWebhook(body, rest, secret));
      t.equal(error.code, 'missing_headers', name);
      t.match(error.message, name);
      t.ok(error instanceof Error && error.name === 'WebhookVerificationError');
    }
    t.match(
      (await thrown(() => verifyWebhook(body, {}, secret))).message,
      'webhook-id, webhook-timestamp, webhook-signature',
    );
  });

  t.test('secret rotation: any of the signatures may match', async (t) => {
    const oldSecret = newSecret();
    const headers = (signature: string) => ({
      'webhook-id': 'evt_01',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    });
    const byNew = signers.standardwebhooks.sign('evt_01', now, body);
    const byOld = new StandardWebhook(oldSecret).sign('evt_01', now, body);
    t.same(await verifyWebhook(body, headers(`${byOld} ${byNew}`), secret), event, 'new secret, second signature');
    t.same(await verifyWebhook(body, headers(`${byOld} ${byNew}`), oldSecret), event, 'old secret, first signature');
    t.same(
      await verifyWebhook(body, headers(`v1,${Buffer.alloc(32).toString('base64')} ${byNew}`), secret),
      event,
      'a wrong one beside the right one',
    );
    t.equal(
      (await thrown(() => verifyWebhook(body, headers(byOld), secret))).code,
      'invalid_signature',
      'only the other secret signed',
    );
    // What we sign with two secrets, the third-party verifiers accept too.
    t.doesNotThrow(() => new SvixWebhook(oldSecret).verify(body, headers(`${byOld} ${byNew}`)));
  });

  t.test('secrets: with or without the whsec_ prefix; a malformed one is an error', async (t) => {
    const headers = {
      'webhook-id': 'evt_01',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signers.svix.sign('evt_01', now, body),
    };
    t.same(await verifyWebhook(body, headers, secret.slice('whsec_'.length)), event);
    t.equal((await thrown(() => verifyWebhook(body, headers, ''))).code, 'invalid_secret');
    t.equal((await thrown(() => verifyWebhook(body, headers, 'whsec_not base64!'))).code, 'invalid_secret');
  });

  t.test('a signed body that is not JSON', async (t) => {
    const headers = {
      'webhook-id': 'evt_01',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signers.svix.sign('evt_01', now, 'not json'),
    };
    t.equal((await thrown(() => verifyWebhook('not json', headers, secret))).code, 'invalid_body');
  });
});

t.test('signWebhook signs as standardwebhooks does (for testing a receiver)', async (t) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const headers = await signWebhook('{"test": 2432232314}', secret, {
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: new Date(1614265330 * 1000),
  });
  t.same(
    headers,
    {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
    'the known answer',
  );
  const fresh = await signWebhook('{"a":1}', secret);
  t.doesNotThrow(() => new StandardWebhook(secret).verify('{"a":1}', fresh));
  t.same(await verifyWebhook('{"a":1}', fresh, secret), { a: 1 });
});
