import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import {
  insertPendingMessage,
  isSuppressed,
  markMessageFailed,
  markMessageSent,
  type MessageRow,
} from '../../src/domain/messages/message.repository.ts';
import { newId } from '../../src/ids.ts';
import { setupApp, type TestAccount, type TestContext } from '../helpers/app.ts';
import { signWebhook } from '../helpers/resend-stand-in.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Stores a message the way the sender does: pending in a transaction, then sent or failed. */
async function storeMessage(
  ctx: TestContext,
  account: TestAccount,
  values: {
    invoiceId?: string;
    customerId?: string;
    to?: string[];
    cc?: string[];
    subject?: string;
    sent?: string | null;
    failed?: string;
  },
): Promise<MessageRow> {
  const now = ctx.clock.now();
  return ctx.database.withAccount(account.accountId, async (trx) => {
    const id = newId('message');
    let row = await insertPendingMessage(trx, {
      account_id: account.accountId,
      id,
      occurrence_id: newId('occurrence'),
      invoice_id: values.invoiceId ?? null,
      customer_id: values.customerId ?? null,
      transport: 'resend',
      from_address: 'Acme <billing@acme.example>',
      to_addresses: values.to ?? ['compta@dupont.example'],
      cc_addresses: values.cc ?? [],
      reply_to: 'ar@acme.example',
      subject: values.subject ?? 'Invoice F-1 is due',
      html: '<p>Please pay F-1.</p>',
      text: 'Please pay F-1.',
      template_key: 'due_soon',
      locale: 'en',
      created_at: now,
      updated_at: now,
    });
    if (values.failed) row = (await markMessageFailed(trx, id, values.failed, now))!;
    else if (values.sent !== null) row = (await markMessageSent(trx, id, values.sent ?? crypto.randomUUID(), now))!;
    return row;
  });
}

