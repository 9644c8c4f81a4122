import { newId } from '../api/src/ids.ts';
import type { Database } from '../api/src/store/database.ts';

/**
 * `count` customers of an account, written directly (a bench's set-up, not what it measures), one
 * per invoice as in a real book: each customer's contact budget then holds, where a single
 * customer owing every invoice would get one email every two days. Returns their ids in order.
 */
export async function insertCustomers(
  database: Database,
  accountId: string,
  count: number,
  label: string,
  locale: string | null = null,
  /** Give each a mobile number too (for text message steps). */
  mobiles = false,
): Promise<string[]> {
  return database.withAccount(accountId, async (trx) => {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const id = newId('customer');
        ids.push(id);
        rows.push({
          account_id: accountId,
          id,
          name: `Customer ${label}-${i}`,
          email: `billing${label}-${i}@example.com`,
          locale,
          ...(mobiles && { mobile: `+336${String(10_000_000 + (i % 89_999_999)).padStart(8, '0')}` }),
        });
      }
      await trx.insertInto('customers').values(rows).execute();
    }
    return ids;
  });
}
