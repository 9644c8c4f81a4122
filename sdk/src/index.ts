export { createClient, type ClientOptions, type RelanceClient } from './client.ts';
export { RelanceError, unwrap } from './errors.ts';
export type * from './types.ts';
export type { components, operations, paths } from './schema.d.ts';