t.test('messages and provider events', async (t) => {
  const ctx = await setupApp(t, { env: { RESEND_WEBHOOK_SECRET: SECRET } });
  const clock = ctx.clock as ManualClock;
  const acme = await ctx.createAccount({ name: 'Acme' });
  const other = await ctx.createAccount({ name: 'Other' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const messagesOf = async (accountId: string) =>
    ctx.database.withAccount(accountId, (trx) => trx.selectFrom('messages').selectAll().orderBy('id').execute());
  const eventsOf = async (accountId: string, objectId: string) =>
    ctx.database.withAccount(accountId, (trx) =>
      trx.selectFrom('events').select(['type', 'data']).where('object_id', '=', objectId).orderBy('seq').execute(),
    );
  const suppressionsOf = (accountId: string) =>
    ctx.database.withAccount(accountId, (trx) =>
      trx.selectFrom('email_suppressions').selectAll().orderBy('email').execute(),
    );

  const customer = (
    await call(acme, 'POST', '/v1/customers', { name: 'Dupont', email: 'compta@dupont.example' })
  ).json();
  const invoice = (
    await call(acme, 'POST', '/v1/invoices', {
      number: 'F-1',
      customer_id: customer.id,
      subtotal: 1000,
      due_date: '2026-03-10',
    })
  ).json();
  const invoice2 = (
    await call(acme, 'POST', '/v1/invoices', {
      number: 'F-2',
      customer_id: customer.id,
      subtotal: 500,
      due_date: '2026-03-12',
    })
  ).json();

  const first = await storeMessage(ctx, acme, {
    invoiceId: invoice.id,
    customerId: customer.id,
    cc: ['DG@Dupont.example'],
  });
  const second = await storeMessage(ctx, acme, {
    invoiceId: invoice2.id,
    customerId: customer.id,
    subject: 'Invoice F-2 is due',
  });
  const failed = await storeMessage(ctx, acme, {
    invoiceId: invoice2.id,
    customerId: customer.id,
    to: ['Nobody@Elsewhere.example'],
    failed: 'Resend: Invalid `to` field.',
  });
  const pending = await storeMessage(ctx, acme, { to: ['pending@dupont.example'], sent: null });
  const othersMessage = await storeMessage(ctx, other, { to: ['compta@dupont.example'] });

  t.test('repository: one message per occurrence, stored bytes kept', async (t) => {
    await ctx.database.withAccount(acme.accountId, async (trx) => {
      const again = await insertPendingMessage(trx, {
        account_id: acme.accountId,
        id: newId('message'),
        occurrence_id: first.occurrence_id,
        transport: 'resend',
        from_address: 'x@acme.example',
        to_addresses: ['x@dupont.example'],
        subject: 'Re-rendered',
        html: '',
        text: '',
        created_at: clock.now(),
        updated_at: clock.now(),
      });
      t.equal(again.id, first.id, 'the existing message is returned');
      t.equal(again.subject, 'Invoice F-1 is due', 'with its stored bytes');
      t.notOk(await markMessageSent(trx, first.id, 'another-id', clock.now()), 'a sent message is not sent again');
    });
    t.match(first, { status: 'sent', attempts: 1, error: null });
    t.ok(first.provider_message_id);
    t.match(failed, { status: 'failed', attempts: 1, error: 'Resend: Invalid `to` field.', provider_message_id: null });
    t.equal(pending.status, 'pending');
  });

  t.test('list and get', async (t) => {
    const list = await call(acme, 'GET', '/v1/messages');
    t.equal(list.statusCode, 200);
    const body = list.json();
    t.same(
      body.data.map((m: { id: string }) => m.id),
      [pending.id, failed.id, second.id, first.id],
      'newest first',
    );
    t.notOk('html' in body.data[0], 'no bodies in lists');
    t.notOk('text' in body.data[0]);
    t.match(body.data[3], {
      object: 'message',
      channel: 'email',
      transport: 'resend',
      status: 'sent',
      invoice_id: invoice.id,
      customer_id: customer.id,
      from: 'Acme <billing@acme.example>',
      to: ['compta@dupont.example'],
      cc: ['DG@Dupont.example'],
      reply_to: 'ar@acme.example',
      subject: 'Invoice F-1 is due',
      template_key: 'due_soon',
      locale: 'en',
      provider_message_id: first.provider_message_id,
      attempts: 1,
      sent_at: '2026-03-02T09:00:00.000Z',
      delivered_at: null,
      occurrence_id: first.occurrence_id,
    });

    const one = await call(acme, 'GET', `/v1/messages/${first.id}`);
    t.equal(one.statusCode, 200);
    t.match(one.json(), {
      id: first.id,
      subject: 'Invoice F-1 is due',
      html: '<p>Please pay F-1.</p>',
      text: 'Please pay F-1.',
    });

    const ids = async (query: string) =>
      (await call(acme, 'GET', `/v1/messages?${query}`)).json().data.map((m: { id: string }) => m.id);
    t.same(await ids(`invoice_id=${invoice.id}`), [first.id]);
    t.same(await ids(`customer_id=${customer.id}`), [failed.id, second.id, first.id]);
    t.same(await ids('status=failed'), [failed.id]);
    t.same(await ids('status=pending'), [pending.id]);
    t.same(await ids('to=nobody@elsewhere.EXAMPLE'), [failed.id], 'to is case-insensitive');
    t.same(await ids('to=dg@dupont.example'), [], 'to does not match cc');

    const bad = await call(acme, 'GET', '/v1/messages?status=lost');
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().code, 'request/validation_failed');
    const unknown = await call(acme, 'GET', `/v1/messages/${newId('message')}`);
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().code, 'message/not_found');
  });

  t.test('pagination', async (t) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; has_more: boolean; next_cursor: string | null } = (
        await call(acme, 'GET', `/v1/messages?limit=3${cursor ? `&starting_after=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((m) => m.id));
      t.equal(page.has_more, page.next_cursor !== null);
      cursor = page.next_cursor;
    } while (cursor);
    t.same(seen, [pending.id, failed.id, second.id, first.id]);
  });

  t.test('another account sees none (REST and GraphQL)', async (t) => {
    const list = (await call(other, 'GET', '/v1/messages')).json();
    t.same(
      list.data.map((m: { id: string }) => m.id),
      [othersMessage.id],
    );
    const get = await call(other, 'GET', `/v1/messages/${first.id}`);
    t.equal(get.statusCode, 404);
    t.equal(get.json().code, 'message/not_found');
    t.same((await call(other, 'GET', `/v1/messages?invoice_id=${invoice.id}`)).json().data, []);

    const gql = graphqlClient(ctx, other.auth);
    const res = await gql(`query ($id: ID!) { message(id: $id) { id } messages { data { id } } }`, { id: first.id });
    t.equal(res.errors, undefined);
    t.equal(res.data.message, null);
    t.same(res.data.messages.data, [{ id: othersMessage.id }]);
  });

  t.test('GraphQL: messages and message', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const res = await gql(
      `query ($id: ID!, $invoice: ID) {
        message(id: $id) { id status transport subject html text to cc replyTo invoiceId attempts sentAt deliveredAt }
        messages(invoiceId: $invoice, limit: 5) { data { id status html } hasMore nextCursor }
        failed: messages(status: FAILED) { data { id error } }
      }`,
      { id: first.id, invoice: invoice.id },
    );
    t.equal(res.errors, undefined);
    t.match(res.data.message, {
      id: first.id,
      status: 'SENT',
      transport: 'RESEND',
      subject: 'Invoice F-1 is due',
      html: '<p>Please pay F-1.</p>',
      text: 'Please pay F-1.',
      to: ['compta@dupont.example'],
      cc: ['DG@Dupont.example'],
      replyTo: 'ar@acme.example',
      attempts: 1,
      deliveredAt: null,
    });
    t.same(res.data.messages, {
      data: [{ id: first.id, status: 'SENT', html: '<p>Please pay F-1.</p>' }],
      hasMore: false,
      nextCursor: null,
    });
    t.same(res.data.failed.data, [{ id: failed.id, error: 'Resend: Invalid `to` field.' }]);
    const bad = await gql(`{ messages(limit: 500) { data { id } } }`);
    t.equal(codeOf(bad), 'request/validation_failed');
  });

  const post = (body: string, headers: Record<string, string>) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/provider_events/resend',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
  const resendEvent = (
    type: string,
    emailId: string,
    extra: Record<string, unknown> = {},
    to = ['compta@dupont.example'],
  ) =>
    JSON.stringify({
      type,
      created_at: '2026-03-02T09:05:00.000Z',
      data: {
        email_id: emailId,
        created_at: '2026-03-02T09:00:00.000Z',
        from: 'Acme <billing@acme.example>',
        to,
        subject: 'Invoice F-1 is due',
        ...extra,
      },
    });
  const signed = (body: string, options?: { timestamp?: number; secret?: string }) =>
    post(body, signWebhook(options?.secret ?? SECRET, body, options));

  t.test('delivered', async (t) => {
    const body = resendEvent('email.delivered', first.provider_message_id!);
    const res = await signed(body);
    t.equal(res.statusCode, 200, 'no API key needed');
    t.same(res.json(), { received: true, outcome: 'applied' });
    const message = (await call(acme, 'GET', `/v1/messages/${first.id}`)).json();
    t.match(message, { status: 'delivered', delivered_at: '2026-03-02T09:05:00.000Z' });

    const again = await signed(body);
    t.same(again.json(), { received: true, outcome: 'duplicate' }, 'a repeated event changes nothing');
    const events = await eventsOf(acme.accountId, first.id);
    t.same(
      events.map((e) => e.type),
      ['message.delivered'],
    );
    t.match(events[0]!.data, { id: first.id, status: 'delivered', object: 'message' });
    t.same(await suppressionsOf(acme.accountId), []);
  });

  t.test('complaint after delivery suppresses the recipient', async (t) => {
    const res = await signed(resendEvent('email.complained', first.provider_message_id!));
    t.same(res.json(), { received: true, outcome: 'applied' });
    t.equal((await call(acme, 'GET', `/v1/messages/${first.id}`)).json().status, 'complained');
    t.match(await suppressionsOf(acme.accountId), [
      { email: 'compta@dupont.example', reason: 'complained', message_id: first.id },
    ]);
    t.same(
      (await eventsOf(acme.accountId, first.id)).map((e) => e.type),
      ['message.delivered', 'message.complained'],
    );
    t.same(
      (await eventsOf(acme.accountId, 'compta@dupont.example')).map((e) => e.type),
      ['suppression.created'],
    );
    t.same(await suppressionsOf(other.accountId), [], 'not in the other account, which wrote to the same address');
    const late = await signed(resendEvent('email.delivered', first.provider_message_id!));
    t.same(late.json(), { received: true, outcome: 'duplicate' }, 'a late delivery does not undo the complaint');
  });

  t.test('hard bounce: bounced, suppressed, events', async (t) => {
    const hard = await storeMessage(ctx, acme, { to: ['gone@dupont.example'], cc: ['keep@dupont.example'] });
    const res = await signed(
      resendEvent(
        'email.bounced',
        hard.provider_message_id!,
        {
          bounce: { type: 'Permanent', subType: 'General', message: 'The recipient does not exist.' },
        },
        ['Gone <GONE@dupont.example>'],
      ),
    );
    t.same(res.json(), { received: true, outcome: 'applied' });
    const message = (await call(acme, 'GET', `/v1/messages/${hard.id}`)).json();
    t.match(message, {
      status: 'bounced',
      error: 'Hard bounce (Permanent/General): The recipient does not exist.',
      delivered_at: null,
    });
    const suppressions = await suppressionsOf(acme.accountId);
    t.match(
      suppressions.find((s) => s.email === 'gone@dupont.example'),
      { reason: 'bounced', message_id: hard.id },
    );
    t.notOk(
      suppressions.some((s) => s.email === 'keep@dupont.example'),
      'only the bounced recipient',
    );
    const events = await eventsOf(acme.accountId, hard.id);
    t.same(
      events.map((e) => e.type),
      ['message.bounced'],
    );
    t.match(events[0]!.data, { status: 'bounced', bounce: { type: 'Permanent', permanent: true } });
    t.same(
      (await eventsOf(acme.accountId, 'gone@dupont.example')).map((e) => e.type),
      ['suppression.created'],
    );

    await ctx.database.withAccount(acme.accountId, async (trx) => {
      t.same(await isSuppressed(trx, ['Gone@Dupont.example', 'keep@dupont.example', 'compta@dupont.example']), [
        'Gone@Dupont.example',
        'compta@dupont.example',
      ]);
      t.same(await isSuppressed(trx, []), []);
    });
    await ctx.database.withAccount(other.accountId, async (trx) => {
      t.same(await isSuppressed(trx, ['gone@dupont.example']), [], 'per account');
    });

    const again = await signed(
      resendEvent(
        'email.bounced',
        hard.provider_message_id!,
        { bounce: { type: 'Permanent', subType: 'General', message: 'x' } },
        ['gone@dupont.example'],
      ),
    );
    t.same(again.json(), { received: true, outcome: 'duplicate' });
    t.equal((await eventsOf(acme.accountId, hard.id)).length, 1);
  });

  t.test('soft bounce: bounced, not suppressed', async (t) => {
    const soft = await storeMessage(ctx, acme, { to: ['full@dupont.example'] });
    const res = await signed(
      resendEvent(
        'email.bounced',
        soft.provider_message_id!,
        {
          bounce: { type: 'Transient', subType: 'MailboxFull', message: 'Mailbox full.' },
        },
        ['full@dupont.example'],
      ),
    );
    t.same(res.json(), { received: true, outcome: 'applied' });
    t.match((await call(acme, 'GET', `/v1/messages/${soft.id}`)).json(), {
      status: 'bounced',
      error: 'Soft bounce (Transient/MailboxFull): Mailbox full.',
    });
    t.notOk((await suppressionsOf(acme.accountId)).some((s) => s.email === 'full@dupont.example'));
  });

  t.test('refused signatures change nothing', async (t) => {
    const before = { messages: await messagesOf(acme.accountId), suppressions: await suppressionsOf(acme.accountId) };
    const body = resendEvent('email.bounced', second.provider_message_id!, {
      bounce: { type: 'Permanent', subType: 'General', message: 'x' },
    });
    const headers = signWebhook(SECRET, body);
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<Awaited<ReturnType<typeof post>>>]> = [
      ['tampered body', post(body.replace('Permanent', 'Transient'), headers)],
      ['wrong secret', signed(body, { secret: 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==' })],
      ['stale timestamp', signed(body, { timestamp: now - 6 * 60 })],
      ['timestamp in the future', signed(body, { timestamp: now + 6 * 60 })],
      ['no signature headers', post(body, {})],
      ['signature of another id', post(body, { ...headers, 'svix-id': 'msg_other' })],
    ];
    for (const [name, answer] of cases) {
      const res = await answer;
      t.equal(res.statusCode, 401, name);
      t.equal(res.json().code, 'webhook/invalid_signature', name);
      t.match(res.headers['content-type'], /application\/problem\+json/, name);
    }
    t.same(await messagesOf(acme.accountId), before.messages, 'no message changed');
    t.same(await suppressionsOf(acme.accountId), before.suppressions, 'no suppression added');
    const fresh = await signed(body, { timestamp: now - 4 * 60 });
    t.equal(fresh.statusCode, 200, 'within 5 minutes is accepted');
  });

  t.test('unknown email ids and other events are acknowledged and ignored', async (t) => {
    const before = await messagesOf(acme.accountId);
    for (const body of [
      resendEvent('email.delivered', crypto.randomUUID()),
      resendEvent('email.opened', second.provider_message_id!),
      JSON.stringify({ type: 'contact.created', created_at: '2026-03-02T09:05:00.000Z', data: { id: 'x' } }),
      'not json',
    ]) {
      const res = await signed(body);
      t.equal(res.statusCode, 200);
      t.same(res.json(), { received: true, outcome: 'ignored' });
    }
    t.same(await messagesOf(acme.accountId), before);
  });

  t.test('suppressions: list, remove, tenancy, read-only', async (t) => {
    const list = await call(acme, 'GET', '/v1/suppressions');
    t.equal(list.statusCode, 200);
    t.same(
      list.json().data.map((s: { email: string }) => s.email),
      ['compta@dupont.example', 'gone@dupont.example'],
      'in address order',
    );
    t.match(list.json().data[0], {
      object: 'suppression',
      email: 'compta@dupont.example',
      reason: 'complained',
      message_id: first.id,
      created_at: '2026-03-02T09:00:00.000Z',
    });
    const page1 = (await call(acme, 'GET', '/v1/suppressions?limit=1')).json();
    t.match(page1, { has_more: true, next_cursor: 'compta@dupont.example' });
    const page2 = (
      await call(acme, 'GET', `/v1/suppressions?limit=1&starting_after=${encodeURIComponent(page1.next_cursor)}`)
    ).json();
    t.same(
      page2.data.map((s: { email: string }) => s.email),
      ['gone@dupont.example'],
    );
    t.equal(page2.has_more, false);
    t.same((await call(other, 'GET', '/v1/suppressions')).json().data, [], 'another account sees none');

    const byOther = await call(other, 'DELETE', `/v1/suppressions/${encodeURIComponent('gone@dupont.example')}`);
    t.equal(byOther.statusCode, 404);
    t.equal(byOther.json().code, 'suppression/not_found');

    const readOnly = (await call(acme, 'POST', '/v1/api_keys', { name: 'dashboard', read_only: true })).json();
    const refused = await ctx.app.inject({
      method: 'DELETE',
      url: '/v1/suppressions/gone@dupont.example',
      headers: { authorization: `Bearer ${readOnly.secret}` },
    });
    t.equal(refused.statusCode, 403);
    t.equal(refused.json().code, 'auth/read_only_key');

    const removed = await call(acme, 'DELETE', `/v1/suppressions/${encodeURIComponent('Gone@Dupont.example')}`);
    t.equal(removed.statusCode, 200);
    t.same(removed.json(), { object: 'suppression', email: 'gone@dupont.example', deleted: true });
    t.same(
      (await eventsOf(acme.accountId, 'gone@dupont.example')).map((e) => e.type),
      ['suppression.created', 'suppression.removed'],
    );
    const twice = await call(acme, 'DELETE', '/v1/suppressions/gone@dupont.example');
    t.equal(twice.statusCode, 404);
    t.equal(twice.json().code, 'suppression/not_found');
    await ctx.database.withAccount(acme.accountId, async (trx) =>
      t.same(await isSuppressed(trx, ['gone@dupont.example']), []),
    );
  });

  t.test('GraphQL: suppressions and removeSuppression', async (t) => {
    const gql = graphqlClient(ctx, acme.auth);
    const list = await gql(`{ suppressions { data { email reason messageId createdAt } hasMore nextCursor } }`);
    t.equal(list.errors, undefined);
    t.same(list.data.suppressions, {
      data: [
        {
          email: 'compta@dupont.example',
          reason: 'COMPLAINED',
          messageId: first.id,
          createdAt: '2026-03-02T09:00:00.000Z',
        },
      ],
      hasMore: false,
      nextCursor: null,
    });
    const otherGql = graphqlClient(ctx, other.auth);
    t.same((await otherGql(`{ suppressions { data { email } } }`)).data.suppressions.data, []);
    const refused = await otherGql(`mutation { removeSuppression(email: "compta@dupont.example") { email deleted } }`);
    t.equal(codeOf(refused), 'suppression/not_found');
    const removed = await gql(`mutation { removeSuppression(email: "compta@dupont.example") { email deleted } }`);
    t.same(removed.data.removeSuppression, { email: 'compta@dupont.example', deleted: true });
    t.same((await gql(`{ suppressions { data { email } } }`)).data.suppressions.data, []);
  });
});

t.test('provider events without a configured secret', async (t) => {
  const ctx = await setupApp(t);
  const body = JSON.stringify({
    type: 'email.delivered',
    created_at: '2026-03-02T09:05:00.000Z',
    data: { email_id: 'x' },
  });
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/provider_events/resend',
    headers: { 'content-type': 'application/json', ...signWebhook(SECRET, body) },
    payload: body,
  });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'webhook/not_configured');
  const others = await ctx.app.inject({ method: 'GET', url: '/v1/messages' });
  t.equal(others.statusCode, 401, 'the other routes still need an API key');
  t.equal(others.json().code, 'auth/missing_api_key');
});
