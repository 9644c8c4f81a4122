// Builds dist/ for publishing (npm pack and npm publish run it first, as `prepack`):
// dist/esm (ES modules) and dist/cjs (CommonJS, marked by its own package.json), each with its
// declarations, so `import` and `require` both resolve to built JavaScript and types.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(path.join(here, 'dist'), { recursive: true, force: true });
for (const [config, out] of [
  ['tsconfig.build.json', 'esm'],
  ['tsconfig.cjs.json', 'cjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', path.join(here, config)], { stdio: 'inherit' });
  copyFileSync(path.join(here, 'src', 'schema.d.ts'), path.join(here, 'dist', out, 'schema.d.ts'));
}
writeFileSync(path.join(here, 'dist', 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
