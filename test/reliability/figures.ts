import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One line of the reliability table: how many cases of one kind were tried and how many
 * behaved as required. Tests assert every case themselves; the figure only reports, so a
 * run whose tests are green always has `passed === tried`.
 */
export interface Figure {
  /** Table section: 'secrets' | 'faults' | 'crash' | 'races' | 'hostile-input'. */
  area: string;
  /** What was tried, e.g. "export-model: 503 burst on artifact versions". */
  what: string;
  tried: number;
  passed: number;
  /** Extra detail printed under the table, e.g. runs scanned or surfaces checked. */
  detail?: string;
}

/**
 * Where figures are collected: `npm run reliability` sets RELIABILITY_FIGURES_DIR to a fresh
 * folder per run. Unset (plain `npm test`), figures are not kept: the assertions are the test.
 */
export function figuresDir(): string | undefined {
  return process.env.RELIABILITY_FIGURES_DIR || undefined;
}

/** Appends one figure as a JSON line to `<figuresDir>/<area>.jsonl` (tests in parallel workers may append at once). */
export function recordFigure(f: Figure): void {
  const dir = figuresDir();
  if (dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${f.area}.jsonl`), `${JSON.stringify(f)}\n`);
}
