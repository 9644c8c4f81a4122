import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';

/**
 * The side of a bench server process that talks to the bench: it listens on 127.0.0.1 and a
 * free port, tells the parent the port over IPC, answers `stats` (queries sent to Postgres so
 * far, one query being one round trip, and the CPU time the process has used) and stops on `stop`, SIGTERM or the parent going away.
 */

export type ToServer = { type: 'stats' } | { type: 'stop' };
export type FromServer =
  | { type: 'listening'; port: number }
  | { type: 'stats'; queries: number; cpuMicros: number }
  | { type: 'failed'; error: string };

let queries = 0;
/** With BENCH_QUERY_STATS=1, queries are also tallied by text and the tally printed at stop. */
const tally = process.env.BENCH_QUERY_STATS ? new Map<string, number>() : undefined;
// Every pg query (Kysely's included) goes through Client#query: count them, cheaply.
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = proto.query;
proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
  queries++;
  if (tally) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: unknown } | null)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').slice(0, 120);
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return query.apply(this, args);
};

function printTally(): void {
  if (!tally) return;
  const lines = [...tally].sort((a, b) => b[1] - a[1]).map(([text, count]) => `${String(count).padStart(9)}  ${text}`);
  process.stderr.write(
    `\n[${process.argv[1]?.split('/').pop()}] ${queries} queries sent to Postgres, by text:\n${lines.join('\n')}\n`,
  );
}

const send = (message: FromServer) => process.send?.(message);

export function failed(error: unknown): never {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}

export async function serve(app: FastifyInstance, close: () => Promise<void>): Promise<void> {
  if (!process.send) throw new Error('a bench server runs as a child of load-tests/bench.ts (it needs an IPC channel)');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      try {
        await app.close();
        await close();
        printTally();
        // The kernel's high-water mark of this process's resident memory, for the memory goal (≤ 200 MiB).
        process.stderr.write(
          `[${process.argv[1]?.split('/').pop()}] peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
        );
      } finally {
        process.disconnect?.();
        process.exit(0);
      }
    })();
    return stopping;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.on('message', (message: ToServer) => {
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      send({ type: 'stats', queries, cpuMicros: cpu.user + cpu.system });
    }
    if (message.type === 'stop') void stop();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  send({ type: 'listening', port: (app.server.address() as AddressInfo).port });
}
