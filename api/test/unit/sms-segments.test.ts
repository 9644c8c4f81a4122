import t from 'tap';
import { toSmsCharacters } from '../../src/mail/render.ts';
import { smsSize } from '../../src/sms/segments.ts';

// Segment counts as carriers make them (3GPP TS 23.038 / 23.040), at each boundary.
t.test('GSM-7: 160 in one segment, 153 in each of several', async (t) => {
  t.match(smsSize('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 });
  t.match(smsSize('a'.repeat(161)), { segments: 2 });
  t.match(smsSize('a'.repeat(306)), { segments: 2 });
  t.match(smsSize('a'.repeat(307)), { segments: 3 });
  t.match(smsSize('à é è ù ì ò Ç Ø å Ñ ü ß'), { encoding: 'GSM-7' }, 'the accented letters of the default alphabet');
  t.match(smsSize(''), { segments: 0, characters: 0 });
});

t.test('the extension table takes two septets, and an escape is never split', async (t) => {
  t.match(smsSize('€'.repeat(80)), { encoding: 'GSM-7', characters: 80, units: 160, segments: 1 });
  t.match(smsSize(`${'a'.repeat(159)}€`), { units: 161, segments: 2 });
  // 152 septets, then a two-septet € that would straddle the 153rd: it moves whole to segment 2,
  // so 306 septets (two segments' worth) take three.
  const straddling = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
  t.match(smsSize(straddling), { units: 306, segments: 3 }, 'the € opens the second segment');
});

t.test('UCS-2: one character outside GSM-7 changes the whole text', async (t) => {
  t.match(smsSize(`${'a'.repeat(69)}ê`), { encoding: 'UCS-2', units: 70, segments: 1 });
  t.match(smsSize(`${'a'.repeat(70)}ç`), { encoding: 'UCS-2', segments: 2 });
  t.match(smsSize('😀'.repeat(35)), { characters: 35, units: 70, segments: 1 }, 'an emoji takes two units');
  t.match(smsSize(`${'a'.repeat(66)}😀`), { units: 68, segments: 1 });
  // 134 units are two segments' worth, but the emoji cannot straddle the 67th unit.
  t.match(
    smsSize(`${'a'.repeat(66)}😀${'a'.repeat(66)}`),
    { units: 134, segments: 3 },
    'a surrogate pair is never split',
  );
});

t.test('French typography becomes GSM-7', async (t) => {
  // What Intl writes for 1 234,56 € in French: a narrow no-break space and a no-break space.
  const amount = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(1234.56);
  t.equal(smsSize(amount).encoding, 'UCS-2', 'as Intl writes it');
  const text = toSmsCharacters(`Facture « F-1 » – l’échéance… ${amount}\n`);
  t.equal(text, 'Facture " F-1 " - l\'échéance... 1 234,56 €');
  t.equal(smsSize(text).encoding, 'GSM-7');
});
