/**
 * How a text message is encoded and how many parts (segments) it travels in, as carriers count
 * them (3GPP TS 23.038 for the GSM 7-bit default alphabet, TS 23.040 for concatenation):
 *
 * - GSM-7 when every character is in the default alphabet or its extension table (each of the
 *   latter, `{ } [ ] ~ \ | ^ €` and form feed, takes two septets): 160 septets in one segment,
 *   153 in each segment of a longer message (7 go to the concatenation header), and an escaped
 *   pair is never split across two segments;
 * - UCS-2 otherwise (one accented letter outside the alphabet, such as `ê`, `ç` or `œ`, is
 *   enough): 70 UTF-16 code units in one segment, 67 in each of a longer message; a character
 *   outside the Basic Multilingual Plane (an emoji) takes two units and is never split.
 *
 * Providers bill per segment and Twilio refuses bodies over 1,600 characters; Relance refuses
 * templates over {@link MAX_SMS_SEGMENTS} segments.
 */

/** The GSM 03.38 default alphabet (one septet each). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** The extension table, reached through an escape (two septets each). */
const GSM7_EXTENDED = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSize {
  encoding: SmsEncoding;
  /** Characters as the reader sees them (an emoji is one). */
  characters: number;
  /** Units the encoding counts: septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/** The most segments a reminder's text may take (a template that renders longer is refused). */
export const MAX_SMS_SEGMENTS = 3;

/** The encoding, size and segments of a text message's body. */
export function smsSize(body: string): SmsSize {
  const chars = [...body];
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENDED.has(c));
  const widths = gsm ? chars.map((c) => (GSM7_EXTENDED.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const units = widths.reduce((a, b) => a + b, 0);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  let segments = units === 0 ? 0 : 1;
  if (units > single) {
    // Pack whole characters: an escaped pair or a surrogate pair stays in one segment.
    segments = 1;
    let used = 0;
    for (const width of widths) {
      if (used + width > part) {
        segments++;
        used = 0;
      }
      used += width;
    }
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters: chars.length, units, segments };
}
