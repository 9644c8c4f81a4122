/**
 * Checks the boundaries of api/src (`npm run lint:deps`, part of `npm test`): the file-level
 * rules of .dependency-cruiser.cjs (no cycle, a domain module entered through its index.ts only,
 * no adapter imported by the domain), then that the graph of the domain modules themselves has
 * no cycle, which the file-level check alone does not see (module A's file imports B's door
 * while a file of B that A's door does not re-export imports A's door).
 *
 * `node scripts/check-modules.ts --map` prints the module map (docs/architecture.md#modules).
 */
import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOMAIN = /^api\/src\/domain\/([^/]+)\//;

/** Which domain module depends on which, from dependency-cruiser's list of modules. */
export function moduleGraph(result: ICruiseResult): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const module of result.modules) {
    const from = DOMAIN.exec(module.source)?.[1];
    if (from === undefined) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const dependency of module.dependencies) {
      const to = DOMAIN.exec(dependency.resolved)?.[1];
      if (to !== undefined && to !== from) edges.add(to);
    }
  }
  return graph;
}

/** The strongly connected components with more than one module (Tarjan): each is a cycle. */
export function moduleCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The modules bottom-up: each after every module it depends on (a graph without cycles). */
export function layers(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const placed = new Set<string>();
  const result: string[][] = [];
  while (placed.size < graph.size) {
    const layer = [...graph.keys()]
      .filter((m) => !placed.has(m) && [...(graph.get(m) ?? [])].every((d) => placed.has(d)))
      .sort();
    if (layer.length === 0) throw new Error('the module graph has a cycle');
    for (const m of layer) placed.add(m);
    result.push(layer);
  }
  return result;
}

/** `request.body as …`, `request.query as …`, `request.params as …` in the HTTP routes: each is a place the types can lie. */
export async function requestCasts(dir = path.join(ROOT, 'api/src/http/routes')): Promise<string[]> {
  const found: string[] = [];
  for (const file of (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'))) {
    const lines = (await readFile(path.join(dir, file), 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (/\(?request\.(body|query|params)\b[^,;)]*\)?\s+as\s/.test(line))
        found.push(`${path.relative(ROOT, path.join(dir, file))}:${i + 1}`);
    });
  }
  return found;
}

/** A statement built or sent: a Kysely query builder, or any statement (raw `sql` too) executed. */
const QUERY =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|execute|executeTakeFirst|executeTakeFirstOrThrow)\(/g;

/** Helpers the repositories run their statements through. */
const QUERY_HELPERS = new Set(['api/src/domain/shared/pagination.ts']);

/**
 * Statements outside a repository (issue 10: one home per query): in the domain, the jobs and
 * the mail adapters, only `*.repository.ts` files send SQL; services, the engine and the jobs call
 * their functions. Returns `file:line` of each.
 */
export async function queriesOutsideRepositories(
  dirs = ['api/src/domain', 'api/src/jobs', 'api/src/mail'].map((d) => path.join(ROOT, d)),
): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'))) {
      const name = path.relative(ROOT, path.join(dir, file));
      if (file.endsWith('.repository.ts') || QUERY_HELPERS.has(name)) continue;
      const text = await readFile(path.join(dir, file), 'utf8');
      const lines = new Set([...text.matchAll(QUERY)].map((m) => text.slice(0, m.index).split('\n').length));
      for (const line of lines) found.push(`${name}:${line}`);
    }
  }
  return found;
}

async function main(): Promise<void> {
  process.chdir(ROOT);
  const require = createRequire(import.meta.url);
  const config = require(path.join(ROOT, '.dependency-cruiser.cjs'));
  const { output } = await cruise(['api/src'], {
    ...config.options,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  const result = output as ICruiseResult;
  const graph = moduleGraph(result);
  if (process.argv.includes('--map')) {
    for (const [i, layer] of layers(graph).entries()) {
      for (const m of layer)
        console.log(`${i}. ${m}${graph.get(m)!.size > 0 ? ` → ${[...graph.get(m)!].sort().join(', ')}` : ''}`);
    }
    return;
  }
  let failed = false;
  for (const violation of result.summary.violations) {
    failed = true;
    const via = violation.cycle ? ` (${violation.cycle.map((c) => c.name).join(' → ')})` : '';
    console.error(`${violation.rule.name}: ${violation.from} → ${violation.to}${via}`);
  }
  for (const cycle of moduleCycles(graph)) {
    failed = true;
    console.error(`module cycle in api/src/domain: ${cycle.join(', ')}`);
  }
  for (const cast of await requestCasts()) {
    failed = true;
    console.error(`request cast (routes are typed by their schemas; see common.ts ref()): ${cast}`);
  }
  for (const query of await queriesOutsideRepositories()) {
    failed = true;
    console.error(`query outside a repository (move it into the table's module *.repository.ts): ${query}`);
  }
  if (failed) process.exit(1);
  console.log(
    `modules: ${result.summary.totalCruised} files, ${graph.size} domain modules, no forbidden dependency, no module cycle`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
