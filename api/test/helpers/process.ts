import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * How `npm run start:worker` (and every start script, and the image) runs main.ts: the Node flags,
 * and the environment set before `node` (MALLOC_ARENA_MAX).
 */
export function mainStart(): { flags: string[]; env: Record<string, string> } {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (manifest.scripts['start:worker'] ?? '').split(/\s+/);
  const node = words.indexOf('node');
  return {
    flags: words.slice(node + 1, words.indexOf('api/src/main.ts')),
    env: Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string])),
  };
}

/**
 * Runs one of our entry points (api/src/*.ts) on this Node and collects its output; main.ts as
 * the start scripts run it (see `mainStart`).
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const start = script === 'api/src/main.ts' ? mainStart() : { flags: [], env: {} };
  const child = spawn(process.execPath, [...start.flags, path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...start.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => (out += chunk));
  child.stderr?.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits until `predicate(output)` holds, or fails after `ms`. */
export async function waitFor(output: () => string, predicate: (text: string) => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate(output())) {
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a PostgreSQL answers on 127.0.0.1:`port` (a refused password still means it is up). */
export async function pgAccepts(port: number): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return true;
  } catch (error) {
    return !/ECONNREFUSED/.test(String(error));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fixed-offset time zone (`Etc/GMT±N`) in which it is now about noon: an account in it sends
 * its emails within the policy's send window (09:00 to 20:00) whatever the hour a test on real
 * time runs. (Pair it with `skip_weekends: false` for a test that may run on a weekend.)
 */
export function middayZone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  if (offset === 0) return 'Etc/GMT';
  // The Etc zones' signs are POSIX's: Etc/GMT-2 is two hours ahead of UTC.
  return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
