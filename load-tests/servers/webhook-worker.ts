/**
 * A worker process for `npm run bench:webhooks`: the real `startWorker()` (dispatcher loop and
 * `webhooks.deliver` handlers) on the database in DATABASE_URL, with the system clock and
 * private targets allowed (the receiver is on 127.0.0.1). Stops on SIGTERM or when the parent goes.
 */
import { pino } from 'pino';
import { systemClock } from '../../api/src/clock.ts';
import { startWorker } from '../../api/src/jobs/worker.ts';
import { createServices } from '../../api/src/services.ts';
import { createDatabase } from '../../api/src/store/database.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const database = createDatabase(url, { max: 10 });
const services = createServices({ database, clock: systemClock, webhookTargets: { allowPrivateTargets: true } });
const worker = await startWorker({
  databaseUrl: url,
  services,
  clock: systemClock,
  log: pino({ level: 'warn' }),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
});
process.send?.({ type: 'ready' });

const stop = async () => {
  await worker.stop();
  await database.close();
  process.send?.({ type: 'cpu', cpuMicros: process.cpuUsage().user + process.cpuUsage().system });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('message', (m: { type?: string }) => m?.type === 'stop' && void stop());
process.on('disconnect', () => process.exit(0));
