import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import HolidaysParser from 'date-holidays-parser';

// Public holidays per country (and region, where they differ: Scotland's 2 January, Alsace's
// Good Friday), from `date-holidays`, a maintained table of the holidays of some 200 countries
// (github.com/commenthol/date-holidays). Only days of type `public` count: bank holidays that
// are not public (`bank`, `school`, `optional`, `observance`) do not stop reminders.
//
// The table is read from the package's `data/holidays.json` and handed to its rules engine,
// `date-holidays-parser`, which is what `date-holidays` itself does with the same table compiled
// into a JavaScript module. Parsed as JSON, the table costs the process about 10 MiB less
// resident memory than the module, whose 1.5 MB source V8 keeps beside the objects it built.

const TABLE = JSON.parse(
  readFileSync(
    path.join(path.dirname(createRequire(import.meta.url).resolve('date-holidays/package.json')), 'data/holidays.json'),
    'utf8',
  ),
);

class Holidays extends HolidaysParser {
  constructor(country?: string, state?: string) {
    if (country === undefined) super(TABLE);
    else if (state === undefined) super(TABLE, country);
    else super(TABLE, country, state);
  }
}

/** A calendar: the name of the public holiday on a local date (YYYY-MM-DD), or null. */
export type HolidayCalendar = (date: string) => string | null;

const byYear = new Map<string, Map<string, string>>();

function holidaysOf(country: string, region: string | null, year: number): Map<string, string> {
  const key = `${country}/${region ?? ''}/${year}`;
  let days = byYear.get(key);
  if (!days) {
    days = new Map();
    const table = region ? new Holidays(country, region) : new Holidays(country);
    for (const h of table.getHolidays(year) || []) {
      const date = h.date.slice(0, 10);
      if (h.type === 'public' && !days.has(date)) days.set(date, h.name);
    }
    byYear.set(key, days);
  }
  return days;
}

/** Whether `date-holidays` knows the country (ISO 3166-1 alpha-2). */
export function knowsCountry(country: string): boolean {
  return Object.hasOwn(new Holidays().getCountries() ?? {}, country);
}

/** Whether the region is one of the country's (`SCT` for GB, `BY` for DE…). */
export function knowsRegion(country: string, region: string): boolean {
  return Object.hasOwn(new Holidays().getStates(country) ?? {}, region);
}

/**
 * The public holidays of a country, and of a region of it when `region` is one `date-holidays`
 * knows (otherwise the country's). Unknown country: no holidays.
 */
export function holidayCalendar(country: string | null | undefined, region?: string | null): HolidayCalendar | null {
  if (!country || !knowsCountry(country)) return null;
  const state = region && knowsRegion(country, region) ? region : null;
  return (date) => holidaysOf(country, state, Number(date.slice(0, 4))).get(date) ?? null;
}
