import pg from 'pg';
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { oldestDueReminderAge } from '../../src/domain/reminders/index.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { explainStatements, loadInvoices, type PlanNode, scansOf, settleBook } from '../helpers/book.ts';
import { createTestDatabase } from '../helpers/database.ts';

// A tick costs what is due, not what exists: on a book of 20,000 invoices (72 % paid), every
// statement the workers' tick sends reads through an index, and each scan of invoices or
// reminder_occurrences reads (nearly) only the rows it returns, whether nothing is due, the
// 09:00 burst is due, or a new day brings announcements and late fees.
const TABLES = new Set(['invoices', 'reminder_occurrences']);

t.test('every tick statement reads only the rows it returns', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());
  // Transactions begun while `counting`: what a pass costs in round trips, beside what it reads.
  let counting = false;
  let transactions = 0;
  const database = createDatabase(testDb.url, {
    max: 4,
    onStatement: (text) => {
      if (counting && /^\s*BEGIN\b/i.test(text)) transactions++;
    },
  });
  t.teardown(() => database.close());
  const owner = new pg.Client({ connectionString: testDb.url });
  await owner.connect();
  t.teardown(() => owner.end());
  let capturing = false;
  let plans: Array<{ text: string; plan: PlanNode }> = [];
  /** Every statement the last `measured` saw, before its `only` filter. */
  let seen: typeof plans = [];
  explainStatements(
    database.pool,
    (text) => /\b(invoices|reminder_occurrences|invoice_replans|customers)\b/.test(text),
    (text, plan) => plans.push({ text, plan }),
    () => capturing,
  );
  const clock = new ManualClock('2026-06-10T08:30:00Z');
  const services = createServices({ database, clock });
  const scheduler = services.reminders.scheduler;
  const live = () => ({ kind: 'live' as const, now: clock.now() });

  const big = (await services.accounts.create({ name: 'Big', time_zone: 'UTC' })).account.id;
  const small = (await services.accounts.create({ name: 'Small', time_zone: 'UTC' })).account.id;
  await loadInvoices(owner, { accountId: big, invoices: 15_000, customers: 1_500, today: '2026-06-10' });
  await loadInvoices(owner, { accountId: small, invoices: 5_000, customers: 500, today: '2026-06-10' });
  const planned = await scheduler.planPending(live());
  t.equal(planned, 4_800, 'the planner planned every open invoice');
  await settleBook(owner, clock.now());

  /** Runs `fn` with every statement explained; checks each scan and returns the plans. */
  const measured = async (
    t: Test,
    what: string,
    fn: () => Promise<unknown>,
    only: (text: string) => boolean = () => true,
  ) => {
    plans = [];
    capturing = true;
    try {
      await fn();
    } finally {
      capturing = false;
    }
    t.ok(plans.length > 0, `${what}: statements seen`);
    seen = plans;
    plans = plans.filter((p) => only(p.text));
    for (const { text, plan } of plans) {
      const name = text.replace(/\s+/g, ' ').slice(0, 90);
      for (const scan of scansOf(plan, TABLES)) {
        t.not(scan.node, 'Seq Scan', `${what}: no sequential scan of ${scan.relation} (${name})`);
        t.ok(
          scan.read - scan.returned <= 10 + scan.returned * 0.02,
          `${what}: ${scan.relation} via ${scan.index ?? scan.node} read ${scan.read} rows, returned ${scan.returned} (${name})`,
        );
      }
    }
    return plans;
  };
  const returnedBy = (found: Array<{ plan: PlanNode }>) => found.reduce((n, p) => n + p.plan['Actual Rows'], 0);

  await t.test('nothing due: every scan reads nothing', async (t) => {
    const found = await measured(t, 'idle', async () => {
      t.same(await scheduler.prepare(live()), { planned: 0, announced: 0 });
      t.equal((await scheduler.dueOccurrences(live())).length, 0);
      await database.withSystem((trx) => oldestDueReminderAge(trx, clock.now()));
    });
    for (const { plan } of found)
      for (const scan of scansOf(plan, TABLES))
        t.ok(scan.read <= 1, `idle: ${scan.relation} via ${scan.index} read ${scan.read}`);
  });

  await t.test("a test clock's step with nothing to do: one transaction of reads", async (t) => {
    // The loaded customers' first risk assessment is due: a step runs it (and what follows).
    transactions = 0;
    counting = true;
    await scheduler.runUntilIdle(live());
    counting = false;
    t.ok(transactions > 1, `a step with work: ${transactions} transactions`);
    transactions = 0;
    counting = true;
    const idle = await measured(t, 'idle step', () => scheduler.runUntilIdle(live()));
    counting = false;
    t.equal(transactions, 1, 'the next step, with nothing to do, is one transaction');
    t.ok(idle.length >= 6, `its reads were seen (${idle.length})`);
  });

  await t.test('the 09:00 burst: the due scan reads what it returns', async (t) => {
    clock.set('2026-06-10T09:00:00Z');
    const { rows } = await owner.query(
      `SELECT count(*)::int AS n FROM reminder_occurrences WHERE status = 'scheduled' AND scheduled_at <= $1`,
      [clock.now()],
    );
    t.ok(rows[0].n > 50, `${rows[0].n} reminders due at 09:00`);
    let due = 0;
    const found = await measured(t, 'burst', async () => {
      due = (await scheduler.dueOccurrences(live())).length;
    });
    t.equal(due, rows[0].n);
    t.equal(returnedBy(found), rows[0].n);
  });

  await t.test('a new day: announcements and late fees read their work only', async (t) => {
    clock.set('2026-06-11T07:00:00Z');
    const { rows } = await owner.query(
      `SELECT count(*) FILTER (WHERE due_date = '2026-06-10')::int AS overdue, count(*) FILTER (WHERE due_date = '2026-06-14')::int AS due_soon,
              count(*) FILTER (WHERE due_date < '2026-06-11')::int AS late
         FROM invoices WHERE status IN ('open', 'partially_paid') AND balance > 0`,
    );
    t.ok(
      rows[0].overdue > 0 && rows[0].due_soon > 0,
      `${rows[0].overdue} newly overdue, ${rows[0].due_soon} newly due soon, ${rows[0].late} late`,
    );
    const found = await measured(
      t,
      'new day',
      async () => {
        const { announced } = await scheduler.prepare(live());
        t.equal(announced, rows[0].overdue + rows[0].due_soon, 'each newly overdue or due soon invoice announced once');
      },
      (text) => !/^select \* from "invoices" where "id" = \$1 for update$/.test(text),
    ); // each accrual locks its invoice by key
    t.ok(
      found.some((p) => scansOf(p.plan, TABLES).some((s) => s.index === 'invoices_late_fees_next' && s.returned > 0)),
      'late fees found their invoices through their index',
    );
  });

  await t.test('an overdue list filtered by due date reads about a page per page', async (t) => {
    const actor = { accountId: big, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
    const query = { overdue: true, due_date_to: '2026-03-31', limit: 50 };
    let pages: Array<{ data: Array<{ id: string; due_date: string }>; has_more: boolean }> = [];
    const found = await measured(t, 'overdue list', async () => {
      const first = await services.invoices.list(actor, query);
      const second = await services.invoices.list(actor, { ...query, starting_after: first.data.at(-1)!.id });
      pages = [first, second];
    });
    const [first, second] = pages;
    t.ok(first!.has_more && first!.data.length === 50 && second!.data.length === 50);
    const rows = [...first!.data, ...second!.data];
    t.equal(new Set(rows.map((r) => r.id)).size, 100, 'no invoice twice across pages');
    const keys = rows.map((r) => `${r.due_date} ${r.id}`);
    t.same(keys, [...keys].sort().reverse(), 'latest due date first, then newest');
    t.ok(rows.every((r) => r.due_date <= '2026-03-31'));
    const { rows: expected } = await owner.query(
      `SELECT id FROM invoices WHERE account_id = $1 AND status IN ('open', 'partially_paid') AND balance > 0 AND due_date < '2026-06-10' AND due_date <= '2026-03-31' ORDER BY due_date DESC, id DESC LIMIT 100`,
      [big],
    );
    t.same(
      rows.map((r) => r.id),
      expected.map((r: { id: string }) => r.id),
      'the same rows as the query written by hand',
    );
    for (const { plan } of found) {
      for (const scan of scansOf(plan, TABLES))
        if (scan.index !== 'invoices_pkey') t.ok(scan.read <= 60, `a page read ${scan.read} rows (${scan.index})`);
    }
  });

  await t.test('replanning a large account: each batch reads its batch', async (t) => {
    const actor = { accountId: big, keyId: null, readOnly: false, mode: 'live' as const, timeZone: 'UTC' };
    const policy = (await services.reminderPolicies.list(actor, {})).data[0]!;
    const started = performance.now();
    const changed = await services.reminderPolicies.update(actor, policy.id, { send_hour: 10 });
    t.equal(changed.invoices_to_replan, 3_600, 'the change answers with how many invoices will be replanned');
    t.ok(performance.now() - started < 2_000, 'at once: the invoices are flagged in the background');
    let replanned = 0;
    const found = await measured(
      t,
      'replan',
      async () => {
        replanned = await scheduler.planPending(live());
      },
      (text) => /for update of i skip locked/i.test(text),
    ); // the batch picks (the planning itself reads its batch by key)
    t.equal(replanned, 3_600);
    const picks = found;
    t.ok(picks.length >= 8, `${picks.length} batch picks`);
    // Where each pick starts in the queue's key: a planned invoice's deleted queue row stays in the
    // index until VACUUM, and a pick from the start of the account's queue walked them all (the
    // rows read counted below do not include them).
    const cursors: Array<string | undefined> = [];
    for (const pick of picks) {
      // The invoices by key: at most its batch and the batches the other three connections hold
      // (SKIP LOCKED steps over them).
      const invoices = scansOf(pick.plan, TABLES);
      t.ok(invoices.length > 0, 'a pick locks its invoices');
      for (const scan of invoices) {
        t.equal(scan.index, 'invoices_pkey', 'a pick reaches its invoices by key');
        t.ok(scan.read <= 4 * 500, `a pick read ${scan.read} invoices`);
      }
      // The queue holds only work: a pick reads its batch and steps over those of the other three
      // connections, at most two each (one they hold, one they finished after the pick's snapshot).
      for (const scan of scansOf(pick.plan, new Set(['invoice_replans']))) {
        t.ok(scan.read <= 7 * 500, `a pick read ${scan.read} queued invoices (${scan.index ?? scan.node})`);
        t.equal(scan.index, 'invoice_replans_pkey', 'a pick reads the queue by its key');
        cursors.push(/invoice_id > '([^']*)'/.exec(scan.cond ?? '')?.[1]);
      }
    }
    t.equal(cursors.length, picks.length, 'each pick reads the queue once');
    t.ok(
      cursors.every((c) => c !== undefined),
      'every pick starts its range at a cursor',
    );
    t.ok(
      cursors.filter((c) => c !== '').length >= picks.length - 4,
      `all but each connection's first pick start past what the pass planned (${cursors.filter((c) => c === '').length} from the start)`,
    );
    // What a batch reads to plan: its invoices, their customers and their reminders, each by key,
    // never the account's customers or reminders (1,500 and 25,200 here) however PostgreSQL
    // estimates them.
    // (The picks are checked above; flagging a changed policy's invoices walks the account by design.)
    const reads = seen.filter((p) => !/for update of i skip locked|^\s*WITH batch AS/i.test(p.text));
    // Two reads per batch picked (its invoices, then its reminders to cancel); a pick that found
    // nothing plans nothing.
    const batches = picks.filter((pick) => pick.plan['Actual Rows'] > 0).length;
    t.ok(batches >= 8 && reads.length >= 2 * batches, `${reads.length} planning reads for ${batches} batches`);
    const perBatch: Record<string, number> = { invoices: 500, customers: 500, reminder_occurrences: 8 * 500 };
    for (const { text, plan } of reads) {
      const name = text.replace(/\s+/g, ' ').slice(0, 90);
      for (const scan of scansOf(plan, new Set(Object.keys(perBatch)))) {
        t.not(scan.node, 'Seq Scan', `no sequential scan of ${scan.relation} (${name})`);
        t.ok(scan.read <= perBatch[scan.relation]!, `${scan.relation}: read ${scan.read} rows for a batch (${name})`);
      }
    }
  });
});
