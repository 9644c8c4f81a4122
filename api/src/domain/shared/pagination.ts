import { type SelectQueryBuilder, sql } from 'kysely';
import type { Page } from './schemas.ts';

/** The page a list asks for: `limit` (default 20) and the cursor from the previous page. */
export interface PageRequest {
  limit?: number | undefined;
  starting_after?: string | undefined;
}

const DEFAULT_PAGE_SIZE = 20;

/** How a list is ordered and what its cursor holds: a unique column, `id` newest first by default. */
interface KeysetOrder {
  column?: string;
  direction?: 'asc' | 'desc';
}

/**
 * The keyset preamble of every cursor list: order by the cursor column, fetch one row more than
 * the page (so `toPage` knows whether another page follows), and start after the cursor.
 * The column must be unique within what the query can return, and its values are compared as
 * given (a caller normalises the cursor first where the column is stored normalised).
 */
export function keysetPage<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
  order: KeysetOrder = {},
): SelectQueryBuilder<DB, TB, O> {
  const column = sql.ref(order.column ?? 'id');
  const direction = order.direction ?? 'desc';
  let out = q.orderBy(column, direction).limit(pageSize(page) + 1);
  if (page.starting_after !== undefined && page.starting_after !== '') {
    out = out.where(column, direction === 'desc' ? '<' : '>', page.starting_after);
  }
  return out;
}

/** The page size asked for, or the default. */
export const pageSize = (page: PageRequest) => page.limit ?? DEFAULT_PAGE_SIZE;

/** Runs a keyset query and shapes its `limit + 1` rows as a page whose cursor is `cursorOf` the last item. */
export async function fetchPage<DB, TB extends keyof DB, O extends object>(
  q: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
  cursorOf: (row: O) => string,
): Promise<{ rows: O[]; has_more: boolean; next_cursor: string | null }> {
  const limit = pageSize(page);
  const rows = await q.execute();
  const has_more = rows.length > limit;
  const kept = has_more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { rows: kept, has_more, next_cursor: has_more && last !== undefined ? cursorOf(last) : null };
}

/** A page of presented items from a `fetchPage` result. */
export const pageOf = <T>(fetched: { has_more: boolean; next_cursor: string | null }, data: T[]): Page<T> => ({
  object: 'list',
  data,
  has_more: fetched.has_more,
  next_cursor: fetched.next_cursor,
});
