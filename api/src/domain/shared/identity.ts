import Type from 'typebox';
import { createRequire } from 'node:module';
import type { PostalCodeLocale } from 'validator/lib/isPostalCode.js';
import type { VATCountryCode } from 'validator/lib/isVAT.js';
import { AppError, type FieldError } from '../../errors.ts';

// Who a party is in law: legal name, registration and VAT numbers, postal address. Shapes are
// checked by the schema; numbers and postal codes per country with `validator` (isVAT,
// isPostalCode, isLuhnNumber) where it knows the country.

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const PostalAddress = Type.Object(
  {
    line1: Text(200),
    line2: Type.Optional(Type.Union([Text(200), Type.Null()])),
    postal_code: Type.Optional(Type.Union([Text(20), Type.Null()])),
    city: Text(100),
    region: Type.Optional(Type.Union([Text(100), Type.Null()])),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code: `FR`, `GB`, `DE`…' }),
  },
  { additionalProperties: false, description: 'A postal address; the postal code is checked for the country.' },
);
export type PostalAddress = Type.Static<typeof PostalAddress>;

export const identityFields = {
  legal_name: Type.Union([Text(200), Type.Null()]),
  registration_number: Type.Union([
    Type.String({
      minLength: 1,
      maxLength: 50,
      description:
        'Company registration number: SIREN (9 digits) or SIRET (14) in France, Companies House number in the UK (8 characters); checked for those countries of the billing address.',
    }),
    Type.Null(),
  ]),
  vat_number: Type.Union([
    Type.String({
      minLength: 4,
      maxLength: 20,
      description: 'VAT number with its country prefix (`FR40303265045`); stored without spaces, checked per country.',
    }),
    Type.Null(),
  ]),
  billing_address: Type.Union([PostalAddress, Type.Null()]),
};

/** Spaces, dots and dashes go; letters go upper case: `fr 40 303 265 045` → `FR40303265045`. */
export const normalizeVat = (vat: string) => vat.replace(/[\s.-]/g, '').toUpperCase();

/** validator's country codes for VAT differ from ISO for Greece (`EL`). */
const vatCountry = (vat: string) => vat.slice(0, 2);

// One module per check, not the package's index, which loads all of its ~110 validators. The
// modules are CommonJS with the function as `exports.default`.
const require = createRequire(import.meta.url);
const isISO31661Alpha2: (code: string) => boolean = require('validator/lib/isISO31661Alpha2.js').default;
const isLuhnNumber: (text: string) => boolean = require('validator/lib/isLuhnNumber.js').default;
const isPostalCode: (code: string, locale: PostalCodeLocale) => boolean =
  require('validator/lib/isPostalCode.js').default;
const postalCodeLocales: string[] = require('validator/lib/isPostalCode.js').locales;
const isVAT: (vat: string, country: VATCountryCode) => boolean = require('validator/lib/isVAT.js').default;

/** validator writes a UK VAT number with its spaces (`GB123 4567 89`). */
const vatForValidator = (vat: string) =>
  /^GB\d{9}$/.test(vat) ? `GB${vat.slice(2, 5)} ${vat.slice(5, 9)} ${vat.slice(9)}` : vat;

const POSTAL_LOCALES = new Set<string>(postalCodeLocales);

/** validator's verdict on a VAT number, or null for a country it has no rule for (it throws then). */
function vatVerdict(vat: string, country: string): boolean | null {
  try {
    return isVAT(vatForValidator(vat), country as VATCountryCode);
  } catch {
    return null;
  }
}

/**
 * Checks an identity as far as a library can for its country (the billing address's), and
 * returns it with the VAT number normalized. Problems come back as one 422 naming each field.
 */
export function checkIdentity<
  T extends { registration_number?: string | null; vat_number?: string | null; billing_address?: PostalAddress | null },
>(input: T, at = ''): T {
  const errors: FieldError[] = [];
  const country = input.billing_address?.country;
  const address = input.billing_address;
  if (address) {
    if (!isISO31661Alpha2(address.country))
      errors.push({
        field: `${at}/billing_address/country`,
        message: `'${address.country}' is not an ISO 3166-1 country`,
      });
    else if (address.postal_code && POSTAL_LOCALES.has(address.country)) {
      if (!isPostalCode(address.postal_code, address.country as PostalCodeLocale))
        errors.push({
          field: `${at}/billing_address/postal_code`,
          message: `is not a postal code of ${address.country}`,
        });
    }
  }
  const registration = input.registration_number?.replace(/\s/g, '');
  if (registration && country === 'FR' && !(/^(\d{9}|\d{14})$/.test(registration) && isLuhnNumber(registration)))
    errors.push({
      field: `${at}/registration_number`,
      message: 'is not a SIREN (9 digits) or SIRET (14 digits) with a valid check digit',
    });
  if (registration && country === 'GB' && !/^([0-9]{8}|[A-Z]{2}[0-9]{6})$/i.test(registration))
    errors.push({ field: `${at}/registration_number`, message: 'is not a Companies House number (8 characters)' });
  let vat = input.vat_number;
  if (vat) {
    vat = normalizeVat(vat);
    const prefix = vatCountry(vat);
    if (!/^[A-Z]{2}/.test(vat)) errors.push({ field: `${at}/vat_number`, message: 'starts with its country code' });
    else if (vatVerdict(vat, prefix) === false)
      errors.push({ field: `${at}/vat_number`, message: `is not a valid ${prefix} VAT number` });
  }
  if (errors.length > 0)
    throw new AppError('identity/invalid', 422, 'The legal identity is not valid for its country.', { errors });
  return {
    ...input,
    ...(registration !== undefined && { registration_number: registration || null }),
    ...(vat !== undefined && { vat_number: vat }),
  };
}
