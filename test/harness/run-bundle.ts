import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordFigure } from '../reliability/figures.js';
import { assertNoLeaks, findLeaks, scanTree, secretFormsByName, type Leak, type Secret } from '../reliability/scan.js';

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
  /** The secrets this run was scanned for (labels only: safe to print). */
  secretsScanned: string[];
}

export interface RunBundleOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /**
   * Secrets in play that are neither a secret input nor a secret env variable, e.g. tokens a
   * peer issued. Every run is scanned for them too.
   */
  secrets?: string[];
  /**
   * Only for the scanner's own self-test: return the leaks instead of throwing. Every other
   * caller gets a loud failure on the first leaking run.
   */
  onLeaks?: (leaks: Leak[]) => void;
  /** The scanner's self-test plants a leak on purpose: the run is not counted in the figure. */
  plantedLeak?: boolean;
}

/** Inputs whose values are credentials: api-key, champion-api-key, source-api-key, github-token… */
const SECRET_INPUT = /(^|-)(api-key|token|secret|password)$/i;
/** Env variables whose values are credentials: ZENML_STORE_API_KEY, GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN… */
const SECRET_ENV = /(^|_)(API_KEY|TOKEN|SECRET|PASSWORD|ACCESS_KEY|PRIVATE_KEY)$/i;

/** A secret of a run; `maskedAtLine` only for values the run alone declared secret (`::add-mask::` on that stdout line). */
export interface RunSecret extends Secret {
  maskedAtLine?: number;
}

/** Per test file (jest gives each its own module registry): how many runs were scanned, how many leaked. */
const tally = { runs: 0, leaking: 0, secrets: 0 };

/**
 * Runs a bundled action the way the runner does: `node dist/<name>/index.js` with `INPUT_*`
 * variables and the GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files. Every run is then
 * scanned for the secrets in play (see `scanRun`); a leak fails the run's caller loudly.
 */
