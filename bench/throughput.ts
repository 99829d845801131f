/**
 * Throughput and memory: export + import of a generated model through a file:// exchange, the
 * bundled actions as child processes, side by side with `cp` of the same bytes in the same run.
 * Every timed copy starts with its source read once and then evicted from the page cache (see cache.ts), and the
 * actions fsync what they write before publishing it, so `cp` is timed both bare and followed by
 * `sync` of its copy (the like-for-like comparison).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { parseFileCommand, repoRoot } from '../test/harness/run-bundle.js';
import { defaultArtifactStore } from '../test/harness/trained-model.js';
import { primeAndEvict } from './cache.js';
import { measure, type Measured } from './measure.js';

const MiB = 1024 * 1024;

export interface ThroughputRow {
  mib: number;
  /** How many runs each median is of. */
  runs: number;
  /** MiB/s */
  cp: number;
  cpSync: number;
  /** cp + fsync of the exchange file import reads (its like-for-like). */
  cpSyncImp: number;
  exp: number;
  imp: number;
  expRss: number;
  impRss: number;
  /** MiB/s of the transfer alone (see transferRate): no start-up or API calls. */
  expCopy: number;
  impCopy: number;
  /** ms of `node -e 0` (median of 3): what any Node process pays before its first byte. */
  nodeMs: number;
  /** Page-cache state of the sources when each copy started. */
  cache: string;
  /**
   * Each action against `cp` + fsync of its own source timed next to it in the same run (export:
   * the model file; import: the exchange file): `median` is the overall ratio (total cp time over
   * total action time, over an even number of runs alternating which goes first), min and max the
   * range of the per-run ratios.
   */
  ratios?: Record<'expCopy' | 'impCopy' | 'exp' | 'imp', { median: number; min: number; max: number }>;
}

/** Writes `mib` MiB of incompressible bytes without holding more than one chunk in memory. */
function generate(path: string, mib: number): void {
  const chunk = randomBytes(4 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < mib * MiB; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, mib * MiB - written));
  } finally {
    closeSync(fd);
  }
}

function seed(server: TestServer, mib: number): string {
  const store = defaultArtifactStore(server);
  const dir = join(store.path, 'bench', `model-${mib}`);
  mkdirSync(dir, { recursive: true });
  generate(join(dir, 'model.bin'), mib);
  server.seed.model({ name: `bench-${mib}` });
  const mv = server.seed.modelVersion({ model: `bench-${mib}`, stage: 'staging', runMetadata: { accuracy: 0.9 } });
  const av = server.seed.artifactVersion({ name: 'model', uri: dir, type: 'ModelArtifact', artifactStoreId: store.id });
  server.seed.link(mv, av);
  return join(dir, 'model.bin');
}

export function actionEnv(inputs: Record<string, string>, dir: string, output: string): NodeJS.ProcessEnv {
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, RUNNER_TEMP: dir, GITHUB_OUTPUT: output };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

const rate = (bytes: number, m: Measured): number => bytes / MiB / (m.ms / 1000);

/**
 * MiB/s of the transfer itself, from the actions' own closing progress line ("… — done in 83 ms" or
 * "… in 1.37 s"): from the first byte read to the last file fsynced and published, with no
 * process start-up or API calls in it.
 */
