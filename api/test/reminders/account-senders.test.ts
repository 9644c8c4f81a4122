import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createOutboxTransport } from '../../src/mail/outbox.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { sendersFromConfig } from '../../src/mail/senders.ts';
import { createServices } from '../../src/services.ts';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { startResendStandIn, signWebhook } from '../helpers/resend-stand-in.ts';

// An account may bring its own Resend key: checked with Resend (the real SDK against a stand-in
// that knows teams, their domains and their own rate limits), stored encrypted, never shown,
// and used for that account's emails only, paced on its own budget.

const ACME_KEY = 're_acme_own_key_0001';
const SENDING_ONLY_KEY = 're_sending_only_0002';
const SERVICE_KEY = 're_service_key_0003';
const PENDING_KEY = 're_pending_domain_04';
const SECRETS_KEY = randomBytes(32).toString('base64');
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

async function setup(t: Test, env: Record<string, string> = {}) {
  const resend = await startResendStandIn({
    ratePerSecond: 50,
    teams: {
      [ACME_KEY]: {
        domains: [
          { name: 'acme.example', status: 'verified' },
          { name: 'new.acme.example', status: 'pending' },
        ],
      },
      [SENDING_ONLY_KEY]: { sendingOnly: true },
      [SERVICE_KEY]: { domains: [{ name: 'relance.example', status: 'verified' }] },
      [PENDING_KEY]: { domains: [{ name: 'acme.example', status: 'pending' }] },
    },
  });
  t.teardown(() => resend.close());
  const ctx = await setupApp(t, {
    env: { RELANCE_SECRETS_KEY: SECRETS_KEY, RESEND_BASE_URL: resend.url, RESEND_RATE_LIMIT: '20', ...env },
  });
  return { ctx, resend };
}

const put = (ctx: TestContext, account: TestAccount, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'PUT', url: '/v1/account/sender', headers: account.auth, payload });
const get = (ctx: TestContext, account: TestAccount) =>
  ctx.app.inject({ method: 'GET', url: '/v1/account/sender', headers: account.auth });

