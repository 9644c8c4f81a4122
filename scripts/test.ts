/**
 * `npm test`: the checks (type-check, module boundaries, lint: `npm run typecheck`, `lint:deps`
 * and `lint`) and the tests, at the same time. The checks run one after the other on one core
 * (tsc alone takes most of a minute and uses one), the tests beside them on the others, so no
 * core waits for the type-check. Each check's output is printed when it ends; a check that fails
 * stops the tests and fails the run, as it would have before they started. Arguments go to tap
 * (`npm test -- api/test/unit`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
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

const tap: ChildProcess = spawn(process.execPath, [bin('tap'), ...process.argv.slice(2)], {
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
