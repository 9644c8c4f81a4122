import { Webhook as StandardWebhook } from 'standardwebhooks';
import t from 'tap';
import {
  MAX_ATTEMPTS,
  failingTooLong,
  newWebhookSecret,
  nextAttemptAt,
  parseRetryAfter,
  signWebhook,
  signatureHeader,
  subscribes,
} from '../../src/domain/webhooks/webhook.rules.ts';

t.test('the Standard Webhooks known-answer vector', async (t) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';
  t.equal(signWebhook(secret, id, 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  t.equal(
    signWebhook(secret, id, 1614265330, Buffer.from(body)),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    'bytes sign the same',
  );
  t.equal(signWebhook(secret, id, 1614265331, body) === 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', false);
  // The library agrees with us on a fresh message.
  const fresh = newWebhookSecret();
  const now = Math.floor(Date.now() / 1000);
  const headers = {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(now),
    'webhook-signature': signatureHeader([newWebhookSecret(), fresh], 'evt_1', now, '{"a":1}'),
  };
  t.same(new StandardWebhook(fresh).verify('{"a":1}', headers), { a: 1 }, 'any of the listed signatures verifies');
});

t.test('secrets', async (t) => {
  const a = newWebhookSecret();
  t.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
  t.equal(Buffer.from(a.slice(6), 'base64').length, 32);
  t.not(a, newWebhookSecret());
});

t.test('retry schedule with jitter', async (t) => {
  const now = new Date('2026-03-02T09:00:00Z');
  const delay = (attempts: number, random: number, retryAfterMs?: number) =>
    (nextAttemptAt(now, attempts, { random: () => random, retryAfterMs })?.getTime() ?? NaN) - now.getTime();
  const schedule = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];
  schedule.forEach((ms, i) => {
    t.equal(delay(i + 1, 0.5), ms, `after attempt ${i + 1}: ${ms / 1000} s`);
    t.equal(delay(i + 1, 0), Math.round(ms * 0.85), '-15 %');
    t.equal(delay(i + 1, 1), Math.round(ms * 1.15), '+15 %');
  });
  t.equal(MAX_ATTEMPTS, 10);
  t.equal(nextAttemptAt(now, 10), null, 'ten attempts in all');
  t.equal(delay(1, 0.5, 60_000), 60_000, 'Retry-After later than the schedule wins');
  t.equal(delay(3, 0.5, 60_000), 1_800_000, 'never earlier than the schedule');
  t.equal(delay(1, 0.5, 10 * 86_400_000), 86_400_000, 'Retry-After capped at 24 h');
});

t.test('Retry-After', async (t) => {
  const now = new Date('2026-03-02T09:00:00Z');
  t.equal(parseRetryAfter('120', now), 120_000);
  t.equal(parseRetryAfter('Mon, 02 Mar 2026 09:10:00 GMT', now), 600_000);
  t.equal(parseRetryAfter('Mon, 02 Mar 2026 08:00:00 GMT', now), 0);
  t.equal(parseRetryAfter('soon', now), null);
  t.equal(parseRetryAfter(undefined, now), null);
});

t.test('subscriptions and the 3-day rule', async (t) => {
  t.ok(subscribes(['*'], 'invoice.paid'));
  t.ok(subscribes(['invoice.paid'], 'invoice.paid'));
  t.notOk(subscribes(['invoice.paid'], 'invoice.overdue'));
  const now = new Date('2026-03-05T09:00:00Z');
  t.notOk(failingTooLong(null, now));
  t.notOk(failingTooLong(new Date('2026-03-02T09:00:01Z'), now));
  t.ok(failingTooLong(new Date('2026-03-02T09:00:00Z'), now));
});
