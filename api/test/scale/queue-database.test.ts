import t from 'tap';
import { runProcessesScenario } from './processes-scenario.ts';

t.test('QUEUE_DATABASE_URL: the job queue in a database of its own', async (t) => {
  await runProcessesScenario(t, { apis: 1, workers: 2, separateQueue: true });
});