export function transferRate(bytes: number, stdout: string): number {
  const m = /Copying[^\n]*done in ([\d.]+) (ms|s)\b/.exec(stdout);
  if (!m) return NaN;
  const seconds = Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  return bytes / MiB / Math.max(seconds, 0.001);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function once(mib: number, work: string, rep: number): Promise<ThroughputRow> {
  const dev = await startTestServer({ name: 'dev-staging' });
  const prod = await startTestServer({ name: 'production', mode: 'pro' });
  const bytes = mib * MiB;
  const states = new Set<string>();
  // Every copy gets a destination never used before in the run (a reused name meets blocks the
  // filesystem has just discarded), and every source is read once, then evicted, before each copy.
  let n = 0;
  const cpTo = async (from: string, sync: boolean): Promise<Measured> => {
    states.add(primeAndEvict(from, bytes));
    const to = join(work, `cp-${rep}-${n++}.bin`);
    const m = sync ? await measure('sh', ['-c', 'cp "$0" "$1" && sync "$1"', from, to], process.env) : await measure('cp', [from, to], process.env);
    rmSync(to);
    return m;
  };
  // cp before the action in even runs and after it in odd ones, so neither gains from going first.
  const pair = async (from: string, action: () => Promise<Measured>): Promise<[Measured, Measured]> => {
    if (rep % 2 === 0) {
      const c = await cpTo(from, true);
      states.add(primeAndEvict(from, bytes));
      return [c, await action()];
    }
    states.add(primeAndEvict(from, bytes));
    const a = await action();
    return [await cpTo(from, true), a];
  };
  try {
    const src = seed(dev, mib);
    const cp = await cpTo(src, false);

    const bare: number[] = [];
    for (let i = 0; i < 3; i++) bare.push((await measure(process.execPath, ['-e', '0'], { PATH: process.env.PATH })).ms);

    const exchange = join(work, `exchange-${rep}`);
    mkdirSync(exchange);
    const [cpSync, exp] = await pair(src, () =>
      measure(
        process.execPath,
        [join(repoRoot, 'dist', 'export-model', 'index.js')],
        actionEnv({ 'server-url': dev.url, 'api-key': dev.apiKey, model: `bench-${mib}`, exchange: `file://${exchange}` }, work, join(work, 'export.out')),
      ),
    );
    if (exp.code !== 0) throw new Error(`export failed: ${exp.stdout.slice(-2000)}`);
    const manifest = parseFileCommand(readFileSync(join(work, 'export.out'), 'utf8'))['manifest-uri'] ?? '';
    const bundled = join(manifest.replace(/^file:\/\//, '').replace(/manifest\.json$/, ''), 'artifacts', 'model', 'model.bin');
    // Import reads the exchange file, so cp of that file is timed too: on this kind of VM two
    // files of the same bytes can copy at different speeds (seen: 504 against 1226 MiB/s).
    const [cpSyncImp, imp] = await pair(bundled, () =>
      measure(
        process.execPath,
        [join(repoRoot, 'dist', 'import-model', 'index.js')],
        actionEnv({ 'server-url': prod.url, 'api-key': prod.apiKey, manifest, stage: 'production' }, work, join(work, 'import.out')),
      ),
    );
    if (imp.code !== 0) throw new Error(`import failed: ${imp.stdout.slice(-2000)}`);
    rmSync(exchange, { recursive: true, force: true });
    return {
      mib,
      runs: 1,
      cp: rate(bytes, cp),
      cpSync: rate(bytes, cpSync),
      cpSyncImp: rate(bytes, cpSyncImp),
      exp: rate(bytes, exp),
      imp: rate(bytes, imp),
      expRss: exp.peakRss / MiB,
      impRss: imp.peakRss / MiB,
      expCopy: transferRate(bytes, exp.stdout),
      impCopy: transferRate(bytes, imp.stdout),
      nodeMs: median(bare),
      cache: [...states].join('/'),
    };
  } finally {
    await dev.close();
    await prod.close();
  }
}

/**
 * `reps` runs (even, so that cp and the action go first equally often): each rate is a median on
 * its own (the rows need not come from the same run), each ratio is over all the runs' time (see
 * `ratios`). Every run is logged as it ends.
 */
export async function benchThroughput(mib: number, reps: number, log: (line: string) => void = () => undefined): Promise<ThroughputRow> {
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const runs: ThroughputRow[] = [];
    for (let i = 0; i < reps; i++) {
      const r = await once(mib, work, i);
      runs.push(r);
      log(
        `  run ${i + 1}/${reps}: export ${r.expCopy.toFixed(0)} MiB/s against cp + fsync ${r.cpSync.toFixed(0)}; ` +
          `import ${r.impCopy.toFixed(0)} MiB/s against ${r.cpSyncImp.toFixed(0)} (transfers)`,
      );
    }
    const m = (k: keyof Omit<ThroughputRow, 'mib' | 'runs' | 'cache' | 'ratios'>): number => median(runs.map((r) => r[k]));
    // Whichever of cp and the action goes second in a run finds the disk slower (the first one's
    // writes are still being flushed under this VM): runs alternate the order, so with an even
    // count the overall ratio is total cp time over total action time, each order weighing alike.
    const paired = (action: (r: ThroughputRow) => number, cp: (r: ThroughputRow) => number): { median: number; min: number; max: number } => {
      const xs = runs.map((r) => action(r) / cp(r));
      const time = (rate: number): number => 1 / rate;
      const overall = runs.reduce((n, r) => n + time(cp(r)), 0) / runs.reduce((n, r) => n + time(action(r)), 0);
      return { median: overall, min: Math.min(...xs), max: Math.max(...xs) };
    };
    return {
      mib,
      runs: reps,
      cp: m('cp'),
      cpSync: m('cpSync'),
      cpSyncImp: m('cpSyncImp'),
      exp: m('exp'),
      imp: m('imp'),
      expRss: Math.max(...runs.map((r) => r.expRss)),
      impRss: Math.max(...runs.map((r) => r.impRss)),
      expCopy: m('expCopy'),
      impCopy: m('impCopy'),
      nodeMs: m('nodeMs'),
      cache: [...new Set(runs.map((r) => r.cache))].join('/'),
      ratios: {
        expCopy: paired((r) => r.expCopy, (r) => r.cpSync),
        impCopy: paired((r) => r.impCopy, (r) => r.cpSyncImp),
        exp: paired((r) => r.exp, (r) => r.cpSync),
        imp: paired((r) => r.imp, (r) => r.cpSyncImp),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
