import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** Parsed from GITHUB_ENV. */
  exportedEnv: Record<string, string>;
  summary: string;
  /** Every file the runner would have seen, raw, for secret scans. */
  rawFiles: { output: string; env: string; summary: string };
  /** Values the action asked the runner to mask (`::add-mask::`), in order. */
  masked: string[];
  /** stdout without the `::add-mask::` protocol lines, i.e. what the runner shows in the log. */
  visibleStdout: string;
  durationMs: number;
}

/**
 * Runs a bundled action the way the runner does: `node dist/<name>/index.js` with `INPUT_*`
 * variables and the GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files.
 */
export async function runBundle(
  name: string,
  inputs: Record<string, string>,
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), `run-${name}-`));
  const files = { output: join(dir, 'output'), env: join(dir, 'env'), summary: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;

  const started = Date.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist', name, 'index.js')], { env, cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearTimeout(timer);
  const raw = {
    output: readFileSync(files.output, 'utf8'),
    env: readFileSync(files.env, 'utf8'),
    summary: readFileSync(files.summary, 'utf8'),
  };
  rmSync(dir, { recursive: true, force: true });
  const maskLine = /^::add-mask::(.*)$/;
  const lines = stdout.split('\n');
  return {
    code,
    stdout,
    stderr,
    outputs: parseFileCommand(raw.output),
    exportedEnv: parseFileCommand(raw.env),
    summary: raw.summary,
    rawFiles: raw,
    masked: lines.map((l) => maskLine.exec(l)?.[1]).filter((m): m is string => m !== undefined),
    visibleStdout: lines.filter((l) => !maskLine.test(l)).join('\n'),
    durationMs: Date.now() - started,
  };
}

/** Parses the `name<<delimiter … delimiter` format @actions/core writes to GITHUB_OUTPUT and GITHUB_ENV. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const [, key, delim] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
    out[key as string] = value.join('\n');
  }
  return out;
}

/** The places a secret must never appear (the masking protocol lines excepted). */
export function leakSurfaces(run: BundleRun): Record<string, string> {
  return {
    stdout: run.visibleStdout,
    stderr: run.stderr,
    outputs: run.rawFiles.output,
    summary: run.rawFiles.summary,
  };
}

/** The encodings in which a secret could leak. */
export function secretForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
}
