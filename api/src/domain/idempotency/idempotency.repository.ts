import type { Db } from '../../store/database.ts';

/**
 * Claims `key` for a request: inserts it `in_progress`, or takes over a key that expired
 * (created before `expiredBefore`) or whose first request died mid-way (still in progress since
 * before `abandonedBefore`). Undefined when another request holds the key.
 */
export const claimIdempotencyKey = (
  trx: Db,
  claim: { accountId: string; key: string; requestHash: string; now: Date; expiredBefore: Date; abandonedBefore: Date },
) =>
  trx
    .insertInto('idempotency_keys')
    .values({
      account_id: claim.accountId,
      key: claim.key,
      request_hash: claim.requestHash,
      state: 'in_progress',
      created_at: claim.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'key'])
        .doUpdateSet({
          request_hash: claim.requestHash,
          state: 'in_progress',
          created_at: claim.now,
          response_status: null,
          response_body: null,
        })
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.created_at', '<', claim.expiredBefore),
            eb.and([
              eb('idempotency_keys.state', '=', 'in_progress'),
              eb('idempotency_keys.created_at', '<', claim.abandonedBefore),
            ]),
          ]),
        ),
    )
    .returning('key')
    .executeTakeFirst();

/** The request a key was claimed for, and its stored answer once completed. */
export const findIdempotencyKey = (trx: Db, key: string) =>
  trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'state', 'response_status', 'response_body'])
    .where('key', '=', key)
    .executeTakeFirstOrThrow();

/** Stores the answer to replay. */
export async function completeIdempotencyKey(trx: Db, key: string, status: number, body: string): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ state: 'completed', response_status: status, response_body: body })
    .where('key', '=', key)
    .execute();
}

export async function deleteIdempotencyKey(trx: Db, key: string): Promise<void> {
  await trx.deleteFrom('idempotency_keys').where('key', '=', key).execute();
}

/** Deletes keys created before `cutoff` (across accounts); returns how many. */
export async function purgeIdempotencyKeysBefore(trx: Db, cutoff: Date): Promise<number> {
  const result = await trx.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
