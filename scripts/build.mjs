// Bundles every action (actions/<name>/main.ts) into dist/<name>/index.js with ncc.
// `node scripts/build.mjs [outDir] [name…]`: outDir defaults to dist/ (check-dist builds elsewhere).
// Transpile-only: `npm run typecheck` checks the types once for the whole repository.
//
// The bundles are CommonJS although the sources are ES modules: Node starts a CommonJS entry
// measurably sooner (no ES module loader; see README "Performance"), and every action pays that on
// every run. ncc's command line has no switch for it, hence its API. dist/<name>/package.json
// says so, since the repository's own package.json declares "type": "module".
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outRoot = resolve(process.argv[2] ?? join(root, 'dist'));
const only = process.argv.slice(3);
const require = createRequire(join(root, 'package.json'));
const ncc = require('@vercel/ncc');
const { minify } = require('terser');

// ncc's own minify runs terser with `compress: false`: it renames but drops no dead code, so every
// export webpack marked unused ships anyway (all of zod's core, for one). Compressing is what lets
// those go: about half of each entry. Function and class names are kept, as ncc's own minify keeps
// them, so stack traces and any library that reads a function's `name` behave as before.
//
// ASCII only: one non-ASCII character (an em dash in a message) makes Node read the whole file into
// a two-byte string, twice the bytes to allocate and scan before the first line runs.
const TERSER = { compress: { passes: 2 }, mangle: { keep_classnames: true, keep_fnames: true }, format: { ascii_only: true } };
const compressed = async (js) => (await minify(js, TERSER)).code;

const names = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'actions', d.name, 'main.ts')))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

for (const name of names) {
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  const { code, assets } = await ncc(join(root, 'actions', name, 'main.ts'), {
    esm: false,
    // ncc's default on-disk cache is keyed by the entry only, so a cache left by another build
    // mode (or another checkout) can leak into this one: check-dist once saw exactly that.
    cache: false,
    minify: false,
    target: 'es2022',
    license: 'licenses.txt',
    transpileOnly: true,
    quiet: true,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.js'), await compressed(code));
  for (const [file, asset] of Object.entries(assets)) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), file.endsWith('.js') ? await compressed(String(asset.source)) : asset.source);
  }
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  console.log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
