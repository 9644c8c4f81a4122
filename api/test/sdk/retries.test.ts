import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, RelanceConnectionError } from '@relance/sdk';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';

/**
 * A flaky network in front of the real server: `plan` says, per request, whether to answer
 * itself (a status with headers, or a dropped connection, or silence) or to pass it on.
 */
async function flakyProxy(
  target: string,
  plan: (n: number) => 'pass' | 'drop' | 'hang' | { status: number; headers?: Record<string, string> },
) {
  const seen: { method: string; url: string; key: string | undefined; at: number }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        key: req.headers['idempotency-key'] as string | undefined,
        at: Date.now(),
      });
      const step = plan(seen.length);
      if (step === 'drop') return req.socket.destroy();
      if (step === 'hang') return;
      if (step !== 'pass')
        return res
          .writeHead(step.status, { 'content-type': 'application/problem+json', ...step.headers })
          .end(JSON.stringify({ code: `http/${step.status}`, title: 'flaky', status: step.status }));
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        ...(chunks.length && { body: Buffer.concat(chunks) }),
      });
      res
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
        .end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(r)).then(() => server.closeAllConnections()),
  };
}

t.test(
  'the client retries network errors, 429 and 5xx with the same Idempotency-Key, honours Retry-After, and times out',
  async (t) => {
    const ctx = await setupApp(t);
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const server = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    const account = await ctx.createAccount({ name: 'Flaky' });
    const customer = (
      await ctx.app.inject({ method: 'POST', url: '/v1/customers', headers: account.auth, payload: { name: 'Client' } })
    ).json();
    const body = {
      number: 'R-1',
      customer_id: customer.id,
      currency: 'EUR',
      subtotal: 1000,
      issue_date: '2026-02-01',
      due_date: '2026-03-01',
    };

    t.test('a dropped connection, a 503 and a 429 with Retry-After: 1, then the answer', async (t) => {
      const proxy = await flakyProxy(server, (n) =>
        n === 1
          ? 'drop'
          : n === 2
            ? { status: 503 }
            : n === 3
              ? { status: 429, headers: { 'retry-after': '1' } }
              : 'pass',
      );
      t.teardown(proxy.close);
      const relance = createClient({ apiKey: account.apiKey, baseUrl: proxy.url, maxRetries: 3 });
      const invoice = await relance.invoices.create(body);
      t.equal(invoice.number, 'R-1');
      t.equal(proxy.seen.length, 4, 'four attempts');
      t.ok(proxy.seen[0]!.key, 'the first attempt carries a key');
      t.ok(
        proxy.seen.every((s) => s.key === proxy.seen[0]!.key),
        'every attempt carries the same Idempotency-Key',
      );
      t.ok(
        proxy.seen[3]!.at - proxy.seen[2]!.at >= 950,
        `waited the second Retry-After asked (${proxy.seen[3]!.at - proxy.seen[2]!.at} ms)`,
      );
      const list = (
        await ctx.app.inject({ method: 'GET', url: '/v1/invoices?limit=100', headers: account.auth })
      ).json();
      t.equal(list.data.filter((i: { number: string }) => i.number === 'R-1').length, 1, 'one invoice');
    });

    t.test('a retry after the server applied the request replays its first answer', async (t) => {
      // The first attempt reaches the server, but its answer is lost (502 from a gateway).
      let applied = false;
      const proxy = await flakyProxy(server, () => 'pass');
      t.teardown(proxy.close);
      const lossy = createClient({
        apiKey: account.apiKey,
        baseUrl: proxy.url,
        maxRetries: 2,
        fetch: async (request) => {
          const response = await fetch(request);
          if (!applied && request.method === 'POST') {
            applied = true;
            return new Response('bad gateway', { status: 502 });
          }
          return response;
        },
      });
      const created = await lossy.customers.create({ name: 'Once only', external_id: 'retry-once' });
      t.equal(proxy.seen.length, 2);
      t.equal(proxy.seen[0]!.key, proxy.seen[1]!.key);
      const found = (
        await ctx.app.inject({ method: 'GET', url: '/v1/customers?external_id=retry-once', headers: account.auth })
      ).json();
      t.same(
        found.data.map((c: { id: string }) => c.id),
        [created.id],
        'applied once',
      );
    });

    t.test('no retry for a 4xx; none when turned off; a long Retry-After is not waited for', async (t) => {
      const proxy = await flakyProxy(server, (n) =>
        n === 1 ? { status: 503, headers: { 'retry-after': '3600' } } : 'pass',
      );
      t.teardown(proxy.close);
      const relance = createClient({ apiKey: account.apiKey, baseUrl: proxy.url });
      t.match(
        await relance.invoices.get('inv_missing').catch((e: unknown) => e),
        { status: 503 },
        'Retry-After of an hour: the 503 is returned',
      );
      await t.rejects(relance.invoices.get('inv_missing'), { code: 'invoice/not_found' });
      t.equal(proxy.seen.length, 2, 'a 404 is not retried');
      const flaky = await flakyProxy(server, () => ({ status: 500 }));
      t.teardown(flaky.close);
      t.match(
        await createClient({ apiKey: account.apiKey, baseUrl: flaky.url, maxRetries: 0 })
          .account.get()
          .catch((e: unknown) => e),
        { status: 500 },
      );
      t.equal(flaky.seen.length, 1, 'maxRetries: 0');
    });

    t.test('a per-request timeout, retried, then a RelanceConnectionError', async (t) => {
      const proxy = await flakyProxy(server, () => 'hang');
      t.teardown(proxy.close);
      const relance = createClient({ apiKey: account.apiKey, baseUrl: proxy.url, timeout: 60_000 });
      const started = Date.now();
      const error = await relance.invoices.list({}, { timeout: 300, maxRetries: 1 }).catch((e: unknown) => e);
      t.ok(error instanceof RelanceConnectionError, String(error));
      t.equal((error as RelanceConnectionError).code, 'connection/timeout');
      t.equal((error as RelanceConnectionError).attempts, 2);
      t.equal(proxy.seen.length, 2);
      t.ok(Date.now() - started < 20_000, 'the call option overrides the client timeout');
    });

    t.test('for await pages through every item of a list', async (t) => {
      const relance = createClient({ apiKey: account.apiKey, baseUrl: server });
      for (let i = 2; i <= 7; i++) await relance.invoices.create({ ...body, number: `R-${i}` });
      const numbers: string[] = [];
      for await (const invoice of relance.invoices.list({ overdue: true, limit: 2 })) numbers.push(invoice.number);
      t.same(numbers.sort(), ['R-1', 'R-2', 'R-3', 'R-4', 'R-5', 'R-6', 'R-7']);
      const page = await relance.invoices.list({ limit: 2 });
      t.equal(page.data.length, 2);
      t.equal(page.has_more, true, 'awaited, a list helper is one page');
    });
  },
);
