import type { Clock } from '../../clock.ts';
import { notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { type Actor, assertKeyAdmin, type Page, PageQuery, pageSize, toPage } from '../shared/index.ts';
import { parseInput } from '../../validation.ts';
import {
  findKeyBySecretHash,
  insertApiKeyRow,
  listApiKeys,
  presentApiKey as present,
  revokeApiKey,
  touchApiKey,
} from './api-key.repository.ts';
import type { ApiKey, ApiKeyCreate, ApiKeyWithSecret } from './api-key.schemas.ts';
import { generateSecret, hashSecret, SECRET_FORMAT } from './api-key.rules.ts';

/** Inserts a key for an account in the caller's transaction and returns it with its secret. */
export async function insertApiKey(
  trx: Db,
  accountId: string,
  mode: 'live' | 'test',
  input: ApiKeyCreate,
  now: Date,
): Promise<ApiKeyWithSecret> {
  const { secret, prefix } = generateSecret(mode);
  const row = await insertApiKeyRow(trx, {
    account_id: accountId,
    id: newId('apiKey'),
    name: input.name ?? null,
    prefix,
    secret_hash: hashSecret(secret),
    read_only: input.read_only ?? false,
    admin: input.admin ?? false,
    created_at: now,
  });
  return { ...present(row), secret };
}

export function createApiKeyService(deps: {
  database: Database;
  clock: Clock;
  onAccountChanged?: (accountId: string) => void;
}) {
  const { database, clock } = deps;
  return {
    /** Creates a key; the secret is in the result and nowhere else, ever. */
    create(actor: Actor, input: ApiKeyCreate): Promise<ApiKeyWithSecret> {
      assertKeyAdmin(actor);
      if (input.admin && input.read_only) {
        throw validationFailed(
          [{ field: '/admin', message: 'cannot be true for a read-only key' }],
          'A read-only key cannot be an admin key.',
        );
      }
      return database.withAccount(actor.accountId, (trx) =>
        insertApiKey(trx, actor.accountId, actor.mode, input, clock.now()),
      );
    },

    list(actor: Actor, input: PageQuery): Promise<Page<ApiKey>> {
      const query = parseInput<PageQuery>(PageQuery, input);
      return database.withAccount(actor.accountId, async (trx) =>
        toPage((await listApiKeys(trx, query)).map(present), pageSize(query)),
      );
    },

    /** Revokes a key at once; revoking twice keeps the first revocation time. */
    async revoke(actor: Actor, id: string): Promise<ApiKey> {
      assertKeyAdmin(actor);
      const revoked = await database.withAccount(actor.accountId, async (trx) => {
        const row = await revokeApiKey(trx, id, clock.now());
        if (!row) throw notFound('api_key', id);
        return present(row);
      });
      deps.onAccountChanged?.(actor.accountId);
      return revoked;
    },

    /** The caller behind a secret, or null when it is unknown, malformed or revoked. */
    async authenticate(secret: string): Promise<Actor | null> {
      if (!SECRET_FORMAT.test(secret)) return null;
      const row = await database.withSystem((trx) => findKeyBySecretHash(trx, hashSecret(secret)));
      if (!row) return null;
      return {
        accountId: row.account_id,
        keyId: row.id,
        readOnly: row.read_only,
        admin: row.admin,
        mode: row.mode === 'test' ? 'test' : 'live',
        timeZone: row.time_zone,
      };
    },

    /** Records that a key was used (callers throttle this; it is bookkeeping, not security). */
    async touch(actor: Actor): Promise<void> {
      if (!actor.keyId) return;
      const keyId = actor.keyId;
      await database.withAccount(actor.accountId, (trx) => touchApiKey(trx, actor.accountId, keyId, clock.now()));
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
