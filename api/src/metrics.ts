import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import client from 'prom-client';
import { type EmailTransport, TransportError } from './mail/transport.ts';

/**
 * Prometheus metrics of one process (`prom-client`), served by `GET /metrics` on the metrics
 * port (`METRICS_PORT`, any process) or on the API port behind `METRICS_TOKEN`. Counters count
 * what this process did: sum them over processes. Gauges read from the database (jobs, oldest due
 * reminder) say the same thing from every worker: take their max. See docs/operations.md.
 */
export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

const httpDuration = new client.Histogram({
  name: 'relance_http_request_duration_seconds',
  help: 'HTTP requests served, by method, route (the pattern, not the path) and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

const reminders = new client.Counter({
  name: 'relance_reminders_total',
  help: 'Reminders handled, by channel and outcome (sent, skipped, held, deferred, retry, failed).',
  labelNames: ['channel', 'outcome'] as const,
  registers,
});

const providerRequests = new client.Counter({
  name: 'relance_provider_requests_total',
  help: 'Calls to an email provider, by provider, kind (send, batch) and answer (2xx, 429, 4xx, 5xx, network).',
  labelNames: ['provider', 'kind', 'status'] as const,
  registers,
});

const providerEmails = new client.Counter({
  name: 'relance_provider_emails_total',
  help: 'Emails carried by provider calls (a batch carries up to 100), by provider and answer.',
  labelNames: ['provider', 'status'] as const,
  registers,
});

const providerDuration = new client.Histogram({
  name: 'relance_provider_request_duration_seconds',
  help: 'Latency of calls to an email provider, by provider and kind.',
  labelNames: ['provider', 'kind'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

const webhookDeliveries = new client.Counter({
  name: 'relance_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (succeeded, failed).',
  labelNames: ['outcome'] as const,
  registers,
});

/** Pools whose usage is reported, by name (`main`: the domain's pool; `queue`: pg-boss's). */
const pools = new Map<string, pg.Pool>();

new client.Gauge({
  name: 'relance_db_pool_connections',
  help: 'Database connections of this process, by pool and state (total, idle, waiting clients, max).',
  labelNames: ['pool', 'state'] as const,
  registers,
  collect() {
    this.reset();
    for (const [name, pool] of pools) {
      this.set({ pool: name, state: 'total' }, pool.totalCount);
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      this.set({ pool: name, state: 'max' }, pool.options.max ?? 10);
    }
  },
});

export interface QueueReading {
  queue: string;
  /** Jobs whose start time has come and that no worker holds yet. */
  waiting: number;
  active: number;
  /** Seconds since the oldest waiting job became due; 0 when none waits. */
  oldestDueSeconds: number;
}

/** Where the database-backed gauges read from; set by a worker process. */
let readQueues: (() => Promise<QueueReading[]>) | undefined;
let readOldestDueReminder: (() => Promise<number>) | undefined;

/** prom-client collects every metric of a scrape at once: the two queue gauges share one read. */
let queueRead: { at: number; rows: Promise<QueueReading[]> } | undefined;
function readQueuesOnce(): Promise<QueueReading[]> {
  if (!readQueues) return Promise.resolve([]);
  if (!queueRead || performance.now() - queueRead.at > 1000) queueRead = { at: performance.now(), rows: readQueues() };
  return queueRead.rows;
}

new client.Gauge({
  name: 'relance_jobs',
  help: 'Jobs by queue and state (waiting: due and not taken; active: taken).',
  labelNames: ['queue', 'state'] as const,
  registers,
  async collect() {
    this.reset();
    for (const q of await readQueuesOnce()) {
      this.set({ queue: q.queue, state: 'waiting' }, q.waiting);
      this.set({ queue: q.queue, state: 'active' }, q.active);
    }
  },
});
new client.Gauge({
  name: 'relance_job_oldest_due_age_seconds',
  help: 'Age of the oldest due job not yet taken, by queue (0: none waits).',
  labelNames: ['queue'] as const,
  registers,
  async collect() {
    this.reset();
    for (const q of await readQueuesOnce()) this.set({ queue: q.queue }, q.oldestDueSeconds);
  },
});
new client.Gauge({
  name: 'relance_reminder_oldest_due_age_seconds',
  help: 'Seconds since the oldest live reminder still to send (scheduled or sending) fell due; 0 when none.',
  registers,
  async collect() {
    if (readOldestDueReminder) this.set(await readOldestDueReminder());
  },
});

export const metrics = {
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  },
  reminder(channel: string, outcome: string): void {
    if (outcome === 'noop' || outcome === 'deliver') return;
    reminders.inc({ channel, outcome });
  },
  /**
   * One call to an email provider: `statusCode` null when no answer came. `emails` is how many
   * emails it carried (1 for a single send). The batching path calls this once per batch call.
   */
  providerCall(provider: string, kind: 'send' | 'batch', statusCode: number | null, seconds: number, emails = 1): void {
    const status = statusClass(statusCode);
    providerRequests.inc({ provider, kind, status });
    providerEmails.inc({ provider, status }, emails);
    providerDuration.observe({ provider, kind }, seconds);
  },
  webhookDeliveries(succeeded: number, failed: number): void {
    if (succeeded) webhookDeliveries.inc({ outcome: 'succeeded' }, succeeded);
    if (failed) webhookDeliveries.inc({ outcome: 'failed' }, failed);
  },
  /** Reports a pool's usage until the returned function is called. */
  watchPool(name: string, pool: pg.Pool): () => void {
    pools.set(name, pool);
    return () => {
      if (pools.get(name) === pool) pools.delete(name);
    };
  },
  /** Sets the readers of the database-backed gauges (a worker process does, once). */
  readFromDatabase(readers: {
    queues: () => Promise<QueueReading[]>;
    oldestDueReminder: () => Promise<number>;
  }): () => void {
    readQueues = readers.queues;
    readOldestDueReminder = readers.oldestDueReminder;
    return () => {
      if (readQueues === readers.queues) readQueues = undefined;
      if (readOldestDueReminder === readers.oldestDueReminder) readOldestDueReminder = undefined;
    };
  },
};

function statusClass(statusCode: number | null): string {
  if (statusCode === null) return 'network';
  if (statusCode === 429) return '429';
  return `${Math.floor(statusCode / 100)}xx`;
}

/** Wraps a transport that leaves the process so that every send is counted and timed. */
export function instrumentTransport(transport: EmailTransport): EmailTransport {
  if (transport.local) return transport;
  const batch = transport.sendBatch?.bind(transport);
  return {
    ...transport,
    name: transport.name,
    async send(email, idempotencyKey) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await transport.send(email, idempotencyKey);
        metrics.providerCall(transport.name, 'send', 200, seconds());
        return result;
      } catch (error) {
        metrics.providerCall(
          transport.name,
          'send',
          error instanceof TransportError ? error.statusCode : null,
          seconds(),
        );
        throw error;
      }
    },
    ...(batch && {
      async sendBatch(emails, idempotencyKey) {
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        try {
          const results = await batch(emails, idempotencyKey);
          metrics.providerCall(transport.name, 'batch', 200, seconds(), emails.length);
          return results;
        } catch (error) {
          metrics.providerCall(
            transport.name,
            'batch',
            error instanceof TransportError ? error.statusCode : null,
            seconds(),
            emails.length,
          );
          throw error;
        }
      },
    }),
  };
}

/** True when `header` is `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The exposition text and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/** A small HTTP server answering `GET /metrics` (and nothing else) on its own port. */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  token?: string | undefined;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' || url.pathname !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (options.token && !bearerMatches(request.headers.authorization, options.token)) {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    renderMetrics().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: Error) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
