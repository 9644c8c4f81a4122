import t from 'tap';
import type { ManualClock } from '../../src/clock.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';

// Public holidays, played through the clock day by day: a policy that skips them sends nothing
// on 25 December in France and moves the reminder past the weekend that follows, and the
// timeline says which days were skipped and why. The customer's country decides (its billing
// address; else the account's), down to the region (Scotland's own bank holidays).

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

t.test('reminders skip the public holidays of the customer country', async (t) => {
  const ctx = await setupApp(t);
  const clock = ctx.clock as ManualClock;
  clock.set('2026-04-01T08:00:00Z');
  const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
  const call = (who: TestAccount, method: string, url: string, payload?: object) =>
    ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload && { payload }) });
  const ok = async (res: Promise<{ statusCode: number; body: string; json(): any }>) => {
    const answer = await res;
    if (answer.statusCode >= 300) throw new Error(answer.body);
    return answer.json();
  };
  await ok(
    call(acme, 'PATCH', '/v1/account', {
      sender_email: 'billing@acme.example',
      billing_address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
    }),
  );
  const step = { offset_days: 0, channel: 'email', template_key: 'due_today' };
  const skipping = await ok(
    call(acme, 'POST', '/v1/reminder_policies', { name: 'Due day', steps: [step], skip_holidays: true }),
  );
  t.match(skipping, { skip_weekends: true, skip_holidays: true, send_hour: 9 });
  const plain = await ok(call(acme, 'POST', '/v1/reminder_policies', { name: 'Due day, holidays too', steps: [step] }));
  t.equal(plain.skip_holidays, false, 'off unless asked');

  const french = await ok(call(acme, 'POST', '/v1/customers', { name: 'Client', email: 'client@fr.example' }));
  const scottish = await ok(
    call(acme, 'POST', '/v1/customers', {
      name: 'Client Ltd',
      email: 'client@scot.example',
      billing_address: {
        line1: '1 High Street',
        postal_code: 'EH1 1AA',
        city: 'Edinburgh',
        region: 'SCT',
        country: 'GB',
      },
    }),
  );
  const invoice = (number: string, customerId: string, dueDate: string, policyId: string) =>
    ok(
      call(acme, 'POST', '/v1/invoices', {
        number,
        customer_id: customerId,
        currency: 'EUR',
        subtotal: 10_000,
        issue_date: '2026-03-01',
        due_date: dueDate,
        reminder_policy_id: policyId,
      }),
    );
  const christmas = await invoice('X-1', french.id, '2026-12-25', skipping.id);
  const christmasScot = await invoice('X-2', scottish.id, '2026-12-25', skipping.id);
  const bastille = await invoice('X-3', french.id, '2026-07-14', skipping.id);
  const mayDay = await invoice('X-4', french.id, '2026-05-01', skipping.id);
  const bastilleAnyway = await invoice('X-5', french.id, '2026-07-14', plain.id);
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });

  const entry = async (invoiceId: string) =>
    (await ok(call(acme, 'GET', `/v1/invoices/${invoiceId}/timeline`))).reminders[0];
  t.match(await entry(christmas.id), {
    scheduled_at: '2026-12-28T08:00:00.000Z',
    moved_from: '2026-12-25',
    moved_for: '2026-12-25 Noël, 2026-12-26 weekend, 2026-12-27 weekend',
  });
  t.match(
    await entry(christmasScot.id),
    {
      scheduled_at: '2026-12-29T08:00:00.000Z',
      moved_from: '2026-12-25',
      moved_for:
        '2026-12-25 Christmas Day, 2026-12-26 Boxing Day, 2026-12-27 weekend, 2026-12-28 Boxing Day (substitute day)',
    },
    "a Scottish customer: the UK's substitute bank holiday too",
  );
  t.match(await entry(bastille.id), {
    scheduled_at: '2026-07-15T07:00:00.000Z',
    moved_for: '2026-07-14 Fête Nationale de la France',
  });
  t.match(await entry(mayDay.id), {
    scheduled_at: '2026-05-04T07:00:00.000Z',
    moved_for: '2026-05-01 Fête du travail, 2026-05-02 weekend, 2026-05-03 weekend',
  });
  t.match(
    await entry(bastilleAnyway.id),
    { scheduled_at: '2026-07-14T07:00:00.000Z', moved_from: null, moved_for: null },
    'a policy that does not skip holidays sends on 14 July',
  );
  const graphql = await ok(
    ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: acme.auth,
      payload: { query: `{ invoice(id: "${christmas.id}") { timeline { reminders { movedFrom movedFor } } } }` },
    }),
  );
  t.same(graphql.data.invoice.timeline.reminders[0], {
    movedFrom: '2026-12-25',
    movedFor: '2026-12-25 Noël, 2026-12-26 weekend, 2026-12-27 weekend',
  });

  // Day by day from 23 December, each day at 10:00 in Paris: the Christmas reminders leave on
  // the 28th (France) and the 29th (Scotland), and on no other day.
  const sentOn = new Map<string, string[]>();
  const sent = async () =>
    ctx.database.withAccount(acme.accountId, (trx) =>
      trx
        .selectFrom('messages')
        .innerJoin('reminder_occurrences', 'reminder_occurrences.message_id', 'messages.id')
        .select(['reminder_occurrences.invoice_id'])
        .where('messages.status', '=', 'sent')
        .where('reminder_occurrences.invoice_id', 'in', [christmas.id, christmasScot.id])
        .execute(),
    );
  let before = 0;
  clock.set('2026-12-23T09:00:00Z');
  for (let day = 0; day < 9; day++) {
    await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
    const rows = await sent();
    const date = clock.now().toISOString().slice(0, 10);
    if (rows.length > before)
      sentOn.set(
        date,
        rows.slice(before).map((r) => r.invoice_id),
      );
    before = rows.length;
    clock.advance(DAY);
  }
  t.same(
    Object.fromEntries(sentOn),
    { '2026-12-28': [christmas.id], '2026-12-29': [christmasScot.id] },
    'each sent once, on the first working day of its country',
  );

  // A customer moving country is replanned with its new holidays: 14 July is no holiday in Germany.
  const bastille2027 = await invoice('X-8', french.id, '2027-07-14', skipping.id);
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  t.match(await entry(bastille2027.id), { scheduled_at: '2027-07-15T07:00:00.000Z' });
  await ok(
    call(acme, 'PATCH', `/v1/customers/${french.id}`, {
      billing_address: { line1: 'Hauptstraße 1', postal_code: '10115', city: 'Berlin', country: 'DE' },
    }),
  );
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  t.match(
    await entry(bastille2027.id),
    { scheduled_at: '2027-07-14T07:00:00.000Z', moved_from: null },
    'its open invoice was replanned for Germany',
  );
  const unity = await invoice('X-6', french.id, '2027-10-04', skipping.id);
  clock.set('2027-09-01T08:00:00Z');
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  t.match(await entry(unity.id), { moved_from: null }, '4 October is no holiday in Germany');
  const whitMonday = await invoice('X-7', french.id, '2027-05-17', skipping.id);
  await ctx.services.reminders.scheduler.runUntilIdle({ kind: 'live', now: clock.now() });
  t.match(await entry(whitMonday.id), { moved_for: '2027-05-17 Pfingstmontag' }, 'German holiday names');
});