async function withSender(ctx: TestContext, account: TestAccount, email: string) {
  const res = await ctx.app.inject({
    method: 'PATCH',
    url: '/v1/account',
    headers: account.auth,
    payload: { sender_email: email, sender_name: 'Acme' },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
}

t.test('the key is checked with Resend, stored encrypted and never shown', async (t) => {
  const { ctx, resend } = await setup(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  await withSender(ctx, acme, 'billing@acme.example');

  const none = await get(ctx, acme);
  t.equal(none.statusCode, 404);
  t.equal(none.json().code, 'account_sender/not_found');

  const refused = await put(ctx, acme, { api_key: 're_unknown_key_9999' });
  t.equal(refused.statusCode, 422);
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  t.equal(refused.json().code, 'account_sender/invalid_api_key');
  t.same(refused.json().errors, [{ field: '/api_key', message: 'is refused by Resend' }]);

  const pending = await put(ctx, acme, { api_key: ACME_KEY, domain: 'new.acme.example' });
  t.equal(pending.statusCode, 422);
  t.equal(pending.json().code, 'account_sender/domain_not_verified');
  t.match(pending.json().detail, /'new\.acme\.example' is 'pending'/);

  const unknown = await put(ctx, acme, { api_key: ACME_KEY, domain: 'elsewhere.example' });
  t.equal(unknown.json().code, 'account_sender/domain_unknown');
  const derivedPending = await put(ctx, acme, { api_key: PENDING_KEY });
  t.equal(derivedPending.json().code, 'account_sender/domain_not_verified', "the sender_email's domain is checked");
  t.equal((await get(ctx, acme)).statusCode, 404, 'nothing was stored by the refused attempts');

  const malformed = await put(ctx, acme, { api_key: 'sk_live_123' });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'request/validation_failed');

  const set = await put(ctx, acme, { api_key: ACME_KEY, webhook_secret: WEBHOOK_SECRET });
  t.equal(set.statusCode, 200, set.body);
  const sender = set.json();
  t.match(sender, {
    object: 'account_sender',
    provider: 'resend',
    api_key_last4: '0001',
    domain: 'acme.example',
    domain_status: 'verified',
    webhook_secret_set: true,
    provider_events_path: `/v1/provider_events/resend/${acme.accountId}`,
    rate_per_second: 20,
  });
  t.notMatch(set.body, ACME_KEY, 'the answer never carries the key');
  t.notMatch(set.body, WEBHOOK_SECRET.slice(6), 'nor the webhook secret');
  t.same((await get(ctx, acme)).json(), sender);
  t.ok(
    resend.requests.some(
      (r) => r.method === 'GET' && r.path === '/domains' && r.headers.authorization === `Bearer ${ACME_KEY}`,
    ),
    "Resend's GET /domains was asked with the account's key",
  );

  const row = await ctx.database.withSystem((trx) =>
    trx.selectFrom('account_senders').selectAll().where('account_id', '=', acme.accountId).executeTakeFirstOrThrow(),
  );
  t.notMatch(JSON.stringify(row), ACME_KEY.slice(3), 'the stored row holds no readable key');
  t.notMatch(JSON.stringify(row), WEBHOOK_SECRET.slice(6), 'nor a readable webhook secret');
  t.match(row.api_key_ciphertext, /^v1\.[0-9a-f]{8}\./);

  const graphql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: acme.auth,
    payload: { query: '{ account { sender { apiKeyLast4 domain domainStatus webhookSecretSet } } }' },
  });
  t.same(graphql.json().data.account.sender, {
    apiKeyLast4: '0001',
    domain: 'acme.example',
    domainStatus: 'verified',
    webhookSecretSet: true,
  });

  // Another tenant sees none of it.
  t.equal((await get(ctx, other)).statusCode, 404);
  const otherGraphql = await ctx.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: other.auth,
    payload: { query: '{ account { sender { apiKeyLast4 } } }' },
  });
  t.equal(otherGraphql.json().data.account.sender, null);

  // Only an admin key manages it.
  const plain = (
    await ctx.app.inject({ method: 'POST', url: '/v1/api_keys', headers: acme.auth, payload: { name: 'app' } })
  ).json();
  const denied = await put(ctx, { ...acme, auth: { authorization: `Bearer ${plain.secret}` } }, { api_key: ACME_KEY });
  t.equal(denied.statusCode, 403);
  t.equal(denied.json().code, 'auth/admin_key_required');

  // A sending-access key cannot list domains: accepted, its domain unchecked.
  const sendingOnly = await put(ctx, acme, { api_key: SENDING_ONLY_KEY, rate_per_second: 2 });
  t.equal(sendingOnly.statusCode, 200);
  t.match(sendingOnly.json(), {
    api_key_last4: '0002',
    domain_status: 'unchecked',
    rate_per_second: 2,
    webhook_secret_set: true,
  });
  t.equal(sendingOnly.json().created_at, sender.created_at, 'replaced in place');

  const removed = await ctx.app.inject({ method: 'DELETE', url: '/v1/account/sender', headers: acme.auth });
  t.same(removed.json(), { object: 'account_sender', deleted: true });
  t.equal((await get(ctx, acme)).statusCode, 404);
  const again = await ctx.app.inject({ method: 'DELETE', url: '/v1/account/sender', headers: acme.auth });
  t.equal(again.statusCode, 404);
});

t.test('without RELANCE_SECRETS_KEY nothing is stored', async (t) => {
  const resend = await startResendStandIn();
  t.teardown(() => resend.close());
  const ctx = await setupApp(t, { env: { RESEND_BASE_URL: resend.url } });
  const acme = await ctx.createAccount();
  const res = await put(ctx, acme, { api_key: ACME_KEY });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'account_sender/secrets_key_missing');
  t.equal(resend.requests.length, 0, 'the key was not even sent to Resend');
});

