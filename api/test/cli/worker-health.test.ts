import t from 'tap';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, runScript, waitFor } from '../helpers/process.ts';

t.test(
  'a worker process answers GET /health on WORKER_HEALTH_PORT from its queue beat (the container health check)',
  async (t) => {
    const testDb = await createTestDatabase();
    const port = await freePort();
    const worker = runScript('api/src/main.ts', ['worker'], {
      DATABASE_URL: testDb.url,
      WORKER_HEALTH_PORT: String(port),
    });
    t.teardown(async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await testDb.drop();
    });
    await waitFor(worker.output, (out) => out.includes('Relance is running (worker)') || /Error/.test(out), 120_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    t.equal(health.status, 200);
    t.match(await health.json(), { status: 'ok', last_beat_at: /^\d{4}-/ });
    t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    // The image's HEALTHCHECK command, as Docker runs it: healthy through the worker's port.
    const { execFile } = await import('node:child_process');
    const dockerfile = await (await import('node:fs/promises')).readFile(
      new URL('../../../Dockerfile', import.meta.url),
      'utf8',
    );
    const script = JSON.parse(/HEALTHCHECK[^\n]*\n\s*CMD (\[.*\])/.exec(dockerfile)![1]!)[2] as string;
    const code = await new Promise<number>((resolve) =>
      execFile(
        process.execPath,
        ['-e', script],
        { env: { ...process.env, PORT: '1', WORKER_HEALTH_PORT: String(port) } },
        (error) => resolve(error ? 1 : 0),
      ),
    );
    t.equal(code, 0, 'the Dockerfile HEALTHCHECK passes for the worker');
    worker.child.kill('SIGTERM');
    t.equal(await worker.exited, 0);
    const after = await new Promise<number>((resolve) =>
      execFile(
        process.execPath,
        ['-e', script],
        { env: { ...process.env, PORT: '1', WORKER_HEALTH_PORT: String(port) } },
        (error) => resolve(error ? 1 : 0),
      ),
    );
    t.equal(after, 1, 'and fails once the process is gone');
  },
);
