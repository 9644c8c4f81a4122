/**
 * A webhook URL whose name resolves slowly: the system resolver is replaced (Node's own
 * `dns/promises.lookup`, re-exported to ES imports by syncBuiltinESMExports) by one that answers
 * after 30 s, as a broken DNS server would. Relance gives up after DNS_TIMEOUT_MS.
 */
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';
import t from 'tap';
import { DNS_TIMEOUT_MS } from '../../src/domain/webhooks/target.ts';
import { setupApp } from '../helpers/app.ts';

t.test('a resolver that does not answer: the registration is refused after the DNS timeout', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const real = dnsPromises.lookup;
  const asked: string[] = [];
  const slow = ((host: string) => {
    asked.push(host);
    return new Promise((resolve) =>
      setTimeout(() => resolve([{ address: '93.184.216.34', family: 4 }]), 30_000).unref(),
    );
  }) as unknown as typeof dnsPromises.lookup;
  dnsPromises.lookup = slow;
  syncBuiltinESMExports();
  t.teardown(() => {
    dnsPromises.lookup = real;
    syncBuiltinESMExports();
  });

  const started = Date.now();
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/webhook_endpoints',
    headers: acme.auth,
    payload: { url: 'https://slow-dns.relance.example/hooks', enabled_events: ['*'] },
  });
  const seconds = (Date.now() - started) / 1000;
  t.same(asked, ['slow-dns.relance.example'], 'the name went to the resolver');
  t.equal(res.statusCode, 422, res.body);
  t.equal(res.json().code, 'webhook_endpoint/forbidden_target');
  t.match(res.json().detail, 'could not be resolved');
  t.ok(
    seconds >= DNS_TIMEOUT_MS / 1000 - 0.1 && seconds < 25,
    `answered after the ${DNS_TIMEOUT_MS / 1000} s timeout, not the resolver's 30 s (${seconds.toFixed(1)} s)`,
  );

  const unknown = await ctx.app.inject({
    method: 'PATCH',
    url: '/v1/webhook_endpoints/we_01m814qcamfvhrjczyyyf6b5g2',
    headers: acme.auth,
    payload: { url: 'https://slow-dns.relance.example/other' },
  });
  t.equal(unknown.statusCode, 404, 'an unknown endpoint is a 404 before any resolution');
  t.equal(asked.length, 1);
});
