import t from 'tap';
import { nextContactDay } from '../../src/domain/reminders/policy.rules.ts';

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
