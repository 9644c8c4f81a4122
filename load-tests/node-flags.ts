import { readFileSync } from 'node:fs';

/**
 * The Node flags the service's processes run with: those of `npm run start:worker` in
 * package.json (the Dockerfile's ENTRYPOINT has the same), so that a bench measures a process as
 * it is started. BENCH_NODE_FLAGS replaces them (`BENCH_NODE_FLAGS= ` for Node's defaults), to
 * compare.
 */
export function serviceNodeFlags(): string[] {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (manifest.scripts['start:worker'] ?? '').split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('api/src/main.ts'));
}
