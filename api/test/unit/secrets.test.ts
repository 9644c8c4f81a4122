import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createSecretBox, parseSecretsKey } from '../../src/secrets.ts';

t.test('a sealed secret opens with its key only, and not once altered', async (t) => {
  const key = randomBytes(32);
  const box = createSecretBox(key);
  const sealed = box.seal('re_secret_value');
  t.not(box.seal('re_secret_value'), sealed, 'a fresh IV every time');
  t.notMatch(sealed, 'secret_value');
  t.equal(box.open(sealed), 're_secret_value');
  t.ok(box.isCurrent(sealed));

  const parts = sealed.split('.');
  const flipped = Buffer.from(parts[4] ?? '', 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const altered = [...parts.slice(0, 4), flipped.toString('base64url')].join('.');
  t.throws(() => box.open(altered), /was altered/);
  const renamed = [parts[0], 'deadbeef', ...parts.slice(2)].join('.');
  t.throws(() => createSecretBox(key, [randomBytes(32)]).open(renamed), /sealed with key deadbeef/);
  t.throws(() => box.open('plain text'), /not a sealed secret/);

  const next = createSecretBox(randomBytes(32), [key]);
  t.equal(next.open(sealed), 're_secret_value', 'a previous key still opens');
  t.notOk(next.isCurrent(sealed), 'but the value is not current');
  t.throws(() => createSecretBox(undefined).seal('x'), /RELANCE_SECRETS_KEY is not set/);
});

t.test('keys are 32 bytes, in hex or base64', async (t) => {
  const raw = randomBytes(32);
  t.same(parseSecretsKey(raw.toString('hex'), 'K'), raw);
  t.same(parseSecretsKey(raw.toString('base64'), 'K'), raw);
  t.throws(() => parseSecretsKey(randomBytes(16).toString('base64'), 'K'), /K must be 32 bytes/);
});
