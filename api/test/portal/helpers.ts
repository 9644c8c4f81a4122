import type { Test } from 'tap';
import type { TestAccount, TestContext } from '../helpers/app.ts';

/** A 32-byte key: the tokens are sealed with it, as in production. */
export const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

export const PORTAL_URL = /https?:\/\/[^\s"<>]+\/p\/[A-Za-z0-9_-]{43}/;

/**
 * A French test account on its clock (Paris), with Durand (two EUR invoices, one GBP, one paid) and
 * Martin (one EUR invoice) as customers; returns helpers to call the API and play the clock.
 */
export async function portalBook(t: Test, ctx: TestContext, name = 'Atelier Lumière') {
  const account = await ctx.createAccount({ name, mode: 'test', time_zone: 'Europe/Paris' });
  const call = (method: string, url: string, payload?: object, who: TestAccount = account) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const advance = async (to: string) => {
    const res = await call('POST', '/v1/test_clock/advance', { to });
    t.equal(res.statusCode, 200, `advance to ${to}: ${res.body}`);
  };
  await advance('2026-03-02T08:00:00Z');
  const settings = await call('PATCH', '/v1/account', {
    locale: 'fr',
    sender_name: 'Claire Dubois',
    reply_to: 'compta@atelier-lumiere.example',
    contact_phone: '+33 1 23 45 67 89',
    payment_instructions: 'Virement : IBAN FR76 3000 6000 0112 3456 7890 189',
    brand_colour: '#7c2d12',
  });
  t.equal(settings.statusCode, 200, settings.body);
  const customer = async (body: object) => {
    const res = await call('POST', '/v1/customers', body);
    t.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const invoice = async (customerId: string, body: object) => {
    const res = await call('POST', '/v1/invoices', { customer_id: customerId, issue_date: '2026-01-15', ...body });
    t.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const durand = await customer({ name: 'Durand SARL', email: 'compta@durand.example', locale: 'fr-FR' });
  const martin = await customer({ name: 'Martin & Fils', email: 'ap@martin.example', locale: 'en' });
  const invoices = {
    first: await invoice(durand, {
      number: 'F-2026-001',
      currency: 'EUR',
      subtotal: 120000,
      due_date: '2026-02-14',
      payment_url: 'https://pay.example/F-2026-001',
      pdf_url: 'https://files.example/F-2026-001.pdf',
    }),
    second: await invoice(durand, { number: 'F-2026-002', currency: 'EUR', subtotal: 45050, due_date: '2026-03-20' }),
    pounds: await invoice(durand, { number: 'F-2026-003', currency: 'GBP', subtotal: 9999, due_date: '2026-02-20' }),
    settled: await invoice(durand, { number: 'F-2025-090', currency: 'EUR', subtotal: 30000, due_date: '2026-02-01' }),
    martin: await invoice(martin, { number: 'F-2026-777', currency: 'EUR', subtotal: 77700, due_date: '2026-02-10' }),
  };
  const paid = await call('POST', '/v1/payments', {
    customer_id: durand,
    amount: 30000,
    currency: 'EUR',
    method: 'transfer',
    received_on: '2026-03-01',
    allocations: [{ invoice_id: invoices.settled, amount: 30000 }],
  });
  t.equal(paid.statusCode, 201, paid.body);
  return { account, call, advance, durand, martin, invoices };
}
