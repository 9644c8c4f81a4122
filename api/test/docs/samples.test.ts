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
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { createServices } from '../../src/services.ts';
import { createDatabase } from '../../src/store/database.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, ROOT, runScript, waitFor } from '../helpers/process.ts';
import { startResendStandIn } from '../helpers/resend-stand-in.ts';

export interface Sample {
  file: string;
  line: number;
  lang: 'ts' | 'sh';
  code: string;
  /** The ```json block right after a shell block: what its (one) answer looks like. */
  response?: string;
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
    if ((lang === 'sh' || lang === 'bash') && callsTheServer(code)) {
      const response = responseAfter(lines, i + 1);
      samples.push({ file, line: start + 1, lang: 'sh', code, ...(response !== undefined && { response }) });
    }
  }
  return samples;
}

/** The body of a ```json block that follows line `from` with only blank lines between. */
function responseAfter(lines: string[], from: number): string | undefined {
  let i = from;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  if (!/^```json\s*$/.test(lines[i] ?? '')) return undefined;
  const body: string[] = [];
  for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
  return body.join('\n');
}

/** Shell variables a block assigns (`CUSTOMER_ID=$(curl …)`): kept for the page's next blocks. */
export function assignedVariables(code: string): string[] {
  return [...new Set([...code.matchAll(/^\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''))];
}

const ELLIPSIS = /…|\.\.\./;

/**
 * How a documented answer differs from the real one. A complete sample (no `…`) must name every
 * field the API returned, at every level (lists: their first element); a sample cut with `…`
 * may leave fields out. Either way, every field it names must exist. Values are not compared
 * (ids and dates differ on every run).
 */
export function sampleMismatches(sample: string, actual: unknown): string[] {
  const partial = ELLIPSIS.test(sample);
  const documented = partial ? undefined : (JSON.parse(sample) as unknown);
  const named = new Set([...sample.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)].map((m) => m[1] ?? ''));
  const problems: string[] = [];
  const walk = (real: unknown, doc: unknown, at: string) => {
    if (Array.isArray(real)) {
      if (real.length > 0 && Array.isArray(doc) && doc.length > 0) walk(real[0], doc[0], `${at}[0]`);
      return;
    }
    if (!real || typeof real !== 'object') return;
    for (const [key, value] of Object.entries(real)) {
      if (documented !== undefined) {
        const docObject =
          doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
        if (!docObject || !(key in docObject)) problems.push(`${at}.${key} is returned but not in the sample`);
        else walk(value, docObject[key], `${at}.${key}`);
      }
    }
  };
  walk(actual, documented, '$');
  const returned = new Set<string>();
  const collect = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        returned.add(k);
        collect(v);
      }
  };
  collect(actual);
  for (const key of named)
    if (!returned.has(key)) problems.push(`"${key}" is in the sample but the API did not return it`);
  return problems;
}

/**
 * The block calls $RELANCE_URL, and its commands are curl calls, pauses, echoes and ids kept
 * from an answer (`INVOICE_ID=$(curl … | node -p …)`); continuation lines and comments aside.
 */
function callsTheServer(code: string): boolean {
  const uncommented = code
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  const commands = uncommented
    .replace(/'[^']*'/g, "''")
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    code.includes('$RELANCE_URL') &&
    commands.length > 0 &&
    commands.every((c) => /^(curl|sleep|echo)\s|^[A-Z][A-Z0-9_]*=\$\(curl\s/.test(c))
  );
}

async function markdownFiles(): Promise<string[]> {
  const docs = (await readdir(path.join(ROOT, 'docs'), { recursive: true }))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return [...docs.sort(), 'sdk/README.md', 'README.md'];
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
  const text = [
    '# x',
    '```ts',
    'a()',
    '```',
    '```ts no-run',
    'b()',
    '```',
    '```sh',
    'npm start',
    '```',
    '```sh',
    'curl -s "$RELANCE_URL/v1/x" \\',
    '  -H y',
    '# c',
    '```',
    '```sh',
    'curl -sf "$RELANCE_URL/v1/y" -d \'{',
    '  "a": 1}\'',
    'sleep 1',
    '```',
    '```sh',
    'curl -s http://127.0.0.1:3000/v1/x',
    '```',
    '```json',
    '{}',
    '```',
  ].join('\n');
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
  t.ok(
    samples.some((s) => s.file === 'docs/quick-start.md' && s.lang === 'sh'),
    'the quick start runs',
  );
  t.ok(
    samples.some((s) => s.file === 'sdk/README.md'),
    "the SDK's README runs",
  );

  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 2 });
  // Accounts are made here; the server uses the real clock (a test-mode account, its own test clock).
  const services = createServices({ database, clock: new ManualClock(new Date().toISOString()) });
  const port = await freePort();
  // Resend as docs/email.md's own-sender sample meets it: its key, with the domain verified.
  const resend = await startResendStandIn({
    teams: { re_YourOwnResendKey: { domains: [{ name: 'acme.example', status: 'verified' }] } },
  });
  t.teardown(() => resend.close());
  const server = runScript('api/src/main.ts', [], {
    RESEND_BASE_URL: resend.url,
    RELANCE_SECRETS_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: testDb.url,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  });
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
    const script = path.join(
      dir,
      `${String(i + 1).padStart(3, '0')}-${path.basename(sample.file, '.md')}-${sample.line}.${sample.lang}`,
    );
    const keep = assignedVariables(sample.code)
      .map((name) => `declare -p ${name} >> "$SAMPLES_STATE"\n`)
      .join('');
    await writeFile(
      script,
      sample.lang === 'sh'
        ? `set -euo pipefail\nsource "$SAMPLES_STATE"\n${sample.code}\n${keep}`
        : `${sample.code}\n\nexport {};\n`,
    );
    scripts.set(sample, script);
  }
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024',
        lib: ['es2024', 'dom'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        erasableSyntaxOnly: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        types: ['node'],
        customConditions: ['relance-source'],
      },
      include: ['*.ts'],
    }),
  );
  const tsc = await run(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')],
    {},
    120_000,
  );
  t.equal(tsc.code, 0, 'the TypeScript samples type-check', {
    output: tsc.output.replaceAll(`${dir}/`, '').slice(-4000),
  });

  for (const [file, ofFile] of Map.groupBy(samples, (s) => s.file)) {
    // The README and the quick start run on the demo key `npm start` prints: a test-mode account whose clock is not set.
    const demoKey = DEMO_KEY_PAGES.has(file);
    const live = await services.accounts.create({
      name: `Docs: ${file}`,
      time_zone: 'Europe/Paris',
      ...(demoKey && { mode: 'test' as const }),
    });
    const test = await services.accounts.create({
      name: `Docs: ${file} (test)`,
      time_zone: 'Europe/Paris',
      mode: 'test',
    });
    // Shell blocks of a page run in order as one reader's terminal: ids kept by one are seen by the next.
    const state = path.join(dir, `${path.basename(file, '.md')}-${live.account.id}.state.sh`);
    await writeFile(state, '');
    const env = {
      RELANCE_URL: url,
      RELANCE_API_KEY: live.api_key.secret,
      RELANCE_TEST_API_KEY: test.api_key.secret,
      SAMPLES_STATE: state,
    };
    for (const sample of ofFile) {
      const name = `${sample.file}:${sample.line} (${sample.lang})`;
      const script = String(scripts.get(sample));
      const result =
        sample.lang === 'ts'
          ? await run(process.execPath, ['--conditions=relance-source', script], env, 90_000)
          : await run('bash', [script], env, 60_000);
      t.equal(result.code, 0, name, { output: result.output.slice(-4000) });
      if (sample.response !== undefined && result.code === 0) {
        let answer: unknown;
        try {
          answer = JSON.parse(result.output);
        } catch {
          t.fail(`${name}: a block followed by a response sample prints one JSON answer`, {
            output: result.output.slice(-2000),
          });
          continue;
        }
        t.same(sampleMismatches(sample.response, answer), [], `${name}: the response sample matches the real answer`);
      }
    }
    if (file === 'docs/quick-start.md') {
      const actor = {
        accountId: live.account.id,
        keyId: null,
        readOnly: false,
        mode: 'test' as const,
        timeZone: 'Europe/Paris',
      };
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

t.test('response samples: a complete sample names every field; a cut one names only real ones', async (t) => {
  t.same(sampleMismatches('{"a": 1, "b": {"c": 2}}', { a: 1, b: { c: 3 } }), []);
  t.same(sampleMismatches('{"a": 1}', { a: 1, pause: null }), ['$.pause is returned but not in the sample']);
  t.same(sampleMismatches('{"data": [{"x": 1}]}', { data: [{ x: 1, y: 2 }] }), [
    '$.data[0].y is returned but not in the sample',
  ]);
  t.same(sampleMismatches('{"a": 1,\n …\n}', { a: 1, b: 2 }), [], 'a sample cut with … may leave fields out');
  t.same(sampleMismatches('{"a": 1, "gone": 2, …}', { a: 1 }), [
    '"gone" is in the sample but the API did not return it',
  ]);
  t.same(assignedVariables('CUSTOMER_ID=$(curl -sf x)\necho "$CUSTOMER_ID"\n  DRAFT_ID=$(curl y)'), [
    'CUSTOMER_ID',
    'DRAFT_ID',
  ]);
});

t.test("the README's command table lists every operator command", async (t) => {
  const cli = await readFile(path.join(ROOT, 'api/src/cli.ts'), 'utf8');
  const usage = /const USAGE = `([\s\S]*?)`;/.exec(cli)?.[1] ?? '';
  const commands = [...usage.matchAll(/^ {2}([a-z]+ [a-z]+)/gm)].map((m) => m[1] ?? '');
  t.ok(commands.length >= 5, `commands found in the CLI's usage: ${commands.join(', ')}`);
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith('| `npm run relance -- <command>`')) ?? '';
  for (const command of commands) t.match(row, `\`${command}`, `README lists \`${command}\``);
});

t.test('no page describes a past or future version of Relance', async (t) => {
  for (const file of await markdownFiles()) {
    const text = await readFile(path.join(ROOT, file), 'utf8').catch(() => '');
    t.notMatch(text, /Coming next|in this version|not returned by the API yet/i, file);
  }
});

t.test('every response sample follows a block the suite runs', async (t) => {
  for (const file of await markdownFiles()) {
    const text = await readFile(path.join(ROOT, file), 'utf8').catch(() => '');
    const lines = text.split('\n');
    const checked = new Set(
      samplesOf(file, text)
        .filter((s) => s.response !== undefined)
        .map((s) => s.line),
    );
    for (let i = 0; i < lines.length; i++) {
      const open = FENCE.exec(lines[i] ?? '');
      if (!open) continue;
      const start = i;
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++);
      if (!['sh', 'bash'].includes(open[1] ?? '') || responseAfter(lines, i + 1) === undefined) continue;
      t.ok(
        checked.has(start + 1),
        `${file}:${start + 1}: the JSON answer after this shell block is checked against a real one`,
      );
    }
  }
});
