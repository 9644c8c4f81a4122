import t from 'tap';
import { generateSecret, hashSecret, SECRET_FORMAT } from '../../src/domain/api-keys/api-key.rules.ts';
import { normalizeEmail, statusAfter, suppressesRecipients } from '../../src/domain/messages/message.rules.ts';

t.test('a message only moves forward through provider events', async (t) => {
  t.equal(statusAfter('sent', { kind: 'delivered' }), 'delivered');
  t.equal(statusAfter('delivered', { kind: 'delivered' }), null, 'a repeated event changes nothing');
  t.equal(statusAfter('bounced', { kind: 'delivered' }), null, 'a late delivery does not undo a bounce');
  t.equal(statusAfter('delivered', { kind: 'complained' }), 'complained', 'a complaint outranks the delivery');
  t.equal(statusAfter('canceled', { kind: 'delivered' }), null, 'never sent');
});

t.test('a hard bounce or a complaint suppresses the address; a soft bounce does not', async (t) => {
  const bounce = (permanent: boolean) => ({
    permanent,
    type: permanent ? 'Permanent' : 'Transient',
    subType: null,
    message: null,
  });
  t.equal(suppressesRecipients({ kind: 'bounced', bounce: bounce(true) }), 'bounced');
  t.equal(suppressesRecipients({ kind: 'bounced', bounce: bounce(false) }), null);
  t.equal(suppressesRecipients({ kind: 'complained', bounce: null }), 'complained');
  t.equal(suppressesRecipients({ kind: 'delivered', bounce: null }), null);
});

t.test('addresses compare trimmed, lower case, inside <…>', async (t) => {
  t.equal(normalizeEmail(' Jane.Doe@Example.COM '), 'jane.doe@example.com');
  t.equal(normalizeEmail('Jane Doe <Jane@Example.com>'), 'jane@example.com');
});

t.test('API key secrets: format, visible prefix, hash', async (t) => {
  const live = generateSecret('live');
  t.match(live.secret, SECRET_FORMAT);
  t.equal(live.prefix, live.secret.slice(0, 14));
  t.ok(live.secret.startsWith('rk_live_'));
  t.ok(generateSecret('test').secret.startsWith('rk_test_'));
  t.not(generateSecret('live').secret, live.secret, 'random');
  t.equal(hashSecret(live.secret).length, 32, 'SHA-256');
  t.same(hashSecret(live.secret), hashSecret(live.secret));
  t.notOk(SECRET_FORMAT.test('rk_live_short'));
});
