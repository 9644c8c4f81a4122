import { AppError } from '../errors.ts';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A GraphQL input (camelCase) as the service input (snake_case), recursively. `metadata` is
 * the caller's own map: its keys are kept as written. Explicit nulls are kept (they clear a field).
 * The service validates the result, exactly as it does a REST body.
 */
export function toServiceInput<T>(input: object): T {
  return snakeKeys(input) as T;
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[snake(key)] = key === 'metadata' ? item : snakeKeys(item);
  return out;
}

/** List arguments as the service's query (which validates it). Absent and null arguments are left out. */
export function toListQuery<T>(args: Record<string, unknown>): T {
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (value !== null && value !== undefined) query[snake(key)] = value;
  return query as T;
}

/** The object, or `null` when it does not exist in the caller's account (a 404 in REST). */
export async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}
