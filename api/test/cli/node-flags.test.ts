import { readFileSync } from 'node:fs';
import t from 'tap';
import { mainStart, ROOT } from '../helpers/process.ts';

// The memory settings (docs/operations.md#memory) are the same however a process is started.
t.test('the Dockerfile starts every process as the start scripts do', async (t) => {
  const scripts = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const flagsOf = (words: string[]) => words.slice(words.indexOf('node') + 1, words.indexOf('api/src/main.ts'));
  const { flags, env } = mainStart();
  t.ok(
    flags.some((flag) => flag.startsWith('--max-old-space-size=')),
    'the old generation is bounded',
  );
  t.same(env, { MALLOC_ARENA_MAX: '2' });
  for (const name of ['start', 'start:api', 'start:worker', 'migrate']) {
    const words = (scripts[name] ?? '').split(/\s+/);
    t.same(flagsOf(words), flags, `npm run ${name}: its flags`);
    t.same(words.slice(0, words.indexOf('node')), ['MALLOC_ARENA_MAX=2'], `npm run ${name}: its environment`);
  }
  const dockerfile = readFileSync(`${ROOT}/Dockerfile`, 'utf8');
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  t.same(flagsOf(entrypoint), flags, 'the image: its flags');
  t.match(dockerfile, /^ENV .*\bMALLOC_ARENA_MAX=2\b/m, 'the image: its environment');
});