t.test("an account's emails leave with its own key; the others with the service's", async (t) => {
  for (const serviceTransport of ['outbox', 'resend'] as const) {
    await t.test(`service transport: ${serviceTransport}`, async (t) => {
      const { ctx, resend } = await setup(t);
      const clock = ctx.clock as ManualClock;
      clock.set('2026-03-02T06:00:00Z');
      const config = loadConfig({
        NODE_ENV: 'test',
        RELANCE_SECRETS_KEY: SECRETS_KEY,
        RESEND_BASE_URL: resend.url,
        RESEND_RATE_LIMIT: '20',
      });
      const worker = createServices({
        database: ctx.database,
        clock,
        transport:
          serviceTransport === 'outbox'
            ? createOutboxTransport()
            : createResendTransport({ apiKey: SERVICE_KEY, baseUrl: resend.url }),
        senders: sendersFromConfig(config, ctx.database),
      });
      const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'UTC' });
      const beta = await ctx.createAccount({ name: 'Beta', time_zone: 'UTC' });
      await withSender(ctx, acme, 'billing@acme.example');
      await withSender(ctx, beta, 'billing@relance.example');
      t.equal((await put(ctx, acme, { api_key: ACME_KEY })).statusCode, 200);

      const invoiceFor = async (account: TestAccount, number: string) => {
        const customer = (
          await ctx.app.inject({
            method: 'POST',
            url: '/v1/customers',
            headers: account.auth,
            payload: { name: `C ${number}`, email: `${number.toLowerCase()}@client.example` },
          })
        ).json();
        const res = await ctx.app.inject({
          method: 'POST',
          url: '/v1/invoices',
          headers: account.auth,
          payload: {
            number,
            customer_id: customer.id,
            subtotal: 1000,
            issue_date: '2026-03-01',
            due_date: '2026-03-02',
          },
        });
        if (res.statusCode !== 201) throw new Error(res.body);
        return res.json();
      };
      await invoiceFor(acme, 'A-1');
      await invoiceFor(acme, 'A-2');
      await invoiceFor(beta, 'B-1');
      clock.set('2026-03-02T10:00:00Z');
      await worker.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });

      const acmeEmails = resend.accepted.filter((a) => a.apiKey === ACME_KEY);
      t.same(
        acmeEmails.map((a) => a.to[0]).sort(),
        ['a-1@client.example', 'a-2@client.example'],
        "Acme's, with its key",
      );
      const betaEmails = resend.accepted.filter((a) => a.to[0] === 'b-1@client.example');
      const messages = (accountId: string) =>
        ctx.database.withAccount(accountId, (trx) =>
          trx.selectFrom('messages').select(['status', 'transport', 'from_address']).execute(),
        );
      t.same(
        (await messages(acme.accountId)).map((m) => [m.status, m.transport]),
        [
          ['sent', 'resend'],
          ['sent', 'resend'],
        ],
      );
      if (serviceTransport === 'outbox') {
        t.equal(betaEmails.length, 0, "Beta's email stays in the service's outbox");
        t.same(
          (await messages(beta.accountId)).map((m) => [m.status, m.transport]),
          [['sent', 'outbox']],
        );
      } else {
        t.same(
          betaEmails.map((a) => a.apiKey),
          [SERVICE_KEY],
          "Beta's email leaves with the service's key",
        );
      }
      const budgets = await ctx.database.withSystem((trx) =>
        trx.selectFrom('provider_rate_budgets').select(['credential', 'rate_per_second']).execute(),
      );
      t.ok(
        budgets.some((b) => b.rate_per_second === 20),
        "Acme's key is paced on a budget row of its own, at the service's default rate",
      );
      t.notMatch(JSON.stringify(budgets), ACME_KEY.slice(3), 'the budget row names a hash, not the key');
      t.equal(resend.duplicates(), 0);

      // A changed key takes effect at the next batch; a removed one sends with the service again.
      await ctx.app.inject({ method: 'DELETE', url: '/v1/account/sender', headers: acme.auth });
      await invoiceFor(acme, 'A-3');
      clock.set('2026-03-02T10:05:00Z');
      // The new invoice's due-today reminder is due at once: it was registered after the send hour.
      await worker.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
      const a3 = resend.accepted.filter((a) => a.to[0] === 'a-3@client.example');
      t.same(
        a3.map((a) => a.apiKey),
        serviceTransport === 'outbox' ? [] : [SERVICE_KEY],
        'after DELETE, Acme sends with the service',
      );
    });
  }
});

