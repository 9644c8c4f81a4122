import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import {
  computeHolidays,
  FIRST_YEAR,
  HOLIDAY_TABLES_DIR,
  holidayCalendar,
  holidayEngine,
  knowsCountry,
  knowsRegion,
  LAST_YEAR,
} from '../../src/domain/holidays.ts';

// The public holiday tables (api/src/data/holidays) are computed from `date-holidays` by
// `npm run generate:holidays`. They must answer what the package's rules engine answers, for the
// version installed: a dependency upgrade without regenerating them fails here.

const index = JSON.parse(readFileSync(new URL('index.json', HOLIDAY_TABLES_DIR), 'utf8'));
const installed = JSON.parse(
  readFileSync(
    path.join(path.dirname(createRequire(import.meta.url).resolve('date-holidays/package.json')), 'package.json'),
    'utf8',
  ),
).version;

/** Every day of a year of a calendar, as the service sees them through `holidayCalendar`. */
function daysFromCalendar(country: string, region: string | null, year: number): Map<string, string> {
  const calendar = holidayCalendar(country, region);
  const days = new Map<string, string>();
  if (!calendar) return days;
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    const name = calendar(date);
    if (name !== null) days.set(date, name);
  }
  return days;
}

t.test('the tables were computed from the installed date-holidays', async (t) => {
  t.equal(index.source, `date-holidays@${installed}`, 'run `npm run generate:holidays` after upgrading date-holidays');
  t.same(
    Object.keys(index.countries).sort(),
    Object.keys(holidayEngine().countries()).sort(),
    'every country the package knows',
  );
  t.same(index.countries.GB, Object.keys(holidayEngine().regions('GB')).sort(), "and each country's regions");
  t.equal(index.first_year, FIRST_YEAR);
  t.equal(index.last_year, LAST_YEAR);
});

t.test('the tables answer what the rules engine answers, year by year', async (t) => {
  // France and a region of its own (Moselle: Good Friday, 26 December), Scotland, Bavaria, the
  // United States, countries whose holidays follow the moon or the equinoxes (Japan, China,
  // Israel, Saudi Arabia), and every 15th country besides.
  const sample: Array<[string, string | null]> = [
    ['FR', null],
    ['FR', '57'],
    ['GB', null],
    ['GB', 'SCT'],
    ['DE', 'BY'],
    ['US', null],
    ['US', 'CA'],
    ['JP', null],
    ['CN', null],
    ['IL', null],
    ['SA', null],
    ...Object.keys(index.countries)
      .filter((_, i) => i % 15 === 0)
      .map((c): [string, null] => [c, null]),
  ];
  let compared = 0;
  for (const [country, region] of sample) {
    for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
      const expected = computeHolidays(country, region, year);
      const actual = daysFromCalendar(country, region, year);
      if (!t.same(actual, expected, `${country}${region ? `-${region}` : ''} ${year}`)) return;
      compared += expected.size;
    }
  }
  t.ok(compared > 5000, `${compared} holidays compared`);
});

t.test('a year outside the tables is computed by the rules engine', async (t) => {
  const christmas = holidayCalendar('FR');
  t.equal(christmas?.(`${LAST_YEAR + 5}-12-25`), 'Noël', 'after the last year');
  t.equal(christmas?.(`${FIRST_YEAR - 3}-07-14`), 'Fête Nationale de la France', 'before the first year');
  t.equal(christmas?.(`${LAST_YEAR + 5}-12-24`), null, 'and only holidays');
  t.same(daysFromCalendar('GB', 'SCT', LAST_YEAR + 1), computeHolidays('GB', 'SCT', LAST_YEAR + 1));
});

t.test('countries and regions', async (t) => {
  t.ok(knowsCountry('FR'));
  t.notOk(knowsCountry('XX'), 'an unknown country');
  t.equal(holidayCalendar('XX'), null, 'has no calendar');
  t.equal(holidayCalendar(null), null);
  t.ok(knowsRegion('GB', 'SCT'));
  t.notOk(knowsRegion('GB', 'XYZ'));
  t.notOk(knowsRegion('XX', 'SCT'));
  // Scotland's 2 January; an unknown region falls back to the country's calendar.
  t.equal(holidayCalendar('GB', 'SCT')?.('2026-01-02'), 'January 2nd', "Scotland's 2 January");
  t.equal(holidayCalendar('GB', 'XYZ')?.('2026-01-02'), null, 'an unknown region: the country');
  t.equal(holidayCalendar('FR', '57')?.('2026-04-03'), 'Vendredi saint', "Moselle's Good Friday");
  t.equal(holidayCalendar('FR')?.('2026-04-03'), null, 'not in the rest of France');
});

t.test('a process that reads only the tables never loads the rules engine', async (t) => {
  // What keeps the engine's 30 MiB out of the workers and the API: checked in a process of its own.
  const script = `
    import { createRequire } from 'node:module';
    import { holidayCalendar } from './api/src/domain/holidays.ts';
    holidayCalendar('FR')?.('2026-12-25');
    holidayCalendar('GB', 'SCT')?.('2027-01-02');
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('date-holidays-parser'));
    const before = loaded();
    holidayCalendar('FR')?.('${LAST_YEAR + 1}-12-25');
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
  });
  t.same(JSON.parse(stdout), { before: false, after: true }, 'loaded only for a year outside the tables');
});
