import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Public holidays per country (and region, where they differ: Scotland's 2 January, Alsace's
// Good Friday), from `date-holidays`, a maintained table of the holidays of some 200 countries
// (github.com/commenthol/date-holidays). Only days of type `public` count: bank holidays that
// are not public (`bank`, `school`, `optional`, `observance`) do not stop reminders.
//
// The service reads them from tables computed ahead of time from that package
// (api/src/data/holidays, written by `npm run generate:holidays`): one small JSON file per
// country, read when a calendar of that country is first needed. Its rules engine,
// `date-holidays-parser`, with the astronomical and lunar calendars and the time zones it
// imports, costs a process about 30 MiB of resident memory; it is loaded only for a year the
// tables do not hold (before FIRST_YEAR or after LAST_YEAR), and by the script that writes them.

/** The years the tables hold; other years are computed by the rules engine, loaded then. */
export const FIRST_YEAR = 2020;
export const LAST_YEAR = 2045;

/** Where the tables are: `index.json` and one `<country>.json` each. */
export const HOLIDAY_TABLES_DIR = new URL('../data/holidays/', import.meta.url);

/**
 * One country's table: the holiday names, and per calendar (`''` the country's, else a region's
 * code) per year its public holidays as `MMDD.n` (n: the index of the name), space-separated.
 * A region holds only the years in which it differs from the country.
 */
export interface HolidayTable {
  names: string[];
  years: Record<string, Record<string, string>>;
}

interface HolidayIndex {
  source: string;
  first_year: number;
  last_year: number;
  /** Each country's regions. */
  countries: Record<string, string[]>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, HOLIDAY_TABLES_DIR), 'utf8')) as T;

let index: HolidayIndex | undefined;
const indexOf = () => (index ??= readJson<HolidayIndex>('index.json'));
const tables = new Map<string, HolidayTable>();
function tableOf(country: string): HolidayTable {
  let table = tables.get(country);
  if (!table) {
    table = readJson<HolidayTable>(`${country}.json`);
    tables.set(country, table);
  }
  return table;
}

/** The rules engine of `date-holidays`, with the package's own data, loaded on first use. */
export interface HolidayEngine {
  version: string;
  countries(): Record<string, string>;
  regions(country: string): Record<string, string>;
  /** The public holidays of a calendar in a year, by local date (YYYY-MM-DD): the first name of a day. */
  holidays(country: string, region: string | null, year: number): Map<string, string>;
}

type Parser = {
  getCountries(): Record<string, string> | undefined;
  getStates(country: string): Record<string, string> | undefined;
  getHolidays(year: number): Array<{ date: string; name: string; type: string }> | undefined;
};

let engine: HolidayEngine | undefined;
export function holidayEngine(): HolidayEngine {
  if (engine) return engine;
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('date-holidays/package.json'));
  const data = JSON.parse(readFileSync(path.join(packageDir, 'data/holidays.json'), 'utf8'));
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  // The CommonJS build: it loads synchronously, when a calendar first needs it.
  const Holidays = (require('date-holidays-parser') as { default: new (...args: unknown[]) => Parser }).default;
  const parser = (...args: string[]) => new Holidays(data, ...args);
  engine = {
    version,
    countries: () => parser().getCountries() ?? {},
    regions: (country) => parser().getStates(country) ?? {},
    holidays(country, region, year) {
      const days = new Map<string, string>();
      const table = region ? parser(country, region) : parser(country);
      for (const h of table.getHolidays(year) || []) {
        const date = h.date.slice(0, 10);
        if (h.type === 'public' && !days.has(date)) days.set(date, h.name);
      }
      return days;
    },
  };
  return engine;
}

/** What the rules engine answers for a calendar and a year (the tables hold the same for their years). */
export function computeHolidays(country: string, region: string | null, year: number): Map<string, string> {
  return holidayEngine().holidays(country, region, year);
}

/** A year of a calendar from the tables. */
function tabledHolidays(country: string, region: string | null, year: number): Map<string, string> {
  const table = tableOf(country);
  const days = (region ? table.years[region]?.[year] : undefined) ?? table.years['']?.[year] ?? '';
  const map = new Map<string, string>();
  for (const day of days.split(' ')) {
    if (!day) continue;
    const [monthDay = '', n = ''] = day.split('.');
    map.set(`${year}-${monthDay.slice(0, 2)}-${monthDay.slice(2, 4)}`, table.names[Number(n)] ?? '');
  }
  return map;
}

/** A calendar: the name of the public holiday on a local date (YYYY-MM-DD), or null. */
export type HolidayCalendar = (date: string) => string | null;

const byYear = new Map<string, Map<string, string>>();

function holidaysOf(country: string, region: string | null, year: number): Map<string, string> {
  const key = `${country}/${region ?? ''}/${year}`;
  let days = byYear.get(key);
  if (!days) {
    const { first_year, last_year } = indexOf();
    days =
      year >= first_year && year <= last_year
        ? tabledHolidays(country, region, year)
        : computeHolidays(country, region, year);
    byYear.set(key, days);
  }
  return days;
}

/** Whether `date-holidays` knows the country (ISO 3166-1 alpha-2). */
export function knowsCountry(country: string): boolean {
  return Object.hasOwn(indexOf().countries, country);
}

/** Whether the region is one of the country's (`SCT` for GB, `BY` for DE…). */
export function knowsRegion(country: string, region: string): boolean {
  return indexOf().countries[country]?.includes(region) ?? false;
}

/**
 * The public holidays of a country, and of a region of it when `date-holidays` knows the region
 * (otherwise the country's). Unknown country: no holidays.
 */
export function holidayCalendar(country: string | null | undefined, region?: string | null): HolidayCalendar | null {
  if (!country || !knowsCountry(country)) return null;
  const state = region && knowsRegion(country, region) ? region : null;
  return (date) => holidaysOf(country, state, Number(date.slice(0, 4))).get(date) ?? null;
}