t.test("an account's own Resend webhook is verified with its own secret and touches only its messages", async (t) => {
  const { ctx } = await setup(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const beta = await ctx.createAccount({ name: 'Beta' });
  await withSender(ctx, acme, 'billing@acme.example');
  t.equal((await put(ctx, acme, { api_key: ACME_KEY, webhook_secret: WEBHOOK_SECRET })).statusCode, 200);
  const now = new Date();
  const insertMessage = (accountId: string, id: string, providerId: string) =>
    ctx.database.withAccount(accountId, (trx) =>
      trx
        .insertInto('messages')
        .values({
          account_id: accountId,
          id,
          channel: 'email',
          transport: 'resend',
          status: 'sent',
          from_address: 'billing@acme.example',
          to_addresses: ['debtor@client.example'],
          cc_addresses: [],
          subject: 'Invoice due',
          html: '<p>Due</p>',
          text: 'Due',
          locale: 'en',
          provider_message_id: providerId,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
  await insertMessage(acme.accountId, 'msg_acmeown000000000001', 'prov-acme-1');
  await insertMessage(beta.accountId, 'msg_betaown000000000001', 'prov-beta-1');
  const event = (emailId: string) =>
    JSON.stringify({
      type: 'email.delivered',
      created_at: now.toISOString(),
      data: { email_id: emailId, created_at: now.toISOString(), to: ['debtor@client.example'], subject: 'Invoice due' },
    });
  const post = (accountId: string, body: string, secret: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/v1/provider_events/resend/${accountId}`,
      headers: { 'content-type': 'application/json', ...signWebhook(secret, body) },
      payload: body,
    });

  const applied = await post(acme.accountId, event('prov-acme-1'), WEBHOOK_SECRET);
  t.equal(applied.statusCode, 200, applied.body);
  t.same(applied.json(), { received: true, outcome: 'applied' });
  const wrongSecret = await post(acme.accountId, event('prov-acme-1'), `whsec_${randomBytes(24).toString('base64')}`);
  t.equal(wrongSecret.statusCode, 401);
  t.equal(wrongSecret.json().code, 'webhook/invalid_signature');
  const across = await post(acme.accountId, event('prov-beta-1'), WEBHOOK_SECRET);
  t.same(across.json(), { received: true, outcome: 'ignored' }, "Acme's webhook cannot touch Beta's messages");
  const betaStatus = await ctx.database.withAccount(beta.accountId, (trx) =>
    trx.selectFrom('messages').select('status').executeTakeFirstOrThrow(),
  );
  t.equal(betaStatus.status, 'sent');
  const noSecret = await post(beta.accountId, event('prov-beta-1'), WEBHOOK_SECRET);
  t.equal(noSecret.statusCode, 503);
  t.equal(noSecret.json().code, 'webhook/not_configured');
});

t.test('after a key rotation, secrets are re-sealed and the old key can go', async (t) => {
  const { ctx, resend } = await setup(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  await withSender(ctx, acme, 'billing@acme.example');
  t.equal((await put(ctx, acme, { api_key: ACME_KEY, webhook_secret: WEBHOOK_SECRET })).statusCode, 200);
  const newKey = randomBytes(32).toString('hex');
  const servicesWith = (env: Record<string, string>) =>
    createServices({
      database: ctx.database,
      clock: ctx.clock,
      senders: sendersFromConfig(loadConfig({ NODE_ENV: 'test', RESEND_BASE_URL: resend.url, ...env }), ctx.database),
    });
  const withoutOld = servicesWith({ RELANCE_SECRETS_KEY: newKey });
  await t.rejects(withoutOld.senders.webhookSecretOf(acme.accountId), /neither RELANCE_SECRETS_KEY nor/);
  const rotating = servicesWith({ RELANCE_SECRETS_KEY: newKey, RELANCE_SECRETS_KEY_PREVIOUS: SECRETS_KEY });
  t.equal(await rotating.senders.webhookSecretOf(acme.accountId), WEBHOOK_SECRET, 'the previous key still opens it');
  t.same(await rotating.senders.rotate(), { resealed: 1, current: 0 });
  t.same(await rotating.senders.rotate(), { resealed: 0, current: 1 }, 'a second run has nothing to do');
  t.equal(await withoutOld.senders.webhookSecretOf(acme.accountId), WEBHOOK_SECRET, 'the new key alone opens it now');
});

t.test('RELANCE_SECRETS_KEY must be 32 bytes', async (t) => {
  t.throws(() => loadConfig({ RELANCE_SECRETS_KEY: 'short' }), /RELANCE_SECRETS_KEY must be 32 bytes/);
  t.throws(
    () => loadConfig({ RELANCE_SECRETS_KEY: SECRETS_KEY, RELANCE_SECRETS_KEY_PREVIOUS: 'abc' }),
    /RELANCE_SECRETS_KEY_PREVIOUS/,
  );
  t.ok(loadConfig({ RELANCE_SECRETS_KEY: randomBytes(32).toString('hex') }).secretsKey);
});
