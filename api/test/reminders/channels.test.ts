import pg from 'pg';
import t from 'tap';
import { mayAttempt } from '../../src/domain/reminders/channels/channel.ts';
import { CHANNEL_NAMES, channelPlan, describeChannels } from '../../src/domain/reminders/channels/registry.ts';
import { orderedSteps } from '../../src/domain/reminders/policy.rules.ts';
import { createTestDatabase } from '../helpers/database.ts';

t.test('the registry lists every channel the database admits, and no other', async (t) => {
  const testDb = await createTestDatabase();
  const client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
  t.teardown(async () => {
    await client.end();
    await testDb.drop();
  });
  const { rows } = await client.query<{ def: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
      WHERE c.conrelid = 'reminder_occurrences'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%channel%'`,
  );
  t.equal(rows.length, 1, 'one check on the channel');
  const admitted = [...(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]).sort();
  t.same(
    admitted,
    [...CHANNEL_NAMES].sort(),
    'a new channel needs its migration (docs/architecture.md#adding-a-channel)',
  );
});

t.test('plans: emails, then webhooks, then tasks on the same day; email needs a template and repeats', async (t) => {
  const steps = orderedSteps([
    { offset_days: 14, channel: 'call' as const },
    { offset_days: 14, channel: 'webhook' as const },
    { offset_days: 14, channel: 'email' as const },
    { offset_days: 7, channel: 'letter' as const },
  ]);
  t.same(
    steps.map((s) => s.channel),
    ['letter', 'email', 'webhook', 'call'],
  );
  t.same(
    CHANNEL_NAMES.filter((c) => channelPlan(c).needsTemplate),
    ['email', 'sms'],
  );
  t.same(
    CHANNEL_NAMES.filter((c) => channelPlan(c).daytimeOnly),
    ['sms', 'call'],
    'what reaches a person at once waits for daytime',
  );
  t.same(
    CHANNEL_NAMES.filter((c) => channelPlan(c).repeats),
    ['email'],
  );
  t.throws(() => channelPlan('pigeon'), /unknown reminder channel/);
});

t.test('the API describes the channels from their modules', async (t) => {
  t.equal(
    describeChannels(),
    '`email`, `sms`: Relance sends the message. `call`, `letter`, `collection`: a task for a person. `webhook`: only an event, for integrators who send their own messages.',
  );
  t.match(
    describeChannels((c) => c.toUpperCase()),
    /^`EMAIL`, `SMS`: .* `CALL`, `LETTER`, `COLLECTION`: a task/,
  );
});

t.test('an attempt never settled is made again only through an idempotent provider', async (t) => {
  t.ok(mayAttempt({ idempotent: true }, 0, 0), 'first attempt');
  t.ok(mayAttempt({ idempotent: false }, 0, 0), 'first attempt, no key');
  t.ok(mayAttempt({ idempotent: false }, 2, 2), 'every attempt settled (failed ones retried)');
  t.ok(mayAttempt({ idempotent: true }, 2, 1), 'outcome unknown, same key: asked again');
  t.notOk(mayAttempt({ idempotent: false }, 2, 1), 'outcome unknown, no key: not made again');
});
