import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { layers, moduleCycles, queriesOutsideRepositories } from '../../../scripts/check-modules.ts';

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([m, deps]) => [m, new Set(deps)]));

t.test('a graph without cycles has none, and its layers put each module after its dependencies', async (t) => {
  const g = graph({
    shared: [],
    outbox: [],
    invoices: ['shared', 'outbox'],
    payments: ['invoices', 'outbox'],
    reminders: ['invoices', 'payments'],
  });
  t.same(moduleCycles(g), []);
  t.same(layers(g), [['outbox', 'shared'], ['invoices'], ['payments'], ['reminders']]);
});

t.test('a cycle through modules is found, with every module in it', async (t) => {
  const g = graph({
    shared: [],
    invoices: ['shared', 'reminders'],
    payments: ['invoices'],
    reminders: ['payments'],
    tasks: ['invoices'],
  });
  t.same(moduleCycles(g), [['invoices', 'payments', 'reminders']]);
  t.throws(() => layers(g), /cycle/);
});

t.test('two separate cycles are two findings; a module depending on itself is one', async (t) => {
  const g = graph({ a: ['b'], b: ['a'], c: ['d'], d: ['c'], e: ['e'] });
  t.same(moduleCycles(g).sort(), [['a', 'b'], ['c', 'd'], ['e']]);
});

t.test('a statement outside a repository is found, with its line; repositories and plain code pass', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'relance-query-check-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'invoices'));
  const service = [
    "import { listInvoices } from './invoice.repository.ts';",
    'export const list = (trx) => listInvoices(trx);',
    "export const count = (trx) => trx.selectFrom('invoices').select('id')",
    '  .execute();',
    'export const raw = (trx) => sql`SELECT 1`.execute(trx);',
  ].join('\n');
  await writeFile(path.join(dir, 'invoices/invoice.service.ts'), service);
  await writeFile(
    path.join(dir, 'invoices/invoice.repository.ts'),
    "export const listInvoices = (trx) => trx.selectFrom('invoices').selectAll().execute();",
  );
  await writeFile(path.join(dir, 'invoices/invoice.rules.ts'), 'export const isOpen = (s) => s === "open";');
  const found = await queriesOutsideRepositories([dir]);
  t.same(
    found.map((f) => f.replace(/^.*invoices\//, '')),
    ['invoice.service.ts:3', 'invoice.service.ts:4', 'invoice.service.ts:5'],
  );
});

t.test('the tree itself has no statement outside a repository', async (t) => {
  t.same(await queriesOutsideRepositories(), []);
});
