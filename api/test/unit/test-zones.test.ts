import t from 'tap';
import { isSunday, todayIn } from '../../src/domain/calendar.ts';
import { zoneWithin } from '../helpers/zones.ts';

// The real-clock tests pick their zone with this helper: it must find one at every hour of a week.
t.test('a zone fits at any instant', async (t) => {
  const hourIn = (zone: string, now: Date) =>
    Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(now));
  let checked = 0;
  for (let h = 0; h < 7 * 24; h++) {
    const now = new Date(Date.UTC(2026, 11, 5, h, 30));
    const evening = zoneWithin(now, { hours: [1, 18] });
    const weekday = zoneWithin(now, { notSunday: true });
    const hour = hourIn(evening, now);
    if (hour < 1 || hour > 18) t.fail(`${now.toISOString()}: ${evening} at ${hour}:30`);
    else if (isSunday(todayIn(now, weekday))) t.fail(`${now.toISOString()}: a Sunday in ${weekday}`);
    else checked++;
  }
  t.equal(checked, 7 * 24, 'every hour of the week');
  t.throws(() => zoneWithin(new Date('2026-12-06T06:30:00Z'), { hours: [1, 18], notSunday: true }), /no zone fits/);
});
