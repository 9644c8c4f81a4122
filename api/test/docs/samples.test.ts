/**
 * Every code sample of the docs runs here, against a real server, so the docs cannot rot.
 *
 * - ```ts blocks of docs/**\/*.md, sdk/README.md and README.md: each is written to a file and run
 *   on this Node (type stripping) in a child process; it must exit with 0. `@relance/sdk`
 *   resolves to the workspace package's sources (condition `relance-source`; the built package
 *   is tested in api/test/sdk/package.test.ts). A block fenced ```ts no-run is only an illustration.
 * - ```sh / ```bash blocks that call `$RELANCE_URL` with only `curl` (and `sleep`): run with bash
 *   (`set -euo pipefail`; use `curl -f` so an HTTP error fails). Other shell blocks (npm ci,
 *   npm start, the CLI, curl at a fixed address) are shown, not run.
 *
 * The server is `api/src/main.ts` (API and workers, as `npm start` runs them) on a fresh database.
 * Each page gets a fresh account and its blocks run in order, as a reader would run them: env
 * RELANCE_URL, RELANCE_API_KEY (live mode; on the README and the quick start, a test-mode account
 * with no clock set, as the demo account of `npm start`) and RELANCE_TEST_API_KEY (test mode: a test clock of
 * its own).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, ROOT, runScript, waitFor } from '../helpers/process.ts';

export interface Sample {
  file: string;
  line: number;
  lang: 'ts' | 'sh';
  code: string;
}

/** Pages whose samples use the demo key that `npm start` prints. */
const DEMO_KEY_PAGES = new Set(['README.md', 'docs/quick-start.md']);

const FENCE = /^```(\w+)?([^\n]*)$/;

/** The runnable blocks of a Markdown text. */
export function samplesOf(file: string, text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const [, lang = '', info = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    if (/\bno-run\b/.test(info)) continue;
    const code = body.join('\n');
    if (lang === 'ts' || lang === 'typescript') samples.push({ file, line: start + 1, lang: 'ts', code });
    if ((lang === 'sh' || lang === 'bash') && callsTheServer(code)) samples.push({ file, line: start + 1, lang: 'sh', code });
  }
  return samples;
}

/** The block calls $RELANCE_URL, and its commands are curl calls and pauses (continuation lines and comments aside). */
function callsTheServer(code: string): boolean {
  const commands = code.replace(/'[^']*'/g, "''").replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return code.includes('$RELANCE_URL') && commands.length > 0 && commands.every((c) => /^(curl|sleep)\s/.test(c));
}

async function markdownFiles(): Promise<string[]> {
  const docs = (await readdir(path.join(ROOT, 'docs'), { recursive: true })).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return [...docs.sort(), 'sdk/README.md', 'README.md'];
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

t.test('extraction', async (t) => {
  const text = ['# x', '```ts', 'a()', '```', '```ts no-run', 'b()', '```', '```sh', 'npm start', '```', '```sh', 'curl -s "$RELANCE_URL/v1/x" \\', '  -H y', '# c', '```', '```sh', "curl -sf \"$RELANCE_URL/v1/y\" -d '{", '  "a": 1}\'', 'sleep 1', '```', '```sh', 'curl -s http://127.0.0.1:3000/v1/x', '```', '```json', '{}', '```'].join('\n');
  t.same(samplesOf('x.md', text), [
    { file: 'x.md', line: 2, lang: 'ts', code: 'a()' },
    { file: 'x.md', line: 11, lang: 'sh', code: 'curl -s "$RELANCE_URL/v1/x" \\\n  -H y\n# c' },
    { file: 'x.md', line: 16, lang: 'sh', code: 'curl -sf "$RELANCE_URL/v1/y" -d \'{\n  "a": 1}\'\nsleep 1' },
  ]);
});

