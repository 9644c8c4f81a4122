import t from 'tap';
import { runProcessesScenario } from './processes-scenario.ts';

t.test(
  '2 API and 3 worker processes on one database: each reminder once, each webhook once per endpoint',
  async (t) => {
    await runProcessesScenario(t, { apis: 2, workers: 3, separateQueue: false });
  },
);
