import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { createRateBudget } from '../../src/mail/rate-budget.ts';
import { createResendTransport } from '../../src/mail/resend.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { REFUSED_DOMAIN, startResendStandIn } from '../helpers/resend-stand-in.ts';

// Three "workers" (services with their own transport, sharing one budget row) send the due
// reminders of three accounts at once, through the real Resend SDK, to a stand-in that allows
// 2 requests/s per team. The budget is set to 10/s on purpose, and another application of the
// same team uses part of the limit (all of it for the first 3 s), so the provider's 429s must do the pacing: each one pauses
// the shared budget for its `retry-after`, and no reminder is lost or failed.
t.test(
  'rate-limited provider: batches, retry-after honoured by every worker, nothing lost or sent twice',
  async (t) => {
    const ctx = await setupApp(t);
    const resend = await startResendStandIn({ ratePerSecond: 2, delayMs: 30 });
    t.teardown(() => resend.close());
    const clock = ctx.clock as ManualClock;
    clock.set('2026-03-02T06:00:00Z');
    const workers = [1, 2, 3].map(() => {
      const budget = createRateBudget(ctx.database, { credential: 'resend:test', ratePerSecond: 10 });
      return createServices({
        database: ctx.database,
        clock,
        transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url, budget }),
      });
    });

    const PER_ACCOUNT = 24;
    const accounts: Array<Awaited<ReturnType<typeof ctx.createAccount>>> = [];
    for (const n of [1, 2, 3]) {
      const acme = await ctx.createAccount({ name: `A${n}`, time_zone: 'UTC' });
      const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
        ctx.app.inject({ method, url, headers: acme.auth, payload });
      // One customer owes them all: lift its contact budget, this test is about the provider's pace.
      await call('PATCH', '/v1/account', {
        sender_email: `billing@a${n}.example`,
        sender_name: `A${n}`,
        max_contacts_per_week: 50,
        min_days_between_contacts: 0,
      });
      const good = (await call('POST', '/v1/customers', { name: 'C', email: `c${n}@example.com` })).json();
      const refused = (await call('POST', '/v1/customers', { name: 'R', email: `r${n}@${REFUSED_DOMAIN}` })).json();
      for (let i = 0; i < PER_ACCOUNT; i++) {
        // One invoice per account goes to an address the provider refuses.
        const customer = i === 5 ? refused : good;
        const created = await call('POST', '/v1/invoices', {
          number: `P${n}-${i}`,
          customer_id: customer.id,
          subtotal: 100,
          issue_date: '2026-03-01',
          due_date: '2026-03-02',
        });
        if (created.statusCode !== 201) t.fail(created.body);
      }
      accounts.push(acme);
    }

    clock.set('2026-03-02T10:00:00Z');
    const scope = () => ({ kind: 'live' as const, now: clock.now() });
    await workers[0]!.reminders.scheduler.prepare(scope());
    const started = Date.now();
    // The team's other application: a burst at first (it takes every request the limit allows
    // until the provider has refused one of ours, at least 3 s: on a slow machine our first call
    // may come later), then a request every 700 ms, counted against the same limit.
    const poke = () =>
      void fetch(`${resend.url}/domains`, { headers: { authorization: 'Bearer re_neighbour' } }).catch(() => {});
    const refusedOurs = () =>
      resend.requests.some(
        (r) => r.method === 'POST' && r.status === 429 && r.headers.authorization === 'Bearer re_test',
      );
    let neighbour = setInterval(poke, 100);
    const calm = setInterval(() => {
      if (Date.now() - started < 3000 || (!refusedOurs() && Date.now() - started < 60_000)) return;
      clearInterval(calm);
      clearInterval(neighbour);
      neighbour = setInterval(poke, 700);
    }, 100);
    t.teardown(() => clearInterval(calm));
    for (let round = 0; round < 30; round++) {
      const due = await workers[0]!.reminders.scheduler.dueOccurrences(scope());
      if (due.length === 0) break;
      // Jobs as pg-boss hands them out: per account, in chunks, spread over the three workers.
      const jobs = [...Map.groupBy(due, (o) => o.account_id)].flatMap(([accountId, list]) => {
        const chunks = [];
        for (let i = 0; i < list.length; i += 8) chunks.push({ accountId, ids: list.slice(i, i + 8).map((o) => o.id) });
        return chunks;
      });
      await Promise.all(
        jobs.map((job, i) => workers[i % workers.length]!.reminders.engine.processMany(job.accountId, job.ids)),
      );
      clock.set(new Date(clock.now().getTime() + 2_000).toISOString());
    }
    const seconds = (Date.now() - started) / 1000;
    clearInterval(neighbour);

    const rows = await ctx.database.withSystem((trx) =>
      trx
        .selectFrom('reminder_occurrences')
        .select(['id', 'status', 'attempts', 'failure', 'offset_days'])
        .where('offset_days', '=', 0)
        .execute(),
    );
    const failed = rows.filter((r) => r.status === 'failed');
    t.equal(rows.length, 3 * PER_ACCOUNT);
    t.equal(
      rows.filter((r) => r.status === 'sent').length,
      3 * (PER_ACCOUNT - 1),
      'every reminder to a valid address was sent',
    );
    t.equal(failed.length, 3, 'only the refused addresses failed');
    t.ok(
      failed.every((r) => /email address/i.test(String(r.failure))),
      'failed with the provider’s refusal of the address',
    );
    t.equal(resend.duplicates(), 0, 'no email accepted twice');
    t.equal(resend.emailsAccepted(), 3 * (PER_ACCOUNT - 1));

    const posts = resend.requests.filter((r) => r.method === 'POST' && r.headers.authorization === 'Bearer re_test');
    const batches = posts.filter((r) => r.path === '/emails/batch');
    t.ok(batches.length > 0 && batches.length === posts.length, `every call a batch (${batches.length})`);
    t.ok(
      batches.every(
        (r) =>
          r.headers['x-batch-validation'] === 'permissive' && String(r.headers['idempotency-key']).startsWith('batch_'),
      ),
      'permissive, under a batch key',
    );
    const limited = posts.filter((r) => r.status === 429);
    t.ok(limited.length > 0, `the provider pushed back (${limited.length} of ${posts.length} calls were 429)`);

    // The stand-in's 429s say `retry-after: 1` or more: after one, nobody calls for a second (a
    // call already on its way when the 429 came back is allowed: 300 ms of slack, since three
    // workers, the stand-in and PostgreSQL share two loaded cores; a worker ignoring the pause
    // would call every 100 ms and land inside the 300–700 ms window).
    let early = 0;
    for (const refused of limited)
      early += posts.filter((r) => r.at > refused.at + 300 && r.at < refused.at + 1000 - 300).length;
    if (early > 0) t.comment(JSON.stringify(posts.map((r) => [r.at - posts[0]!.at, r.status, r.body?.length])));
    t.equal(early, 0, 'no call inside a retry-after window');
    // The same key is never reused with other emails (a replay is the same batch).
    const bodyByKey = new Map<string, string>();
    let changed = 0;
    for (const r of posts) {
      const key = String(r.headers['idempotency-key']);
      if ((bodyByKey.get(key) ?? JSON.stringify(r.body)) !== JSON.stringify(r.body)) changed++;
      bodyByKey.set(key, JSON.stringify(r.body));
    }
    t.equal(changed, 0, 'a batch key always carries the same emails');
    const attempts = rows.reduce((sum, r) => sum + r.attempts, 0) / rows.length;
    t.comment(
      `${posts.length} calls, ${limited.length} 429, ${attempts.toFixed(2)} attempts per reminder, ${seconds.toFixed(1)} s`,
    );
    const budget = await ctx.database.withSystem((trx) =>
      trx.selectFrom('provider_rate_budgets').selectAll().execute(),
    );
    t.match(budget, [{ credential: 'resend:test', rate_per_second: 10 }], 'one budget row for the credential');

    t.test(
      'a 429 answered to a single email: the reminder waits what retry-after says, it does not fail',
      async (t) => {
        const lone = createServices({
          database: ctx.database,
          clock,
          transport: createResendTransport({ apiKey: 're_test', baseUrl: resend.url }),
        });
        const acme = accounts[0]!;
        const customer = (
          await ctx.app.inject({
            method: 'POST',
            url: '/v1/customers',
            headers: acme.auth,
            payload: { name: 'L', email: 'l@example.com' },
          })
        ).json();
        const invoice = (
          await ctx.app.inject({
            method: 'POST',
            url: '/v1/invoices',
            headers: acme.auth,
            payload: {
              number: 'L-1',
              customer_id: customer.id,
              subtotal: 100,
              issue_date: '2026-03-01',
              due_date: '2026-03-09',
            },
          })
        ).json();
        clock.set('2026-03-09T10:00:00Z');
        // Ten refusals in a row: far more than the old five-attempt limit.
        // 600 ms apart: the stand-in's own limit (2/s) stays out of the way of these staged 429s.
        for (let i = 0; i < 10; i++) {
          await new Promise((resolve) => setTimeout(resolve, 600));
          resend.failNext(1, 429);
          await lone.reminders.scheduler.runUntilIdle(scope());
          clock.set(new Date(clock.now().getTime() + 61_000).toISOString());
        }
        const step = () =>
          ctx.database.withAccount(acme.accountId, (trx) =>
            trx
              .selectFrom('reminder_occurrences')
              .select(['status', 'attempts', 'retry_at', 'updated_at'])
              .where('invoice_id', '=', invoice.id)
              .where('offset_days', '=', 0)
              .executeTakeFirstOrThrow(),
          );
        const waiting = await step();
        t.equal(waiting.status, 'sending', 'still waiting after ten 429s');
        t.ok(waiting.attempts >= 10, `${waiting.attempts} attempts, none counted as a failure`);
        for (let i = 0; i < 10 && (await step()).status !== 'sent'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 600));
          clock.set(new Date(clock.now().getTime() + 61_000).toISOString());
          await lone.reminders.scheduler.runUntilIdle(scope());
        }
        t.equal((await step()).status, 'sent');
      },
    );
  },
);
