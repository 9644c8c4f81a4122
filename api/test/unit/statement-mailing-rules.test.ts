import t from 'tap';
import { holidayCalendar } from '../../src/domain/holidays.ts';
import type { PolicyPlan } from '../../src/domain/reminders/index.ts';
import {
  nextMonth,
  previousMonth,
  statementMoment,
  statementPeriod,
} from '../../src/domain/statements/statement-mailing.rules.ts';

const plan = (over: Partial<PolicyPlan> = {}): PolicyPlan => ({
  steps: [],
  repeat: null,
  send_hour: 9,
  send_minute: 0,
  skip_weekends: true,
  skip_holidays: true,
  min_gap_days: 0,
  ...over,
});

t.test('previous and next month across the year', async (t) => {
  t.equal(previousMonth('2026-03'), '2026-02');
  t.equal(previousMonth('2026-01'), '2025-12');
  t.equal(nextMonth('2026-12'), '2027-01');
  t.equal(nextMonth('2026-02'), '2026-03');
});

t.test('statementPeriod: the month before the statement day', async (t) => {
  t.same(statementPeriod('2026-03', 1), { from: '2026-02-01', to: '2026-02-28' });
  t.same(statementPeriod('2024-03', 1), { from: '2024-02-01', to: '2024-02-29' }, 'a leap year');
  t.same(statementPeriod('2026-03', 15), { from: '2026-02-15', to: '2026-03-14' });
  t.same(statementPeriod('2026-01', 28), { from: '2025-12-28', to: '2026-01-27' });
});

t.test('statementMoment: the day at the send time, or the next day the policy messages', async (t) => {
  const france = holidayCalendar('FR');
  // Sunday 1 March 2026: Monday the 2nd, 09:00 in Paris (winter time).
  t.equal(statementMoment('2026-03', 1, 'Europe/Paris', plan(), france).toISOString(), '2026-03-02T08:00:00.000Z');
  t.equal(
    statementMoment('2026-03', 1, 'Europe/Paris', plan({ skip_weekends: false }), france).toISOString(),
    '2026-03-01T08:00:00.000Z',
    'a policy that messages on weekends',
  );
  // Friday 1 May 2026 is a public holiday in France: Monday the 4th (summer time).
  t.equal(statementMoment('2026-05', 1, 'Europe/Paris', plan(), france).toISOString(), '2026-05-04T07:00:00.000Z');
  t.equal(
    statementMoment('2026-05', 1, 'Europe/Paris', plan(), null).toISOString(),
    '2026-05-01T07:00:00.000Z',
    'no calendar for the country: only weekends are skipped',
  );
  t.equal(
    statementMoment('2026-05', 1, 'Europe/Paris', plan({ skip_holidays: false }), france).toISOString(),
    '2026-05-01T07:00:00.000Z',
    'a policy that messages on holidays',
  );
  t.equal(
    statementMoment('2026-06', 15, 'America/New_York', plan({ send_hour: 10, send_minute: 30 }), null).toISOString(),
    '2026-06-15T14:30:00.000Z',
    'Monday 15 June, 10:30 in New York',
  );
});