t.test('every code sample of the docs runs', async (t) => {
  const samples: Sample[] = [];
  for (const file of await markdownFiles()) {
    const text = await readFile(path.join(ROOT, file), 'utf8').catch(() => '');
    samples.push(...samplesOf(file, text));
  }
  t.ok(samples.some((s) => s.file === 'docs/quick-start.md' && s.lang === 'sh'), 'the quick start runs');
  t.ok(samples.some((s) => s.file === 'sdk/README.md'), "the SDK's README runs");

  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 2 });
  // Accounts are made here; the server uses the real clock (a test-mode account, its own test clock).
  const services = createServices({ database, clock: new ManualClock(new Date().toISOString()) });
  const port = await freePort();
  const server = runScript('api/src/main.ts', [], { DATABASE_URL: testDb.url, PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
  const dir = await mkdtemp(path.join(ROOT, '.samples-'));
  t.teardown(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dir, { recursive: true, force: true });
    await database.close();
    await testDb.drop();
  });
  await waitFor(server.output, (out) => out.includes('Relance is running') || /Error/.test(out), 60_000);
  t.match(server.output(), 'Relance is running (all)');
  const url = `http://127.0.0.1:${port}`;

  // Each sample is a module of its own (`export {}`), type-checked as a reader's project would be.
  const scripts = new Map<Sample, string>();
  for (const [i, sample] of samples.entries()) {
    const script = path.join(dir, `${String(i + 1).padStart(3, '0')}-${path.basename(sample.file, '.md')}-${sample.line}.${sample.lang}`);
    await writeFile(script, sample.lang === 'sh' ? `set -euo pipefail\n${sample.code}\n` : `${sample.code}\n\nexport {};\n`);
    scripts.set(sample, script);
  }
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'es2024', lib: ['es2024', 'dom'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
      allowImportingTsExtensions: true, erasableSyntaxOnly: true, verbatimModuleSyntax: true, skipLibCheck: true, types: ['node'],
      customConditions: ['relance-source'],
    },
    include: ['*.ts'],
  }));
  const tsc = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], {}, 120_000);
  t.equal(tsc.code, 0, 'the TypeScript samples type-check', { output: tsc.output.replaceAll(`${dir}/`, '').slice(-4000) });

  for (const [file, ofFile] of Map.groupBy(samples, (s) => s.file)) {
    // The README and the quick start run on the demo key `npm start` prints: a test-mode account whose clock is not set.
    const demoKey = DEMO_KEY_PAGES.has(file);
    const live = await services.accounts.create({ name: `Docs: ${file}`, time_zone: 'Europe/Paris', ...(demoKey && { mode: 'test' as const }) });
    const test = await services.accounts.create({ name: `Docs: ${file} (test)`, time_zone: 'Europe/Paris', mode: 'test' });
    const env = { RELANCE_URL: url, RELANCE_API_KEY: live.api_key.secret, RELANCE_TEST_API_KEY: test.api_key.secret };
    for (const sample of ofFile) {
      const name = `${sample.file}:${sample.line} (${sample.lang})`;
      const script = String(scripts.get(sample));
      const result = sample.lang === 'ts' ? await run(process.execPath, ['--conditions=relance-source', script], env, 90_000) : await run('bash', [script], env, 60_000);
      t.equal(result.code, 0, name, { output: result.output.slice(-4000) });
    }
    if (file === 'docs/quick-start.md') {
      const actor = { accountId: live.account.id, keyId: null, readOnly: false, mode: 'test' as const, timeZone: 'Europe/Paris' };
      // The page waits ten seconds; a loaded machine may need longer for the workers' tick.
      let outbox = await services.messages.list(actor, {});
      for (const until = Date.now() + 60_000; outbox.data.length === 0 && Date.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        outbox = await services.messages.list(actor, {});
      }
      t.ok(outbox.data.length >= 1, 'the quick start ends with a first reminder in the outbox');
      t.equal(outbox.data[0]?.transport, 'outbox');
    }
  }
});
