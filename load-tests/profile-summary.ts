/**
 * Summarises a V8 CPU profile (from `BENCH_CPU_PROF=dir npm run bench`): where a server process
 * spent its CPU, by package / source file and by function, self time.
 *
 *   node load-tests/profile-summary.ts load-tests/results/profiles/relance-*.cpuprofile [top=25] [skip=SECONDS]
 *
 * `skip` leaves out the first seconds of the profile (start-up: module loading, compilation).
 * "By owner" charges each sample to the innermost package or project file on its stack, so a
 * socket write made by pg counts for pg, not for node:net.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node load-tests/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const skipMicros = Number(process.argv[4] ?? 0) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node: each sample's delta is charged to the node sampled.
const self = new Map<number, number>();
let elapsed = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  if (elapsed >= skipMicros) self.set(id, (self.get(id) ?? 0) + delta);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const ROOT = path.resolve(import.meta.dirname, '..');
function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const local = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(local)?.[1];
  if (pkg) return pkg;
  if (local.startsWith('node:')) return local;
  if (local.startsWith(ROOT)) return path.relative(ROOT, local);
  return local;
}

const functionKey = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'}  ${area(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
};

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (!node) continue;
  const where = area(node.callFrame.url, node.callFrame.functionName);
  byArea.set(where, (byArea.get(where) ?? 0) + us);
  const fn = functionKey(node);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}

// Inclusive time per package / file: a sample counts once for every area on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
const inclusiveFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
const isOwner = (where: string) =>
  !where.startsWith('(') && !where.startsWith('node:') && !where.startsWith('load-tests/servers/child.ts');
for (const [id, us] of self) {
  const seen = new Set<string>();
  const seenFunctions = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node || node.callFrame.functionName === '(root)') continue;
    seen.add(area(node.callFrame.url, node.callFrame.functionName));
    seenFunctions.add(functionKey(node));
  }
  for (const where of seen) inclusive.set(where, (inclusive.get(where) ?? 0) + us);
  let owner: string | undefined;
  for (let at: number | undefined = id; at !== undefined && !owner; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node) continue;
    const where = area(node.callFrame.url, node.callFrame.functionName);
    if (isOwner(where)) owner = where;
  }
  const leaf = byId.get(id);
  owner ??= leaf ? `${area(leaf.callFrame.url, leaf.callFrame.functionName)} (no package on the stack)` : '?';
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
  for (const fn of seenFunctions) inclusiveFunction.set(fn, (inclusiveFunction.get(fn) ?? 0) + us);
}

// Percentages are of the busy time: the process also idles while the bench drives the other server.
const busy = total - (byArea.get('(idle)') ?? 0);
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
};
byArea.delete('(idle)');
for (const key of [...byOwner.keys()]) if (key.startsWith('(idle)')) byOwner.delete(key);
byFunction.delete('(idle)  (idle)');
inclusive.delete('(idle)');
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy; percentages of busy time`,
);
print('self time by package / file', byArea);
print('time by owner (innermost package or project file on the stack)', byOwner);
print('inclusive time by package / file (on the stack)', inclusive);
print('self time by function', byFunction);
// The project's own functions, inclusive: what each step of the request path costs with all it calls.
const own = new Map([...inclusiveFunction].filter(([fn]) => / (api|load-tests)\//.test(fn)));
print("inclusive time of the project's functions", own);
