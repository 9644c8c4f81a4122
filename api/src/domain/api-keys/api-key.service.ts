import type { Clock } from '../../clock.ts';
import { notFound, validationFailed } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Database, Db } from '../../store/database.ts';
import { type Actor, assertKeyAdmin, type Page, PageQuery, toPage } from '../shared/index.ts';
import { parseInput } from '../../validation.ts';
import type { ApiKey, ApiKeyCreate, ApiKeyWithSecret } from './api-key.schemas.ts';
import { generateSecret, hashSecret, SECRET_FORMAT } from './api-key.rules.ts';

interface ApiKeyRow {
  id: string;
  name: string | null;
  prefix: string;
  read_only: boolean;
  admin: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const present = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  object: 'api_key',
  name: row.name,
  prefix: row.prefix,
  read_only: row.read_only,
  admin: row.admin,
  created_at: row.created_at.toISOString(),
  last_used_at: row.last_used_at?.toISOString() ?? null,
  revoked_at: row.revoked_at?.toISOString() ?? null,
});

const COLUMNS = ['id', 'name', 'prefix', 'read_only', 'admin', 'created_at', 'last_used_at', 'revoked_at'] as const;

/** Inserts a key for an account in the caller's transaction and returns it with its secret. */
export async function insertApiKey(
  trx: Db,
  accountId: string,
  mode: 'live' | 'test',
  input: ApiKeyCreate,
  now: Date,
): Promise<ApiKeyWithSecret> {
  const { secret, prefix } = generateSecret(mode);
  const row = await trx
    .insertInto('api_keys')
    .values({
      account_id: accountId,
      id: newId('apiKey'),
      name: input.name ?? null,
      prefix,
      secret_hash: hashSecret(secret),
      read_only: input.read_only ?? false,
      admin: input.admin ?? false,
      created_at: now,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
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
      const limit = query.limit ?? 20;
      return database.withAccount(actor.accountId, async (trx) => {
        let q = trx
          .selectFrom('api_keys')
          .select(COLUMNS)
          .orderBy('id', 'desc')
          .limit(limit + 1);
        if (query.starting_after) q = q.where('id', '<', query.starting_after);
        return toPage((await q.execute()).map(present), limit);
      });
    },

    /** Revokes a key at once; revoking twice keeps the first revocation time. */
    async revoke(actor: Actor, id: string): Promise<ApiKey> {
      assertKeyAdmin(actor);
      const revoked = await database.withAccount(actor.accountId, async (trx) => {
        const row = await trx
          .updateTable('api_keys')
          .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(clock.now())) }))
          .where('id', '=', id)
          .returning(COLUMNS)
          .executeTakeFirst();
        if (!row) throw notFound('api_key', id);
        return present(row);
      });
      deps.onAccountChanged?.(actor.accountId);
      return revoked;
    },

    /** The caller behind a secret, or null when it is unknown, malformed or revoked. */
    async authenticate(secret: string): Promise<Actor | null> {
      if (!SECRET_FORMAT.test(secret)) return null;
      const row = await database.withSystem((trx) =>
        trx
          .selectFrom('api_keys')
          .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
          .select([
            'api_keys.id',
            'api_keys.account_id',
            'api_keys.read_only',
            'api_keys.admin',
            'accounts.mode',
            'accounts.time_zone',
          ])
          .where('api_keys.secret_hash', '=', hashSecret(secret))
          .where('api_keys.revoked_at', 'is', null)
          .executeTakeFirst(),
      );
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
      await database.withAccount(actor.accountId, (trx) =>
        trx
          .updateTable('api_keys')
          .set({ last_used_at: clock.now() })
          .where('account_id', '=', actor.accountId)
          .where('id', '=', keyId)
          .execute(),
      );
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
