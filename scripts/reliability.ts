// `npm run reliability`: runs the reliability suites (test/reliability) and every bundle
// integration suite (actions/), whose runs the secret scan counts too, then prints the figures
// each test recorded as one table and writes it to test/reliability/RESULTS.md for README.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Figure } from '../test/reliability/figures.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'reliability-figures-'));
const started = Date.now();
const jest = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', join(root, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/reliability', 'actions/'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, RELIABILITY_FIGURES_DIR: dir } },
);
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const figures: Figure[] = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
  .map((line) => JSON.parse(line) as Figure);
rmSync(dir, { recursive: true, force: true });

/** Several figures with the same area and `what` (e.g. one per bundle run) add up to one row. */
function rows(): Figure[] {
  const byKey = new Map<string, Figure>();
  for (const f of figures) {
    const key = `${f.area}\u0000${f.what}`;
    const row = byKey.get(key);
    if (row === undefined) byKey.set(key, { ...f });
    else {
      row.tried += f.tried;
      row.passed += f.passed;
      if (f.detail && row.detail !== f.detail) row.detail = row.detail ? `${row.detail}; ${f.detail}` : f.detail;
    }
  }
  return [...byKey.values()].sort((a, b) => a.area.localeCompare(b.area) || a.what.localeCompare(b.what));
}

const table = rows();
const areas = [...new Set(table.map((r) => r.area))];
const totals = areas.map((area) => {
  const mine = table.filter((r) => r.area === area);
  const tried = mine.reduce((n, r) => n + r.tried, 0);
  const passed = mine.reduce((n, r) => n + r.passed, 0);
  return { area, tried, passed, cases: mine.length };
});

const lines = [
  `Reliability figures (${new Date().toISOString().slice(0, 10)}, ${seconds} s, jest exit ${jest.status})`,
  '',
  '| area | cases | tried | passed |',
  '|---|---:|---:|---:|',
  ...totals.map((t) => `| ${t.area} | ${t.cases} | ${t.tried} | ${t.passed} |`),
  '',
  '<details><summary>Every case</summary>',
  '',
  '| area | what | tried | passed | detail |',
  '|---|---|---:|---:|---|',
  ...table.map((r) => `| ${r.area} | ${r.what.replace(/\|/g, '\\|')} | ${r.tried} | ${r.passed} | ${(r.detail ?? '').replace(/\|/g, '\\|')} |`),
  '',
  '</details>',
];
const text = lines.join('\n');
console.log(`\n${text}`);
writeFileSync(join(root, 'test', 'reliability', 'RESULTS.md'), `${text}\n`);

const shortfall = totals.filter((t) => t.passed < t.tried);
if (figures.length === 0) console.error('no figures were recorded: did the reliability suites run?');
if (shortfall.length > 0) console.error(`below target: ${shortfall.map((t) => `${t.area} ${t.passed}/${t.tried}`).join(', ')}`);
process.exit(jest.status !== 0 || shortfall.length > 0 || figures.length === 0 ? 1 : 0);
