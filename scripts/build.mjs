// Bundles every action (actions/<name>/main.ts) into dist/<name>/index.js with ncc.
// `node scripts/build.mjs [outDir] [name…]`: outDir defaults to dist/ (check-dist builds elsewhere).
// Transpile-only: `npm run typecheck` checks the types once for the whole repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outRoot = resolve(process.argv[2] ?? join(root, 'dist'));
const only = process.argv.slice(3);
const ncc = join(root, 'node_modules', '.bin', 'ncc');

const names = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'actions', d.name, 'main.ts')))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

for (const name of names) {
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  execFileSync(
    ncc,
    ['build', join(root, 'actions', name, 'main.ts'), '-o', out, '--minify', '--target', 'es2022', '--license', 'licenses.txt', '--transpile-only', '--quiet'],
    { stdio: 'inherit', cwd: root },
  );
  console.log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
