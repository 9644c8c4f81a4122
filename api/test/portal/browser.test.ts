import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { PORTAL_URL, portalBook, SECRETS_KEY } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const axeSource: string = createRequire(import.meta.url)('axe-core').source;
/** Screenshots for docs/portal.md; written when RELANCE_PORTAL_SCREENSHOTS=1 (`npm run docs:portal`). */
const SHOTS = process.env.RELANCE_PORTAL_SCREENSHOTS === '1' ? new URL('../../../docs/images/', import.meta.url) : null;

/** axe-core in the page (evaluated by the browser's debugger protocol, which the page's CSP does not govern). */
async function seriousViolations(page: Page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe;
    return axe.run();
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
}

t.test(
  'the customer page in a real browser: opened from a reminder, readable at 390 px, no serious accessibility issue',
  { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)` },
  async (t) => {
    // Plain HTTP here (the browser talks to 127.0.0.1): the anti-forgery cookie is then not `Secure`.
    const ctx = await setupApp(t, { env: { RELANCE_SECRETS_KEY: SECRETS_KEY, PUBLIC_URL: 'http://relance.example' } });
    const book = await portalBook(t, ctx);
    await book.advance('2026-03-05T12:00:00Z');
    const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    /** The link of the newest reminder a customer received, as the debtor clicks it (served here). */
    const linkFromOutbox = async (invoiceId: string) => {
      const [latest] = (await book.call('GET', `/v1/messages?invoice_id=${invoiceId}`)).json().data;
      t.ok(latest, 'a reminder is in the outbox');
      const text = (await book.call('GET', `/v1/messages/${latest.id}`)).json().text as string;
      const url = PORTAL_URL.exec(text)?.[0];
      t.ok(url, 'the email links to the page');
      return (url ?? '').replace('http://relance.example', address);
    };
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.teardown(() => browser.close());
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });

    t.test('French customer, desktop and phone', async (t) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) blocked.push(m.text());
      });
      const res = await page.goto(await linkFromOutbox(book.invoices.first));
      t.equal(res?.status(), 200);
      t.equal(await page.locator('h1').textContent(), 'Votre compte chez Atelier Lumière');
      const body = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      for (const text of ['F-2026-001', 'F-2026-002', 'F-2026-003', '1 650,50 €', '99,99 £', '19 jours de retard'])
        t.ok(body.includes(text), `shows ${text}`);
      t.notOk(body.includes('F-2026-777'), "another customer's invoice is not there");
      t.same(blocked, [], 'the CSP blocks nothing the page needs');
      const colourOf = (selector: string, property: 'color' | 'backgroundColor') =>
        page
          .locator(selector)
          .first()
          .evaluate(
            (e, p) =>
              (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(e)[
                p
              ],
            property,
          );
      t.equal(
        await colourOf('main a', 'color'),
        'rgb(124, 45, 18)',
        'the style sheet applies (its hash is in the CSP): the brand colour',
      );
      const row = page.locator('tr', { hasText: 'F-2026-001' });
      t.equal(
        await row.getByRole('link', { name: 'Régler cette facture' }).getAttribute('href'),
        'https://pay.example/F-2026-001',
        'a pay link per invoice',
      );
      t.same(await seriousViolations(page), [], 'axe: no serious or critical violation');
      if (SHOTS) await page.screenshot({ path: new URL('portal-fr.png', SHOTS).pathname, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      const overviewWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      t.ok(overviewWidth <= 390, `the overview: no horizontal scroll at 390 px (${overviewWidth})`);
      t.same(await seriousViolations(page), [], 'axe at 390 px');
      if (SHOTS) await page.screenshot({ path: new URL('portal-fr-phone.png', SHOTS).pathname, fullPage: true });
      await page.setViewportSize({ width: 1100, height: 900 });

      // The invoice's own page: the detail, and the customer's answers through the real forms
      // (cookie and anti-forgery value included), each checked through the API.
      await Promise.all([page.waitForURL(/\/invoices\/inv_/), row.getByRole('link', { name: 'F-2026-001' }).click()]);
      t.match(await page.locator('h1').textContent(), /^Facture F-2026-001\s: détail et réponses$/);
      t.equal(await colourOf('button', 'backgroundColor'), 'rgb(124, 45, 18)', 'buttons in the brand colour');
      t.same(await seriousViolations(page), [], 'axe on the invoice page');
      if (SHOTS) await page.screenshot({ path: new URL('portal-fr-invoice.png', SHOTS).pathname, fullPage: true });

      await page.getByLabel('Votre message').fill('Réglé par chèque le 2 mars.');
      await Promise.all([page.waitForURL(/\?done=message$/), page.getByRole('button', { name: 'Envoyer' }).click()]);
      t.match(await page.locator('[role=status]').textContent(), /Votre message est envoyé/);
      t.match(
        (await book.call('GET', '/v1/tasks?kind=message')).json().data,
        [{ invoice_id: book.invoices.first, note: 'Réglé par chèque le 2 mars.' }],
        'the message: a task for a person',
      );

      await page.getByLabel('Payée le').fill('2026-03-04');
      await page.getByLabel('Montant payé (EUR)').fill('1 200,00');
      await page.getByLabel('Référence du virement ou du chèque (facultatif)').fill('VIR-778');
      await Promise.all([
        page.waitForURL(/\?done=claim$/),
        page.getByRole('button', { name: 'Signaler mon paiement' }).click(),
      ]);
      t.match(await page.locator('[role=status]').textContent(), /nous allons vérifier votre paiement/);
      t.match(
        (await book.call('GET', `/v1/payment_claims?invoice_id=${book.invoices.first}`)).json().data,
        [{ status: 'open', source: 'page', amount: 120000, reference: 'VIR-778' }],
        '"I have already paid": a payment claim',
      );

      await page.getByLabel('Nombre de mensualités').selectOption('2');
      await page.getByLabel('Première mensualité le').fill('2026-03-25');
      await Promise.all([
        page.waitForURL(/\?done=plan$/),
        page.getByRole('button', { name: 'Demander cet échéancier' }).click(),
      ]);
      t.match(await page.locator('[role=status]').textContent(), /Votre échéancier est accepté/);
      const plans = (await book.call('GET', `/v1/payment_plans?invoice_id=${book.invoices.first}`)).json().data;
      t.match(plans, [{ status: 'active', amount: 120000 }], 'a plan within the rules: agreed at once');
      const body2 = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      t.ok(body2.includes('Échéance 2 · 25 avril 2026 · 600,00 €'), 'the installments on the page');
      t.same(await seriousViolations(page), [], 'axe after the answers');

      // A promise on the second invoice, a dispute on the third: every form, as a customer fills it.
      const open = async (number: string) => {
        await page.getByRole('link', { name: /Retour à votre compte/ }).click();
        await Promise.all([
          page.waitForURL(/\/invoices\/inv_/),
          page.getByRole('link', { name: number, exact: true }).click(),
        ]);
      };
      await open('F-2026-002');
      await page.getByLabel('Je la réglerai le').fill('2026-03-25');
      await Promise.all([
        page.waitForURL(/\?done=promise$/),
        page.getByRole('button', { name: 'Enregistrer ma promesse' }).click(),
      ]);
      t.equal(
        (await book.call('GET', `/v1/invoices/${book.invoices.second}`)).json().promise_to_pay_on,
        '2026-03-25',
        'the promise',
      );
      await open('F-2026-003');
      await page.getByLabel('Ce qui ne va pas').fill('Marchandise abîmée');
      await page.getByLabel('Précisions (facultatif)').fill('Deux cartons sur trois');
      await Promise.all([
        page.waitForURL(/\?done=dispute$/),
        page.getByRole('button', { name: 'Contester la facture' }).click(),
      ]);
      t.match(
        (await book.call('GET', `/v1/disputes?invoice_id=${book.invoices.pounds}`)).json().data,
        [{ status: 'open', reason: 'Marchandise abîmée', note: 'Deux cartons sur trois' }],
        'the dispute',
      );
      t.match(await page.locator('[role=status]').textContent(), /Votre contestation est enregistrée/);

      await page.setViewportSize({ width: 390, height: 844 });
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      t.ok(width <= 390, `the invoice page: no horizontal scroll at 390 px (${width})`);
      t.same(await seriousViolations(page), [], 'axe at 390 px');
      await page.close();
    });

    t.test('English customer', async (t) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(await linkFromOutbox(book.invoices.martin));
      t.equal(await page.locator('h1').textContent(), 'Your account with Atelier Lumière');
      const body = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      t.ok(body.includes('F-2026-777'));
      t.ok(body.includes('€777.00'), 'amounts in English');
      t.notOk(body.includes('F-2026-001'));
      t.same(await seriousViolations(page), []);
      if (SHOTS) await page.screenshot({ path: new URL('portal-en.png', SHOTS).pathname, fullPage: true });
      await Promise.all([page.waitForURL(/\/invoices\/inv_/), page.getByRole('link', { name: 'F-2026-777' }).click()]);
      const detail = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      for (const text of ['Invoice F-2026-777: details and answers', 'I have already paid', 'Pay in installments'])
        t.ok(detail.includes(text), `the invoice page says: ${text}`);
      t.same(await seriousViolations(page), [], 'axe on the English invoice page');
      if (SHOTS) await page.screenshot({ path: new URL('portal-en-invoice.png', SHOTS).pathname, fullPage: true });
      await page.getByRole('link', { name: /Back to your account/ }).click();
      const statement = page.locator('a', { hasText: 'statement of account' });
      const [download] = await Promise.all([page.waitForEvent('download'), statement.click()]);
      t.match(download.suggestedFilename(), /^statement-2026-03-05\.pdf$/, 'the statement downloads');
      await page.close();
    });

    t.test('a dead link shows the same page to everyone', async (t) => {
      const page = await browser.newPage();
      const res = await page.goto(`${address}/p/${'A'.repeat(43)}`);
      t.equal(res?.status(), 404);
      t.match(await page.locator('h1').textContent(), /does not open any more/);
      t.same(await seriousViolations(page), []);
      await page.close();
    });
  },
);
