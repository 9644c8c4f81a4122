import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';

const CHROMIUM = '/usr/bin/chromium';

t.test('GraphiQL in development: served offline, a key field, /graphql from a browser leads there', async (t) => {
  const ctx = await setupApp(t, { env: { NODE_ENV: 'development', LOG_LEVEL: 'warn' } });
  const acme = await ctx.createAccount({ name: 'Acme' });
  const customer = (
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: acme.auth,
      payload: { name: 'Durand SAS', email: 'ap@durand.example' },
    })
  ).json();
  await ctx.app.inject({
    method: 'POST',
    url: '/v1/invoices',
    headers: acme.auth,
    payload: {
      number: 'GQL-1',
      customer_id: customer.id,
      subtotal: 5000,
      issue_date: '2026-01-01',
      due_date: '2026-01-31',
    },
  });

  const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });

  t.test('plain HTTP', async (t) => {
    const redirect = await fetch(`${address}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
      redirect: 'manual',
    });
    t.equal(redirect.status, 303, 'a browser opening /graphql without a key is sent to GraphiQL');
    t.equal(redirect.headers.get('location'), '/graphiql');
    const api = await fetch(`${address}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json' },
    });
    t.equal(api.status, 401, 'a client without a key still gets 401');
    const page = await fetch(`${address}/graphiql`);
    t.equal(page.status, 200);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    t.ok(
      sources.length >= 5 && sources.every((s) => s.startsWith('/graphiql/assets/')),
      'every file comes from Relance itself',
    );
    for (const source of sources) t.equal((await fetch(`${address}${source}`)).status, 200, source);
    t.equal((await fetch(`${address}/graphiql/assets/nope.js`)).status, 404);
  });

  t.test(
    'in Chromium, with every request off this server refused',
    { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)` },
    async (t) => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      t.teardown(() => browser.close());
      const page = await browser.newPage();
      const offsite: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(address)) return route.continue();
        offsite.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      await page.goto(`${address}/graphql`);
      t.equal(new URL(page.url()).pathname, '/graphiql', 'opening /graphql lands on GraphiQL');
      await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
      await page.fill('#api-key', acme.apiKey);
      await Promise.all([page.waitForNavigation(), page.click('#key-form button')]);
      await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
      t.match(await page.textContent('#key-state'), 'Key set');
      t.equal(
        await page.evaluate("localStorage.getItem('relance.apiKey')"),
        acme.apiKey,
        'the key is kept in the browser',
      );

      await page.click('.graphiql-execute-button');
      await page.waitForFunction(
        "document.querySelector('.result-window')?.textContent?.includes('GQL-1')",
        undefined,
        { timeout: 30_000 },
      );
      const result = (await page.textContent('.result-window')) ?? '';
      t.match(result, 'Durand SAS', 'the default query ran with the key: overdue invoices and their customer');
      await page.click('.graphiql-toggle-docs, [aria-label="Show Documentation Explorer"]').catch(() => {});
      t.same(offsite, [], 'no request left the server (works offline)');
      t.same(errors, [], 'no script error');

      t.equal(await page.inputValue('#api-key'), acme.apiKey, 'the key is still there after the reload');
      await page.screenshot({ path: '/tmp/relance-graphiql.png' }).catch(() => {});
    },
  );
});

t.test('outside development there is no GraphiQL', async (t) => {
  const ctx = await setupApp(t);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/graphiql' })).statusCode, 404);
  const browser = await ctx.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
  t.equal(browser.statusCode, 401);
});
