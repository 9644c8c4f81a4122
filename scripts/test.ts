/**
 * `npm test`: the checks (type-check, module boundaries, lint: `npm run typecheck`, `lint:deps`
 * and `lint`) and the tests, at the same time. The checks run one after the other on one core
 * (tsc alone takes most of a minute and uses one), the tests beside them on the others, so no
 * core waits for the type-check. Each check's output is printed when it ends; a check that fails
 * stops the tests and fails the run, as it would have before they started. Without arguments the
 * test files run grouped (see `runFiles`); arguments go to tap as they are, each file in a process
 * of its own (`npm test -- api/test/unit`), as `npx tap` runs the whole suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { globSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A package's command (a Node script), run on this Node rather than the first `node` on PATH. */
const bin = (name: string) => realpathSync(path.join(ROOT, 'node_modules/.bin', name));

const CHECKS: Array<{ name: string; args: string[] }> = [
  { name: 'typecheck', args: [bin('tsc'), '-p', 'tsconfig.json'] },
  { name: 'typecheck (sdk)', args: [bin('tsc'), '-p', 'sdk/tsconfig.json'] },
  { name: 'lint:deps', args: ['scripts/check-modules.ts'] },
  { name: 'lint', args: [bin('biome'), 'ci', '.'] },
];

/** Runs one check with its output kept; resolves with its exit code and output. */
function runCheck(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/**
 * The files that run in a process of their own, longest first. Each takes 8 s or more on its own,
 * most of it waiting on processes it starts, on leases, on a provider's pace or on a browser;
 * started first, they overlap with the rest instead of ending the run alone.
 */
const ALONE = [
  'reminders/stop-at-any-moment',
  'docs/samples',
  'sms/worker-kill',
  'reminders/worker-crash',
  'reminders/provider-pacing',
  'scale/many-processes',
  'scale/queue-database',
  'reminders/letters',
  'sdk/package',
  'cli/cli',
  'http/fuzz',
  'reminders/workers',
  'reminders/default-policy',
  'ops/database-restart',
  'cli/startup-errors',
  'portal/browser',
  'scale/tick-cost',
  'scale/account-filter',
  'cli/start',
  'reminders/test-clock',
];
const testFile = (name: string) => `api/test/${name}.test.ts`;

/**
 * The run's test files as tap is given them: each file of ALONE, then, folders with the most
 * files first, one file per folder of `api/test` that imports the folder's other files one after
 * the other. A test process spends about 1.4 s of CPU before its first test (Node, tap, the app's
 * 1,900 modules): each of the suite's files paid it, a folder's files now pay it once. The
 * files are written to `.relance/test-run`, numbered so that tap's alphabetical order is this one.
 * A file that throws while it loads stops the files after it in its folder, and tap reports the
 * folder's file as failed.
 */
function runFiles(): string[] {
  const files = globSync('api/test/**/*.test.ts', { cwd: ROOT }).sort();
  const alone = ALONE.map(testFile);
  for (const file of alone) if (!files.includes(file)) throw new Error(`scripts/test.ts: ${file} is not a test file`);
  const folders = Map.groupBy(
    files.filter((file) => !alone.includes(file)),
    (file) => file.split('/')[2]!,
  );
  const runs = [
    ...ALONE.map((name) => ({ name: name.replace('/', '-'), files: [testFile(name)] })),
    ...[...folders]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([folder, members]) => ({ name: folder, files: members })),
  ];
  const dir = path.join(ROOT, '.relance/test-run');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return runs.map((run, i) => {
    const runner = path.join(dir, `${String(i + 1).padStart(2, '0')}-${run.name}.test.ts`);
    const imports = run.files.map((file) => `await import('../../${file}');\n`).join('');
    writeFileSync(
      runner,
      `// Written by scripts/test.ts: ${run.files.length} test file(s) in one process.\n${imports}`,
    );
    return path.relative(ROOT, runner);
  });
}

const args = process.argv.slice(2);
const tap: ChildProcess = spawn(process.execPath, [bin('tap'), ...(args.length ? args : runFiles())], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    // The start scripts' compile cache: a test process reads its modules already stripped and compiled.
    NODE_COMPILE_CACHE: path.join(ROOT, '.relance/compile-cache'),
    // Turns tap's per-module recording off in every process of the run (see the file). A file
    // URL: NODE_OPTIONS splits at spaces, and a URL has none.
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${pathToFileURL(path.join(ROOT, 'scripts/test-preload.mjs'))}`]
      .filter(Boolean)
      .join(' '),
  },
  detached: true,
});
const tapExit = new Promise<number>((resolve) => tap.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
const stopTap = () => {
  // tap and its test processes: the group it leads.
  if (tap.exitCode === null && tap.pid) process.kill(-tap.pid, 'SIGTERM');
};
process.on('SIGINT', stopTap);
process.on('SIGTERM', stopTap);

let failed: string | undefined;
for (const check of CHECKS) {
  const started = Date.now();
  const { code, output } = await runCheck(check.args);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`\n# ${check.name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds} s\n${output}`);
  if (code !== 0) {
    failed = check.name;
    stopTap();
    break;
  }
}
const tapCode = await tapExit;
if (failed) process.stderr.write(`\n# npm test failed: ${failed}\n`);
process.exit(failed ? 1 : tapCode);
