import t from 'tap';
import { type ContactBudget, nextContactDay as next } from '../../src/domain/reminders/policy.rules.ts';

/** Contacts about other invoices than the one asking, unless named. */
const nextContactDay = (days: string[], today: string, budget: ContactBudget, invoice = 'inv_this') =>
  next(
    days.map((day) => ({ day, invoice: 'inv_other' })),
    today,
    budget,
    invoice,
  );

const budget = { perWeek: 3, minDaysBetween: 2 };

t.test('nobody contacted lately: today', async (t) => {
  t.equal(nextContactDay([], '2026-03-10', budget), null);
  t.equal(nextContactDay(['2026-03-01'], '2026-03-10', budget), null);
});

t.test('at least M days between two contacts, in calendar days', async (t) => {
  t.equal(
    nextContactDay(['2026-03-10'], '2026-03-10', budget),
    '2026-03-12',
    'contacted today: the day after tomorrow',
  );
  t.equal(nextContactDay(['2026-03-09'], '2026-03-10', budget), '2026-03-11');
  t.equal(nextContactDay(['2026-03-08'], '2026-03-10', budget), null, 'two days ago: today is fine');
  t.equal(nextContactDay(['2026-03-10'], '2026-03-10', { perWeek: 3, minDaysBetween: 0 }), null, '0: the same day too');
});

t.test('at most N contacts in any 7 days', async (t) => {
  const week = ['2026-03-02', '2026-03-04', '2026-03-06'];
  // 2–8 March holds three: the next fits once 2 March leaves the window, on the 9th.
  t.equal(nextContactDay(week, '2026-03-08', budget), '2026-03-09');
  t.equal(nextContactDay(week, '2026-03-09', budget), null);
  t.equal(nextContactDay(week, '2026-03-08', { perWeek: 4, minDaysBetween: 2 }), null, 'a fourth allowed');
  // Same-day contacts (no spacing asked): the window, not the gap, decides.
  const sameDay = ['2026-03-10', '2026-03-10'];
  t.equal(nextContactDay(sameDay, '2026-03-10', { perWeek: 2, minDaysBetween: 0 }), '2026-03-17');
  // Both rules: the later day wins.
  t.equal(nextContactDay(['2026-03-03', '2026-03-05', '2026-03-09'], '2026-03-09', budget), '2026-03-11', 'gap');
  t.equal(nextContactDay(['2026-03-05', '2026-03-07', '2026-03-09'], '2026-03-09', budget), '2026-03-12', 'window');
  t.equal(nextContactDay(['2026-03-11'], '2026-03-10', budget), null, 'a day after today does not count');
});

t.test("the policy's own steps of one day for one invoice go together", async (t) => {
  // A final notice and its formal letter: the letter is not pushed two days by its own notice…
  t.equal(next([{ day: '2026-03-10', invoice: 'inv_a' }], '2026-03-10', budget, 'inv_a'), null);
  // …but another invoice's message that day is.
  t.equal(next([{ day: '2026-03-10', invoice: 'inv_a' }], '2026-03-10', budget, 'inv_b'), '2026-03-12');
  // Each still counts in the week.
  const busy = [
    { day: '2026-03-06', invoice: 'inv_b' },
    { day: '2026-03-08', invoice: 'inv_b' },
    { day: '2026-03-10', invoice: 'inv_a' },
  ];
  t.equal(next(busy, '2026-03-10', budget, 'inv_a'), '2026-03-13');
});