export async function runBundle(name: string, inputs: Record<string, string>, opts: RunBundleOptions = {}): Promise<BundleRun> {
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
  const maskLine = /^::add-mask::(.*)$/;
  const lines = stdout.split('\n');
  const masked: string[] = [];
  const maskedAt: number[] = [];
  lines.forEach((l, i) => {
    const m = maskLine.exec(l)?.[1];
    if (m !== undefined) {
      masked.push(m);
      maskedAt.push(i);
    }
  });
  const secrets = secretsInPlay(inputs, env, masked, maskedAt, opts.secrets ?? []);
  const run: BundleRun = {
    code,
    stdout,
    stderr,
    outputs: parseFileCommand(raw.output),
    exportedEnv: parseFileCommand(raw.env),
    summary: raw.summary,
    rawFiles: raw,
    masked,
    visibleStdout: lines.filter((l) => !maskLine.test(l)).join('\n'),
    durationMs: Date.now() - started,
    secretsScanned: secrets.map((s) => s.label),
  };

  let leaks: Leak[];
  try {
    // The run folder is RUNNER_TEMP and the working directory: downloaded manifests, a gate
    // report written to a relative report-path, the manifest handed to upload-artifact.
    const own = new Set(Object.values(files));
    leaks = [
      ...scanRun(name, inputs, run, secrets),
      ...scanTree(dir, secrets, { skip: (p) => own.has(p) }).map((l) => ({ ...l, surface: `RUNNER_TEMP ${l.surface}` })),
      ...scanWrittenPlaces(inputs, env, secrets),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!opts.plantedLeak) {
    tally.runs += 1;
    tally.secrets += secrets.length;
    if (leaks.length) tally.leaking += 1;
  }
  if (opts.onLeaks) opts.onLeaks(leaks);
  else assertNoLeaks(leaks, `${name} (exit code ${String(code)})`);
  return run;
}

/**
 * The secrets of a run: every secret input and env variable, what the action itself masked at
 * run time (the access tokens it received), and what the caller adds.
 */
function secretsInPlay(inputs: Record<string, string>, env: Record<string, string>, masked: string[], maskedAt: number[], extra: string[]): RunSecret[] {
  const out: RunSecret[] = [];
  const seen = new Set<string>();
  const add = (label: string, value: string | undefined, maskedAtLine?: number): void => {
    const v = value?.trim();
    if (!v || seen.has(v)) return;
    seen.add(v);
    out.push(maskedAtLine === undefined ? { label, value: v } : { label, value: v, maskedAtLine });
  };
  for (const [k, v] of Object.entries(inputs)) if (SECRET_INPUT.test(k)) add(`input ${k}`, v);
  for (const [k, v] of Object.entries(env)) if (SECRET_ENV.test(k)) add(`env ${k}`, v);
  masked.forEach((m, i) => add(`value #${i + 1} the run masked`, m, maskedAt[i]));
  extra.forEach((s, i) => add(`caller's secret #${i + 1}`, s));
  return out;
}

/**
 * stdout (without the masking protocol lines), stderr, GITHUB_OUTPUT, GITHUB_ENV and the step
 * summary. The one documented exception: zenml-login with export-env (default true) writes the
 * key to GITHUB_ENV as ZENML_STORE_API_KEY, so that later steps need no login; that one entry,
 * holding exactly the api-key input, is not a leak. Anything else in GITHUB_ENV is.
 */
export function scanRun(name: string, inputs: Record<string, string>, run: BundleRun, secrets: readonly RunSecret[]): Leak[] {
  let envFile = run.rawFiles.env;
  const exportsKey = name === 'zenml-login' && !/^\s*false\s*$/i.test(inputs['export-env'] ?? '');
  if (exportsKey) {
    const key = run.exportedEnv.ZENML_STORE_API_KEY;
    const documented = key !== undefined && secrets.some((s) => s.value === key && (s.label === 'input api-key' || s.label === 'env ZENML_STORE_API_KEY'));
    if (documented) envFile = removeFileCommandEntry(envFile, 'ZENML_STORE_API_KEY');
  }
  // A value only the run itself declared secret (e.g. a signed URL's signature @actions/artifact
  // masks before it logs the URL) is hidden by the runner in every log line after its
  // `::add-mask::`; in the log it leaks only if printed before. Files are never masked.
  const declared = secrets.filter((s) => s.maskedAtLine === undefined);
  const leaks = findLeaks(
    { stdout: run.visibleStdout, stderr: run.stderr, GITHUB_OUTPUT: run.rawFiles.output, GITHUB_ENV: envFile, 'step summary': run.rawFiles.summary },
    declared,
  );
  const lines = run.stdout.split('\n');
  for (const s of secrets) {
    if (s.maskedAtLine === undefined) continue;
    const before = lines.slice(0, s.maskedAtLine).join('\n');
    leaks.push(...findLeaks({ 'stdout (before it was masked)': before, stderr: run.stderr, GITHUB_OUTPUT: run.rawFiles.output, GITHUB_ENV: envFile, 'step summary': run.rawFiles.summary }, [s]).filter((l) => l.form !== 'jwt-shaped token'));
  }
  return leaks;
}

/**
 * Places outside the run folder the action writes to and a user reads: the file:// exchange
 * (manifests, artifacts) and the workspace's gate report.
 */
function scanWrittenPlaces(inputs: Record<string, string>, env: Record<string, string>, secrets: readonly Secret[]): Leak[] {
  const leaks: Leak[] = [];
  const exchange = (inputs.exchange || env.MLOPS_EXCHANGE || '').trim();
  const exchangeDir = exchange.startsWith('file://') ? safeFilePath(exchange) : exchange.startsWith('/') ? exchange : undefined;
  if (exchangeDir) leaks.push(...scanTree(exchangeDir, secrets).map((l) => ({ ...l, surface: `exchange ${l.surface}` })));
  // gate-promotion writes its report relative to GITHUB_WORKSPACE (else the run folder, above).
  const workspace = env.GITHUB_WORKSPACE;
  if (workspace) {
    const report = resolve(workspace, inputs['report-path']?.trim() || 'gate-report.json');
    if (existsSync(report) && statSync(report).isFile()) {
      leaks.push(...findLeaks({ [`gate report ${relative(workspace, report)}`]: readFileSync(report, 'utf8') }, secrets));
    }
  }
  return leaks;
}

function safeFilePath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** GITHUB_ENV / GITHUB_OUTPUT text without the `name<<delimiter … delimiter` entry for `key`. */
function removeFileCommandEntry(text: string, key: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (m && m[1] === key) {
      while (i < lines.length && lines[i] !== m[2]) i++;
      continue;
    }
    out.push(lines[i] ?? '');
  }
  return out.join('\n');
}

/**
 * One figure per test file: the runs scanned there and how many leaked (a leaking run also
 * fails its test). The reliability table sums them into "0 leaks over N runs". Registered at
 * module load because jest only accepts hooks while it collects a file's tests; outside jest
 * (the demo) there is no figure.
 */
declare const afterAll: ((fn: () => void) => void) | undefined;
if (typeof afterAll === 'function') {
  afterAll(() => {
    if (tally.runs === 0) return;
    const testPath = (globalThis as { expect?: { getState(): { testPath?: string } } }).expect?.getState().testPath;
    recordFigure({
      area: 'secrets',
      what: `bundle runs scanned in ${testPath ? relative(repoRoot, testPath) : 'a test file'}`,
      tried: tally.runs,
      passed: tally.runs - tally.leaking,
      detail: `surfaces: stdout, stderr, GITHUB_OUTPUT, GITHUB_ENV, step summary, RUNNER_TEMP files, file:// exchange, gate report; forms: plain, base64 (whole and embedded), base64url, URL/form-encoded, JSON-escaped, JWT-shaped; ${tally.secrets} secret values in play`,
    });
  });
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
  return [...new Set(Object.values(secretFormsByName(secret)))];
}
