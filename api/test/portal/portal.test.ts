import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import t from 'tap';
import { redactPortalUrl } from '../../src/domain/portal/index.ts';
import { setupApp } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';
import { PORTAL_URL, portalBook, SECRETS_KEY } from './helpers.ts';

const tokenOf = (url: string) => url.split('/p/')[1] ?? '';

t.test('the customer page: one hashed link per customer, its page, rotation, revocation, tenancy', async (t) => {
  const ctx = await setupApp(t, { env: { RELANCE_SECRETS_KEY: SECRETS_KEY, PUBLIC_URL: 'https://relance.example' } });
  const book = await portalBook(t, ctx);
  const { call, durand, martin } = book;
  const other = await ctx.createAccount({ name: 'Globex', mode: 'test', time_zone: 'Europe/Paris' });

  const first = await call('GET', `/v1/customers/${durand}/portal_link`);
  t.equal(first.statusCode, 200, first.body);
  const link = first.json();
  t.match(link, { object: 'portal_link', customer_id: durand, expires_at: null });
  t.match(link.url, /^https:\/\/relance\.example\/p\/[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
  t.same((await call('GET', `/v1/customers/${durand}/portal_link`)).json(), link, 'the same link until rotated');
  const token = tokenOf(link.url);

  t.test('stored hashed: the token itself is nowhere in the database', async (t) => {
    const rows = await ctx.database.withAccount(book.account.accountId, (trx) =>
      trx.selectFrom('portal_links').selectAll().where('account_id', '=', book.account.accountId).execute(),
    );
    t.equal(rows.length, 1);
    t.equal(rows[0]?.token_hash, createHash('sha256').update(token).digest('hex'));
    t.notMatch(JSON.stringify(rows), token);
    t.match(rows[0]?.token_sealed, /^v1\./, 'sealed with the secrets key');
  });

  t.test('every reminder email carries the link', async (t) => {
    await book.advance('2026-03-05T12:00:00Z');
    const list = (await call('GET', `/v1/messages?invoice_id=${book.invoices.first}`)).json().data;
    t.ok(list.length > 0, 'a reminder went out');
    const message = (await call('GET', `/v1/messages/${list[0].id}`)).json();
    t.equal(PORTAL_URL.exec(message.text)?.[0], link.url, 'in the text');
    t.ok(message.html.includes(`href="${link.url}"`), 'and the HTML');
    t.match(message.text, /Votre compte\u00a0: tout ce qui reste dû/);
  });

  t.test('the page shows this customer and nothing else', async (t) => {
    const page = await ctx.app.inject({ method: 'GET', url: `/p/${token}` });
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /text\/html/);
    t.match(page.headers['content-security-policy'], /default-src 'none'; style-src 'sha256-[^']+'/);
    t.equal(page.headers['referrer-policy'], 'no-referrer');
    t.equal(page.headers['cache-control'], 'no-store');
    t.equal(page.headers['x-frame-options'], 'DENY');
    const html = page.body;
    t.match(html, /<html lang="fr">/);
    t.match(html, /Votre compte chez Atelier Lumière/);
    for (const number of ['F-2026-001', 'F-2026-002', 'F-2026-003', 'F-2025-090']) t.match(html, number);
    t.notMatch(html, 'F-2026-777', "Martin's invoice is not on Durand's page");
    t.match(html, /1\u202f200,00\u00a0€/, 'amounts in French');
    t.match(html, /1\u202f650,50\u00a0€/, 'the EUR total: 1,200.00 + 450.50');
    t.match(html, /99,99\u00a0£/, 'GBP apart, never added to euros');
    t.match(html, /19 jours de retard/, 'F-2026-001, due 14 February, on 5 March');
    t.match(html, /href="https:\/\/pay\.example\/F-2026-001" rel="noopener noreferrer"/);
    t.match(html, /IBAN FR76/);
    t.match(html, /#7c2d12/, 'the brand colour');
    t.notMatch(html, /<script/i, 'no script at all');
    const events = (await call('GET', '/v1/events?type=portal.viewed')).json().data;
    t.equal(events.length, 1);
    t.same(events[0].data.customer_id, durand);
    await ctx.app.inject({ method: 'GET', url: `/p/${token}` });
    t.equal((await call('GET', '/v1/events?type=portal.viewed')).json().data.length, 1, 'once an hour at most');
    const statement = await ctx.app.inject({ method: 'GET', url: `/p/${token}/statement.pdf` });
    t.equal(statement.statusCode, 200);
    t.equal(statement.headers['content-type'], 'application/pdf');
    t.equal(statement.rawPayload.subarray(0, 5).toString(), '%PDF-');
    const task = getDocument({ data: new Uint8Array(statement.rawPayload), verbosity: 0 });
    const content = await (await (await task.promise).getPage(1)).getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str : '')).join(' ');
    await task.destroy();
    for (const mention of ['Relevé de compte', 'F-2026-001', 'F-2025-090', 'Règlement reçu', '1 650,50 €'])
      t.ok(text.replace(/[\s\u00a0\u202f]+/g, ' ').includes(mention), `the statement says: ${mention}`);
    t.match(text, /contactez-nous[\s\u00a0]: compta@atelier-lumiere\.example/, 'a space before the colon, in French');
  });

  t.test('the English customer gets the page in English', async (t) => {
    const url = (await call('GET', `/v1/customers/${martin}/portal_link`)).json().url;
    const html = (await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}` })).body;
    t.match(html, /<html lang="en">/);
    t.match(html, /Your account with Atelier Lumière/);
    t.match(html, /F-2026-777/);
    t.notMatch(html, /F-2026-001/);
  });

  t.test('unknown, malformed and other accounts: the same 404, nothing leaks', async (t) => {
    for (const bad of ['x'.repeat(43), 'short', `${token}x`, `${token.slice(0, 42)}%2F`]) {
      const res = await ctx.app.inject({ method: 'GET', url: `/p/${bad}` });
      t.equal(res.statusCode, 404, bad);
      t.match(res.body, /This link does not open any more/);
    }
    for (const [method, url] of [
      ['GET', `/v1/customers/${durand}/portal_link`],
      ['POST', `/v1/customers/${durand}/portal_link/rotate`],
      ['DELETE', `/v1/customers/${durand}/portal_link`],
    ] as const) {
      const res = await call(method, url, undefined, other);
      t.equal(res.statusCode, 404, `${method} ${url} from another account`);
      t.equal(res.json().code, 'customer/not_found');
    }
    const gql = graphqlClient(ctx, other.auth);
    const res = await gql(`query ($id: ID!) { customer(id: $id) { portalLink { url } } }`, { id: durand });
    t.same(res.data, { customer: null });
  });

  t.test('the customer answers from an invoice page: once each, from this page only', async (t) => {
    const url = (await call('GET', `/v1/customers/${durand}/portal_link`)).json().url;
    const path = new URL(url).pathname;
    const { first, second, pounds, martin: theirs } = book.invoices;
    const overview = await ctx.app.inject({ method: 'GET', url: path });
    t.notMatch(overview.body, /<form/, 'the overview has no form: each invoice has its page');
    t.match(overview.body, `href="${path}/invoices/${first}"`);
    const page = await ctx.app.inject({ method: 'GET', url: `${path}/invoices/${first}` });
    t.equal(page.statusCode, 200);
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    t.match(cookie, /^relance_portal_csrf=[A-Za-z0-9_-]{22}$/);
    t.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict; Secure/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    /** The submission ids of an invoice page's forms, by answer. */
    const forms = async (invoice: string) => {
      const html = (await ctx.app.inject({ method: 'GET', url: `${path}/invoices/${invoice}`, headers: { cookie } }))
        .body;
      return Object.fromEntries(
        [
          ...html.matchAll(
            /\/invoices\/[^/"]+\/(\w+)"><input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="submission" value="([^"]+)"/g,
          ),
        ].map((m) => [m[1] ?? '', m[2] ?? '']),
      ) as Record<string, string>;
    };
    const ids = await forms(first);
    t.same(Object.keys(ids), ['claim', 'promise', 'plan', 'dispute', 'message']);
    t.equal(new Set(Object.values(ids)).size, 5, 'a fresh submission id per form');
    const post = (
      invoice: string,
      answer: string,
      fields: Record<string, string>,
      headers: Record<string, string> = {},
    ) =>
      ctx.app.inject({
        method: 'POST',
        url: `${path}/invoices/${invoice}/${answer}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        payload: new URLSearchParams(fields).toString(),
      });

    const promise = { csrf, submission: ids.promise ?? '', date: '2026-03-20' };
    const ok = await post(first, 'promise', promise);
    t.equal(ok.statusCode, 303, ok.body);
    t.equal(ok.headers.location, `${path}/invoices/${first}?done=promise`);
    t.equal((await call('GET', `/v1/invoices/${first}`)).json().promise_to_pay_on, '2026-03-20');
    t.equal((await post(first, 'promise', promise)).statusCode, 303, 'a double submit answers the same');
    const made = (await call('GET', '/v1/events?type=promise.made')).json().data;
    t.equal(made.length, 1, 'and does one thing');
    const thanks = await ctx.app.inject({
      method: 'GET',
      url: `${path}/invoices/${first}?done=promise`,
      headers: { cookie },
    });
    t.match(thanks.body, /role="status">Merci\s: votre promesse/);
    t.match(thanks.body, /Vous avez promis de payer le 20 mars 2026/);

    const secondIds = await forms(second);
    const tooFar = await post(second, 'promise', { csrf, submission: secondIds.promise ?? '', date: '2026-09-01' });
    t.equal(tooFar.statusCode, 422);
    t.match(tooFar.body, /role="alert"/);
    t.match(tooFar.body, /up to 2026-04-04/, "the account's horizon: 30 days");
    const badDate = await post(second, 'promise', { csrf, submission: secondIds.promise ?? '', date: 'someday' });
    t.equal(badDate.statusCode, 422, 'a bad date gets the form back, never a 500');
    t.equal((await call('GET', `/v1/invoices/${second}`)).json().promise_to_pay_on, null);

    const dispute = await post(second, 'dispute', {
      csrf,
      submission: secondIds.dispute ?? '',
      reason: 'Goods never delivered',
      note: 'Order 4411',
    });
    t.equal(dispute.statusCode, 303, dispute.body);
    const opened = (await call('GET', `/v1/events?type=dispute.opened`)).json().data;
    t.equal(opened.length, 1);
    t.match(opened[0].data, { invoice_id: second, reason: 'Goods never delivered' });
    t.same(Object.keys(await forms(second)), ['claim', 'promise', 'message'], 'disputed: no plan, no second dispute');

    const message = await post(first, 'message', {
      csrf,
      submission: ids.message ?? '',
      message: 'Paid by cheque on 2 March.',
    });
    t.equal(message.statusCode, 303);
    const tasks = (await call('GET', '/v1/tasks?kind=message')).json().data;
    t.match(tasks, [
      { kind: 'message', invoice_id: first, customer_id: durand, note: 'Paid by cheque on 2 March.', status: 'open' },
    ]);

    // "I have already paid": a claim, as the API records it; the form takes amounts as people type them.
    const wrongAmount = await post(first, 'claim', {
      csrf,
      submission: ids.claim ?? '',
      paid_on: '2026-03-04',
      amount: 'lots',
    });
    t.equal(wrongAmount.statusCode, 422);
    t.match(wrongAmount.body, /amount: must be an amount such as 120\.50/);
    const future = await post(first, 'claim', {
      csrf,
      submission: ids.claim ?? '',
      paid_on: '2026-03-06',
      amount: '10',
    });
    t.equal(future.statusCode, 422, 'a payment dated tomorrow');
    t.match(future.body, /paid_on: must be on or before 2026-03-05/);
    const claimed = await post(first, 'claim', {
      csrf,
      submission: ids.claim ?? '',
      paid_on: '2026-03-04',
      amount: '1 200,00',
      reference: 'VIR-778',
    });
    t.equal(claimed.statusCode, 303, claimed.body);
    t.equal(claimed.headers.location, `${path}/invoices/${first}?done=claim`);
    const claims = (await call('GET', `/v1/payment_claims?invoice_id=${first}`)).json().data;
    t.match(claims, [
      {
        status: 'open',
        source: 'page',
        amount: 120000,
        currency: 'EUR',
        paid_on: '2026-03-04',
        reference: 'VIR-778',
        hold_until: '2026-03-12',
      },
    ]);
    const afterClaim = (
      await ctx.app.inject({ method: 'GET', url: `${path}/invoices/${first}?done=claim`, headers: { cookie } })
    ).body;
    t.match(afterClaim, /nous le vérifions\. Les relances attendent jusqu’au 12 mars 2026/);
    t.notOk(Object.keys(await forms(first)).includes('claim'), 'no second claim while one is checked');

    // A plan within the account's rules (3 installments within 90 days) is agreed at once.
    const poundIds = await forms(pounds);
    const agreed = await post(pounds, 'plan', {
      csrf,
      submission: poundIds.plan ?? '',
      count: '3',
      first_due_date: '2026-03-20',
    });
    t.equal(agreed.statusCode, 303, agreed.body);
    t.equal(agreed.headers.location, `${path}/invoices/${pounds}?done=plan`);
    const plans = (await call('GET', `/v1/payment_plans?invoice_id=${pounds}`)).json().data;
    t.match(plans, [{ status: 'active', amount: 9999, currency: 'GBP', note: 'Agreed by the customer on its page' }]);
    t.same(
      plans[0].installments.map((i: { due_date: string; amount: number }) => [i.due_date, i.amount]),
      [
        ['2026-03-20', 3333],
        ['2026-04-20', 3333],
        ['2026-05-20', 3333],
      ],
    );
    const withPlan = (await ctx.app.inject({ method: 'GET', url: `${path}/invoices/${pounds}`, headers: { cookie } }))
      .body;
    t.match(withPlan, /Votre échéancier/);
    t.match(withPlan, /Échéance 3 · 20 mai 2026 · 33,33\u00a0£/);

    // Beyond the rules (6 installments): a task for a person, who approves it through the API.
    const firstIds = await forms(first);
    const tooMany = { csrf, submission: firstIds.plan ?? '', count: '6', first_due_date: '2026-04-01' };
    const asked = await post(first, 'plan', tooMany);
    t.equal(asked.statusCode, 303, asked.body);
    t.equal(asked.headers.location, `${path}/invoices/${first}?done=plan_request`);
    t.equal((await post(first, 'plan', tooMany)).statusCode, 303, 'a double submit');
    const requests = (await call('GET', '/v1/tasks?kind=plan_request')).json().data;
    t.equal(requests.length, 1, 'one request');
    t.match(requests[0], {
      invoice_id: first,
      status: 'open',
      requested_plan: { count: 6, first_due_date: '2026-04-01' },
    });
    t.match(requests[0].note, /6 installments asked, 3 allowed without approval/);
    const again = await post(first, 'plan', { ...tooMany, submission: 'A'.repeat(22) });
    t.equal(again.statusCode, 422);
    t.match(again.body, /already waiting for an answer/);
    const wrongTask = await call('POST', `/v1/tasks/${tasks[0].id}/complete`, { outcome: 'ok', approve_plan: true });
    t.equal(wrongTask.statusCode, 422);
    t.equal(wrongTask.json().code, 'task/approve_needs_plan_request');
    const approved = await call('POST', `/v1/tasks/${requests[0].id}/complete`, {
      outcome: 'Agreed',
      approve_plan: true,
    });
    t.equal(approved.statusCode, 200, approved.body);
    const firstPlan = (await call('GET', `/v1/payment_plans?invoice_id=${first}`)).json().data;
    t.match(firstPlan, [{ status: 'active', amount: 120000 }]);
    t.equal(firstPlan[0].installments.length, 6);
    t.equal(firstPlan[0].installments[0].due_date, '2026-04-01');

    const forged = await post(first, 'message', {
      csrf: 'x'.repeat(22),
      submission: firstIds.message ?? '',
      message: 'forged',
    });
    t.equal(forged.statusCode, 403, 'a value that is not the cookie');
    const elsewhere = await post(
      first,
      'message',
      { csrf, submission: firstIds.message ?? '', message: 'from another site' },
      { origin: 'https://evil.example' },
    );
    t.equal(elsewhere.statusCode, 403, 'a post from another site');
    const garbled = await post(
      first,
      'message',
      { csrf, submission: firstIds.message ?? '', message: 'x' },
      { origin: 'not a url' },
    );
    t.equal(garbled.statusCode, 403, 'an Origin that is not a URL: refused, not a 500');
    const noCookie = await ctx.app.inject({
      method: 'POST',
      url: `${path}/invoices/${first}/message`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, submission: firstIds.message ?? '', message: 'no cookie' }).toString(),
    });
    t.equal(noCookie.statusCode, 403);
    // Customer B's invoice through customer A's link: every page and form is a 404.
    t.equal((await ctx.app.inject({ method: 'GET', url: `${path}/invoices/${theirs}` })).statusCode, 404);
    for (const answer of ['message', 'claim', 'plan', 'promise', 'dispute']) {
      const res = await post(theirs, answer, {
        csrf,
        submission: 'B'.repeat(22),
        message: 'not mine',
        amount: '1',
        paid_on: '2026-03-01',
        count: '2',
        first_due_date: '2026-04-01',
        date: '2026-03-10',
        reason: 'x',
      });
      t.equal(res.statusCode, 404, `${answer} on another customer's invoice`);
    }
    t.equal((await call('GET', '/v1/tasks?kind=message')).json().data.length, 1, 'nothing else was created');
    t.equal((await call('GET', `/v1/payment_claims?invoice_id=${theirs}`)).json().data.length, 0);
    t.equal((await call('GET', `/v1/payment_plans?invoice_id=${theirs}`)).json().data.length, 0);
  });

  t.test('the overview is kept rendered until what it shows changes, and sent compressed', async (t) => {
    const petit = (
      await call('POST', '/v1/customers', { name: 'Petit SAS', email: 'ap@petit.example', locale: 'en' })
    ).json().id;
    const invoice = (
      await call('POST', '/v1/invoices', {
        customer_id: petit,
        number: 'F-2026-888',
        currency: 'EUR',
        subtotal: 77700,
        issue_date: '2026-01-15',
        due_date: '2026-02-10',
      })
    ).json().id;
    const url = (await call('GET', `/v1/customers/${petit}/portal_link`)).json().url;
    const path = new URL(url).pathname;
    const get = (encoding?: string) =>
      ctx.app.inject({ method: 'GET', url: path, headers: encoding ? { 'accept-encoding': encoding } : {} });
    const plain = await get();
    const zipped = await get('gzip, deflate, br');
    t.equal(zipped.headers['content-encoding'], 'gzip');
    t.equal(zipped.headers.vary, 'accept-encoding');
    t.equal(gunzipSync(zipped.rawPayload).toString(), plain.body, 'the same page');
    t.equal(zipped.headers['content-security-policy'], plain.headers['content-security-policy']);
    t.equal(plain.headers['content-encoding'], undefined, 'plain to a client that does not ask');
    t.match(plain.body, /F-2026-888/);

    // Each change the page shows: a payment, the account's settings, the customer.
    const paid = await call('POST', '/v1/payments', {
      customer_id: petit,
      amount: 77700,
      currency: 'EUR',
      method: 'transfer',
      received_on: '2026-03-05',
      allocations: [{ invoice_id: invoice, amount: 77700 }],
    });
    t.equal(paid.statusCode, 201, paid.body);
    const afterPayment = (await get()).body;
    t.match(afterPayment, /Nothing remains to be paid/, 'a payment shows at once');
    await call('PATCH', '/v1/account', { payment_instructions: 'Transfer to IBAN GB00 NEW' });
    t.match((await get()).body, /IBAN GB00 NEW/, 'a setting shows at once');
    await call('PATCH', `/v1/customers/${petit}`, { name: 'Petit and Sons' });
    t.match((await get()).body, /Hello Petit and Sons/, 'a new name shows at once');
    await call('PATCH', '/v1/account', { payment_instructions: 'Virement : IBAN FR76 3000 6000 0112 3456 7890 189' });
  });

  t.test('rotation and revocation', async (t) => {
    const rotated = await call('POST', `/v1/customers/${durand}/portal_link/rotate`);
    t.equal(rotated.statusCode, 200);
    t.not(rotated.json().url, link.url);
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${token}` })).statusCode, 404, 'the old link is dead');
    const fresh = tokenOf(rotated.json().url);
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${fresh}` })).statusCode, 200);
    const revoked = await call('DELETE', `/v1/customers/${durand}/portal_link`);
    t.same(revoked.json(), { object: 'portal_link', customer_id: durand, revoked: true });
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${fresh}` })).statusCode, 404);
    t.equal((await call('DELETE', `/v1/customers/${durand}/portal_link`)).statusCode, 404, 'nothing left to revoke');
    const types = (await call('GET', '/v1/events?limit=100')).json().data.map((e: { type: string }) => e.type);
    t.ok(types.includes('portal_link.rotated') && types.includes('portal_link.revoked'));
    const gql = graphqlClient(ctx, book.account.auth);
    const again = await gql(`mutation ($id: ID!) { rotateCustomerPortalLink(id: $id) { url expiresAt } }`, {
      id: durand,
    });
    t.match(again.data, { rotateCustomerPortalLink: { url: /\/p\/[A-Za-z0-9_-]{43}$/, expiresAt: null } });
  });

  t.test('valid while owing and for the days after; switched off per account', async (t) => {
    const url = (await call('GET', `/v1/customers/${martin}/portal_link`)).json().url;
    const pay = await call('POST', '/v1/payments', {
      customer_id: martin,
      amount: 77700,
      currency: 'EUR',
      method: 'transfer',
      received_on: '2026-03-05',
      allocations: [{ invoice_id: book.invoices.martin, amount: 77700 }],
    });
    t.equal(pay.statusCode, 201, pay.body);
    const settled = (await call('GET', `/v1/customers/${martin}/portal_link`)).json();
    t.match(settled.expires_at, /^2026-06-03T/, '90 days after the payment');
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}` })).statusCode, 200, 'still opens');
    await call('PATCH', '/v1/account', { portal_days_after_paid: 0 });
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}` })).statusCode, 404, 'expired');
    await call('PATCH', '/v1/account', { portal_days_after_paid: 90, portal_enabled: false });
    t.equal((await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}` })).statusCode, 404, 'switched off');
    const off = await call('GET', `/v1/customers/${durand}/portal_link`);
    t.equal(off.statusCode, 409);
    t.equal(off.json().code, 'portal/disabled');
    await call('PATCH', '/v1/account', { portal_enabled: true });
  });

  t.test('branding: a checkout per currency, a logo whose origin the policy allows', async (t) => {
    const res = await call('PATCH', '/v1/account', {
      checkout_url_template: 'https://pay.example/all?c={customer_id}&cur={currency}&amount={amount}',
      logo_url: 'https://cdn.atelier.example/logo.png',
    });
    t.equal(res.statusCode, 200, res.body);
    const url = (await call('GET', `/v1/customers/${durand}/portal_link`)).json().url;
    const page = await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}` });
    // As a browser reads the attribute (the page escapes `&` and `=` like the emails do).
    const hrefs = [...page.body.matchAll(/href="([^"]+)"/g)].map((m) =>
      (m[1] ?? '').replaceAll('&amp;', '&').replaceAll('&#x3D;', '='),
    );
    t.ok(hrefs.includes(`https://pay.example/all?c=${durand}&cur=EUR&amount=165050`), 'pay everything in EUR');
    t.ok(hrefs.includes(`https://pay.example/all?c=${durand}&cur=GBP&amount=9999`), 'and in GBP, apart');
    t.match(page.body, '<img src="https://cdn.atelier.example/logo.png" alt="Atelier Lumière">');
    t.match(page.headers['content-security-policy'], "img-src 'self' data: https://cdn.atelier.example;");
    await call('PATCH', '/v1/account', { checkout_url_template: null, logo_url: null });
  });

  t.test('settings are validated', async (t) => {
    for (const body of [
      { brand_colour: 'red' },
      { logo_url: 'http://insecure.example/logo.png' },
      { logo_url: 'javascript:alert(1)' },
      { checkout_url_template: 'ftp://x' },
      { portal_days_after_paid: -1 },
    ]) {
      const res = await call('PATCH', '/v1/account', body);
      t.equal(res.statusCode, 400, JSON.stringify(body));
      t.match(res.headers['content-type'], /problem\+json/);
    }
  });

  t.test('rate limited per address', async (t) => {
    const url = (await call('GET', `/v1/customers/${durand}/portal_link`)).json().url;
    let limited = 0;
    for (let i = 0; i < 65; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: `/p/${tokenOf(url)}`, remoteAddress: '203.0.113.9' });
      if (res.statusCode === 429) limited++;
    }
    t.ok(limited >= 1, `${limited} refused after 60 a minute`);
  });
});

t.test('a logged URL never holds the token', async (t) => {
  t.equal(redactPortalUrl('/p/abcDEF_-123/statement.pdf?x=1'), '/p/[token]/statement.pdf?x=1');
  t.equal(redactPortalUrl('/v1/customers/cus_1'), '/v1/customers/cus_1');
});
