import { mainStart } from '../api/test/helpers/process.ts';

/**
 * How the service's processes are started: the Node flags and environment of
 * `npm run start:worker` in package.json (the Dockerfile has the same), so that a bench measures
 * a process as it runs. BENCH_NODE_FLAGS replaces the flags (`BENCH_NODE_FLAGS= ` for Node's
 * defaults), and then the start script's environment is left out too, to compare.
 */
export function serviceStart(): { flags: string[]; env: Record<string, string> } {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return { flags: override.split(/\s+/).filter(Boolean), env: {} };
  return mainStart();
}
