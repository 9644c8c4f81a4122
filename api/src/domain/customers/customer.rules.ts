import { createRequire } from 'node:module';
import { AppError } from '../../errors.ts';
import { compareDates } from '../calendar.ts';

/** A pause of the reminders, as the API shows it on a customer or an invoice. */
export interface Pause {
  until: string | null;
  reason: string | null;
}

/**
 * The pause in effect today, as the API shows it: open-ended, or ending on a date not yet
 * passed. A pause whose last day has passed is over without anyone lifting it.
 */
export function activePause(
  row: { paused: boolean; paused_until: string | null; pause_reason: string | null },
  today: string,
): Pause | null {
  if (!row.paused) return null;
  if (row.paused_until !== null && compareDates(row.paused_until, today) < 0) return null;
  return { until: row.paused_until, reason: row.pause_reason };
}

// libphonenumber-js with its full metadata (about 100 modules) is loaded at the first number read,
// not by every process that imports the customers' module.
const require = createRequire(import.meta.url);
let phoneNumbers: typeof import('libphonenumber-js/max') | undefined;
const libphonenumber = () =>
  (phoneNumbers ??= require('libphonenumber-js/max') as typeof import('libphonenumber-js/max'));

/** Number types a text message can reach (libphonenumber's metadata; `FIXED_LINE_OR_MOBILE`: the US and others cannot tell). */
const TEXTABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER']);

/**
 * A mobile number as stored: E.164 (`+33612345678`), read with `libphonenumber-js` in the
 * international form, or in the national form of `region` (the customer's billing country, else
 * the account's).
 * @throws AppError `customer/invalid_mobile` (422, field `/mobile`): not a number, not a valid
 *   one, or one that cannot receive texts (a landline).
 */
export function mobileInE164(value: string, region: string | null | undefined): string {
  const fail = (message: string) =>
    new AppError('customer/invalid_mobile', 422, `The mobile number '${value}' ${message}.`, {
      errors: [{ field: '/mobile', message }],
    });
  const { isSupportedCountry, parsePhoneNumberFromString } = libphonenumber();
  const phone = parsePhoneNumberFromString(value, region && isSupportedCountry(region) ? region : undefined);
  if (!phone)
    throw fail(
      region
        ? `is not a phone number of ${region} nor one in international form (+…)`
        : 'is not a phone number in international form (+…); with a billing country on the customer or the account, the national form is read too',
    );
  if (!phone.isValid()) throw fail(`is not a valid ${phone.country ?? `+${phone.countryCallingCode}`} number`);
  const type = phone.getType();
  if (type && !TEXTABLE.has(type))
    throw fail(`is a ${type.toLowerCase().replace(/_/g, ' ')} number: it cannot receive texts`);
  return phone.number;
}
