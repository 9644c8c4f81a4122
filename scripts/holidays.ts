/**
 * Writes the public holiday tables (`npm run generate:holidays`): for every country and region
 * that `date-holidays` knows, its public holidays from FIRST_YEAR to LAST_YEAR, one JSON file per
 * country in api/src/data/holidays, with an index of the countries, their regions and the
 * version of `date-holidays` they were computed from.
 *
 * Why tables: the rules engine (`date-holidays-parser` and what it imports: astronomical and
 * lunar calendars, time zones) costs a process about 30 MiB of resident memory for the few dozen
 * dates a year a country has. The service reads a country's table when it first needs it and
 * loads the engine only for a year outside the tables. Run this after upgrading `date-holidays`;
 * api/test/unit/holiday-tables.test.ts fails until the tables match the installed version.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  computeHolidays,
  FIRST_YEAR,
  HOLIDAY_TABLES_DIR,
  type HolidayTable,
  holidayEngine,
  LAST_YEAR,
} from '../api/src/domain/holidays.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One year of a calendar as the tables store it: `MMDD.n` (n: the name's index), space-separated. */
function yearOf(days: Map<string, string>, names: string[]): string {
  return [...days]
    .map(([date, name]) => {
      let n = names.indexOf(name);
      if (n < 0) n = names.push(name) - 1;
      return `${date.slice(5, 7)}${date.slice(8, 10)}.${n}`;
    })
    .join(' ');
}

async function main() {
  const engine = holidayEngine();
  const dir = fileURLToPath(HOLIDAY_TABLES_DIR);
  await mkdir(dir, { recursive: true });
  for (const file of await readdir(dir)) if (file.endsWith('.json')) await rm(path.join(dir, file));
  const countries: Record<string, string[]> = {};
  for (const country of Object.keys(engine.countries()).sort()) {
    const regions = Object.keys(engine.regions(country)).sort();
    countries[country] = regions;
    const table: HolidayTable = { names: [], years: {} };
    const national: Record<string, string> = {};
    for (let year = FIRST_YEAR; year <= LAST_YEAR; year++)
      national[year] = yearOf(computeHolidays(country, null, year), table.names);
    table.years[''] = national;
    for (const region of regions) {
      // A region's year is written only where it differs from the country's.
      const own: Record<string, string> = {};
      for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
        const days = yearOf(computeHolidays(country, region, year), table.names);
        if (days !== national[year]) own[year] = days;
      }
      if (Object.keys(own).length > 0) table.years[region] = own;
    }
    await writeFile(path.join(dir, `${country}.json`), `${JSON.stringify(table)}\n`);
  }
  const index = { source: `date-holidays@${engine.version}`, first_year: FIRST_YEAR, last_year: LAST_YEAR, countries };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  console.log(
    `${Object.keys(countries).length} countries written to ${path.relative(ROOT, dir)} (${index.source}, ${FIRST_YEAR}–${LAST_YEAR})`,
  );
}

await main();
