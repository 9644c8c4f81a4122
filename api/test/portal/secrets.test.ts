import { randomBytes } from 'node:crypto';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import type { Actor } from '../../src/domain/shared/index.ts';
import { sendersFromConfig } from '../../src/mail/senders.ts';
import { createServices } from '../../src/services.ts';
import { setupApp } from '../helpers/app.ts';
import { portalBook } from './helpers.ts';

const tokenOf = (url: string) => url.split('/p/')[1] ?? '';

t.test('secrets rotate re-seals the page links: the same link opens before and after', async (t) => {
  const ctx = await setupApp(t);
  const book = await portalBook(t, ctx);
  const first = (await book.call('GET', `/v1/customers/${book.durand}/portal_link`)).json().url;
  const stored = async () =>
    (
      await ctx.database.withAccount(book.account.accountId, (trx) =>
        trx
          .selectFrom('portal_links')
          .select('token_sealed')
          .where('account_id', '=', book.account.accountId)
          .where('revoked_at', 'is', null)
          .executeTakeFirstOrThrow(),
      )
    ).token_sealed;
  t.match(await stored(), /^plain\./, 'without a key the token is kept as is');

  const key = () => randomBytes(32).toString('base64');
  const [a, b, c] = [key(), key(), key()];
  const servicesWith = (env: Record<string, string>) =>
    createServices({
      database: ctx.database,
      clock: ctx.clock,
      senders: sendersFromConfig(loadConfig({ NODE_ENV: 'test', ...env }), ctx.database),
    });
  const actor: Actor = {
    accountId: book.account.accountId,
    keyId: null,
    readOnly: false,
    mode: 'test',
    timeZone: 'Europe/Paris',
  };

  const keyed = servicesWith({ RELANCE_SECRETS_KEY: a });
  t.same(await keyed.portal.reseal(), { resealed: 1, current: 0, unreadable: 0 }, 'a key set later seals it');
  t.match(await stored(), /^v1\./);
  t.equal(tokenOf((await keyed.portal.link(actor, book.durand)).url), tokenOf(first), 'the same link');

  const rotating = servicesWith({ RELANCE_SECRETS_KEY: b, RELANCE_SECRETS_KEY_PREVIOUS: a });
  t.same(await rotating.portal.reseal(), { resealed: 1, current: 0, unreadable: 0 });
  t.same(await rotating.portal.reseal(), { resealed: 0, current: 1, unreadable: 0 }, 'a second run has nothing to do');
  const onlyNew = servicesWith({ RELANCE_SECRETS_KEY: b });
  t.equal(tokenOf((await onlyNew.portal.link(actor, book.durand)).url), tokenOf(first), 'the new key alone opens it');

  const lost = servicesWith({ RELANCE_SECRETS_KEY: c });
  t.same(await lost.portal.reseal(), { resealed: 0, current: 0, unreadable: 1 });
  await t.rejects(lost.portal.link(actor, book.durand), { code: 'portal_link/unreadable', status: 409 });
  const page = await ctx.app.inject({ method: 'GET', url: new URL(first).pathname });
  t.equal(page.statusCode, 200, 'visits never needed the key: the hash finds the link');
});
