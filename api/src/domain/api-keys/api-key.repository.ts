import type { Insertable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { ApiKeys } from '../../store/db-types.ts';
import { keysetPage, type PageRequest } from '../shared/index.ts';
import type { ApiKey } from './api-key.schemas.ts';

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

export const presentApiKey = (row: ApiKeyRow): ApiKey => ({
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

/** What a key shows: never its hash. */
const COLUMNS = ['id', 'name', 'prefix', 'read_only', 'admin', 'created_at', 'last_used_at', 'revoked_at'] as const;

export const insertApiKeyRow = (trx: Db, values: Insertable<ApiKeys>) =>
  trx.insertInto('api_keys').values(values).returning(COLUMNS).executeTakeFirstOrThrow();

/** One page of the account's keys, newest first. */
export const listApiKeys = (trx: Db, query: PageRequest) =>
  keysetPage(trx.selectFrom('api_keys').select(COLUMNS), query).execute();

/** Revokes a key, keeping the first revocation time; undefined if there is none with this id. */
export const revokeApiKey = (trx: Db, id: string, now: Date) =>
  trx
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();

/** The live key with this secret's hash, with its account's mode and time zone (across accounts). */
export const findKeyBySecretHash = (trx: Db, secretHash: Buffer) =>
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
    .where('api_keys.secret_hash', '=', secretHash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();

export async function touchApiKey(trx: Db, accountId: string, keyId: string, now: Date): Promise<void> {
  await trx
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', keyId)
    .execute();
}
