// Fails when the committed dist/ differs from a fresh build of the sources: GitHub runs dist/
// straight from the repository, so a stale bundle would ship code nobody reviewed or tested.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/**
 * Code must match byte for byte. ncc's licenses.txt lists packages by name, but the order of two
 * entries with the same name (a package bundled in two versions) varies between builds, so the
 * notices are compared as the same lines in any order.
 */
function sameContent(file, a, b) {
  if (a.equals(b)) return true;
  if (!file.endsWith('licenses.txt')) return false;
  const lines = (buf) => buf.toString('utf8').split('\n').sort().join('\n');
  return lines(a) === lines(b);
}
const fresh = mkdtempSync(join(tmpdir(), 'mlops-dist-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), fresh], { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => relative(dir, join(d.parentPath, d.name)))
          .sort()
      : [];
  const want = files(fresh);
  const have = files(join(root, 'dist'));
  const problems = [];
  for (const f of want) {
    if (!have.includes(f)) problems.push(`missing: dist/${f}`);
    else if (!sameContent(f, readFileSync(join(fresh, f)), readFileSync(join(root, 'dist', f)))) problems.push(`stale: dist/${f}`);
  }
  for (const f of have) if (!want.includes(f)) problems.push(`not built from any action: dist/${f}`);
  if (problems.length > 0) {
    console.error(`check-dist: dist/ does not match the sources (${problems.join('; ')}). Run 'npm run build' and commit dist/.`);
    process.exit(1);
  }
  console.log(`check-dist: dist/ matches the sources (${want.length} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
