/**
 * Crash consistency (issue 7): export-model and import-model are SIGKILLed at each step boundary
 * — when the k-th request of interest reaches the ZenML server, or the k-th file appears in the
 * exchange or artifact store — and then re-run. The re-run must complete, and the end state must
 * equal an uninterrupted run's: no duplicate model versions or artifact versions, no bundle
 * without its files, no stray stage change; files compared byte for byte (manifests normalised).
 * Right after each kill, a manifest in the exchange must already mean a complete bundle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../harness/run-bundle.js';
import { defaultArtifactStore, seedTrainedModel } from '../harness/trained-model.js';
import { mutating, runAndKill, watchNewFiles, type KillAt } from './crash-points.js';
import { recordFigure } from './figures.js';
import { registrySnapshot, treeSnapshot } from './state.js';

const MODEL_BYTES = 48 * 1024;
const errorLines = (r: BundleRun): string[] => r.visibleStdout.split('\n').filter((l) => l.startsWith('::error::'));

interface Point {
  label: string;
  /** Builds a fresh world and returns where to kill in it. */
  at: (w: CrashWorld) => KillAt;
}

interface CrashWorld {
  inputs: Record<string, string>;
  server: TestServer;
  /** The directory the action writes files into. */
  dir: string;
  /** The end state, normalised. */
  snapshot(run: BundleRun): unknown;
  /** Problems visible right after a kill (before any re-run). */
  afterKill(): string[];
  close(): Promise<void>;
}

/** Runs the points three at a time; each gets a fresh world. */
async function tryPoints(points: Point[], make: () => Promise<CrashWorld>, action: string, reference: unknown) {
  const results: Result[] = [];
  const queue = [...points];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const w = await make();
        try {
          const { killed } = await runAndKill(action, w.inputs, p.at(w));
          const problems = w.afterKill();
          const rerun = await runBundle(action, w.inputs);
          if (rerun.code !== 0) problems.push(`re-run exit ${rerun.code}: ${errorLines(rerun).join(' | ') || rerun.stderr.slice(0, 300)}`);
          const state = w.snapshot(rerun) as { files?: { partials: string[] } };
          const { partials, ...rest } = splitPartials(state);
          if (JSON.stringify(rest) !== JSON.stringify(reference)) problems.push(`end state differs: ${JSON.stringify(rest).slice(0, 1500)}`);
          results.push({ label: p.label, killed, problems, partials });
        } finally {
          await w.close();
        }
      }
    }),
  );
  return results;
}

interface Result {
  label: string;
  killed: boolean;
  problems: string[];
  /** Partial-write temp files left where the action writes. */
  partials: string[];
}

/** Temp files of writes cut off by the kill are litter, not content: listed apart. */
function splitPartials(state: unknown): { partials: string[] } & Record<string, unknown> {
  const s = state as Record<string, { files: Record<string, string>; partials: string[] } | unknown>;
  const partials: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v && typeof v === 'object' && 'partials' in v && 'files' in v) {
      partials.push(...(v as { partials: string[] }).partials);
      out[k] = (v as { files: unknown }).files;
    } else out[k] = v;
  }
  return { ...out, partials };
}

describe('crash consistency: SIGKILL at each step boundary, then a re-run', () => {
  let source: TestServer;
  let bundleDir: string;
  let manifestUri: string;

  beforeAll(async () => {
    source = await startTestServer({ name: 'dev-staging' });
    const trained = seedTrainedModel(source, { modelBytes: MODEL_BYTES });
    bundleDir = mkdtempSync(join(tmpdir(), 'crash-bundle-'));
    const exp = await runBundle('export-model', { 'server-url': source.url, 'api-key': source.apiKey, model: trained.model, exchange: `file://${bundleDir}` });
    expect({ code: exp.code, errors: errorLines(exp), stderr: exp.stderr.slice(0, 300) }).toEqual({ code: 0, errors: [], stderr: '' });
    manifestUri = exp.outputs['manifest-uri'] as string;
  });
  afterAll(async () => {
    await source?.close();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it('import-model: killed at every mutating request and every file copied, a re-run ends as an uninterrupted run', async () => {
    const make = async (): Promise<CrashWorld> => {
      const prod = await startTestServer({ name: 'production', mode: 'pro' });
      const store = defaultArtifactStore(prod).path;
      return {
        server: prod,
        dir: store,
        inputs: { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: manifestUri, stage: 'production' },
        snapshot: (run) => ({
          registry: registrySnapshot(prod),
          store: treeSnapshot(store),
          output: { stage: run.outputs.stage, theOnlyVersion: [...prod.store.modelVersions.keys()].join() === run.outputs['model-version-id'] },
        }),
        afterKill: () => {
          // Never two versions, even before the re-run; never a stage on an unfinished version.
          const versions = [...prod.store.modelVersions.values()];
          const problems = versions.length > 1 ? [`${versions.length} model versions after the kill`] : [];
          const staged = versions.filter((v) => v.stage !== null && !prod.store.runMetadata.some((e) => e.resourceId === v.id && e.key === 'bundle_digest'));
          if (staged.length) problems.push('a version took the stage before its bundle digest was written');
          return problems;
        },
        close: () => prod.close(),
      };
    };

    // The uninterrupted run: its end state, and how many kill points it has.
    const clean = await make();
    let files = 0;
    const watcher = watchNewFiles(clean.dir, (n) => (files = n));
    const run = await runBundle('import-model', clean.inputs);
    watcher.close();
    expect(errorLines(run)).toEqual([]);
    const reference = splitPartials(clean.snapshot(run));
    const writes = clean.server.requests.filter(mutating).map((r) => `${r.method} ${r.route ?? r.path}`);
    await clean.close();
    expect(reference.partials).toEqual([]);
    expect(writes.length).toBeGreaterThan(5);
    expect(files).toBe(4);
    const { partials: _p, ...ref } = reference;
    void _p;

    // One point per step boundary: the first request of each kind of write (requests of one kind
    // are sent together: registering the artifacts, linking them), both metadata writes (the
    // digest right after the create, then the rest), and the first and a middle file of the copy.
    const boundaries = writes
      .map((w, i) => ({ w, nth: i + 1 }))
      .filter(({ w, nth }) => w === 'POST /api/v1/run-metadata' || writes.indexOf(w) === nth - 1);
    const points: Point[] = [
      ...boundaries.map(({ w, nth }) => ({ label: `request ${nth} (${w})`, at: (cw: CrashWorld): KillAt => ({ server: cw.server, filter: mutating, nth }) })),
      ...[1, Math.ceil(files / 2) + 1].map((n) => ({ label: `file ${n} of ${files} in the artifact store`, at: (cw: CrashWorld): KillAt => ({ dir: cw.dir, nth: n }) })),
    ];
    const results = await tryPoints(points, make, 'import-model', ref);
    report('import-model', results);
  }, 90_000);

  it('export-model: killed at requests and at every file written to the exchange, a re-run ends as an uninterrupted run', async () => {
    // One source server for every point (it is only read), a fresh exchange each time.
    const make = async (): Promise<CrashWorld> => {
      const exchange = mkdtempSync(join(tmpdir(), 'crash-exchange-'));
      return {
        server: source,
        dir: exchange,
        inputs: { 'server-url': source.url, 'api-key': source.apiKey, model: 'readmission-clf', exchange: `file://${exchange}` },
        snapshot: (r) => ({ exchange: treeSnapshot(exchange), outputs: { digest: r.outputs['bundle-digest'], manifest: r.outputs['manifest-uri']?.replace(exchange, '<exchange>') } }),
        afterKill: () => {
          // A manifest in the exchange means the bundle is complete: every file it lists is there.
          const now = treeSnapshot(exchange).files;
          const problems: string[] = [];
          for (const key of Object.keys(now).filter((k) => k.endsWith('/manifest.json'))) {
            const dir = key.slice(0, -'manifest.json'.length);
            const wanted = Object.keys(bundleFiles).map((f) => dir + f);
            const missing = wanted.filter((f) => now[f] !== bundleFiles[f.slice(dir.length)]);
            if (missing.length) problems.push(`manifest present but ${missing.join(', ')} missing or different`);
          }
          return problems;
        },
        close: async () => rmSync(exchange, { recursive: true, force: true }),
      };
    };
    // The bundle's files (relative to its folder), from the export beforeAll made.
    const all = treeSnapshot(bundleDir).files;
    const bundleFiles: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) bundleFiles[k.split('/').slice(2).join('/')] = v;

    const clean = await make();
    let files = 0;
    const watcher = watchNewFiles(clean.dir, (n) => (files = n));
    // Requests are counted on the shared source server, so the points run one at a time.
    source.requests.length = 0;
    const run = await runBundle('export-model', clean.inputs);
    watcher.close();
    expect(errorLines(run)).toEqual([]);
    const requests = source.requests.map((r) => `${r.method} ${r.route ?? r.path}`);
    const reference = splitPartials(clean.snapshot(run));
    await clean.close();
    expect(reference.partials).toEqual([]);
    expect(files).toBeGreaterThanOrEqual(5);
    const { partials: _p, ...ref } = reference;
    void _p;

    // Reads only before the first write: the first request and the last one are enough to show
    // a kill there leaves nothing behind; the writes are every file.
    const any = (): boolean => true;
    const requestPoints: Point[] = [1, requests.length].map((n) => ({ label: `request ${n} (${requests[n - 1]})`, at: (): KillAt => ({ server: source, filter: any, nth: n }) }));
    // Every other file: staging copies, their moves into the bundle, and the manifest (the last).
    const nths = [...new Set([...Array.from({ length: Math.ceil(files / 2) }, (_, i) => 2 * i + 1), files])];
    const filePoints: Point[] = nths.map((n) => ({ label: `file ${n} of ${files} in the exchange`, at: (cw: CrashWorld): KillAt => ({ dir: cw.dir, nth: n }) }));
    const results = [];
    for (const p of requestPoints) results.push(...(await tryPoints([p], make, 'export-model', ref)));
    results.push(...(await tryPoints(filePoints, make, 'export-model', ref)));
    report('export-model', results);
  }, 90_000);
});

describe('crash consistency: promote', () => {
  it('killed at every write of a compare-and-swap promotion, a re-run with the same inputs finishes it', async () => {
    const make = async (): Promise<CrashWorld & { ids: string[] }> => {
      const zen = await startTestServer({ name: 'production' });
      zen.seed.model({ name: 'clf' });
      const ids = [zen.seed.modelVersion({ model: 'clf', stage: 'production' }), zen.seed.modelVersion({ model: 'clf', stage: 'staging' })];
      const md = (id: string | undefined): Record<string, unknown> => (id ? zen.store.latestMetadata('model_version', id) : {});
      return {
        ids,
        server: zen,
        dir: '',
        inputs: { 'server-url': zen.url, 'api-key': zen.apiKey, model: 'clf', version: '2', 'to-stage': 'production', 'expected-current-version': '1' },
        snapshot: (r) => {
          const history = md(ids[1]).promotion_history as { previousHolder?: { version?: string } }[] | undefined;
          return {
            stages: ids.map((id) => zen.store.modelVersions.get(id)?.stage ?? null),
            events: (history ?? []).map((e) => e.previousHolder?.version ?? null),
            pending: JSON.stringify(md(ids[1]).promotion_pending ?? {}),
            outputs: [r.outputs['model-version-id'] === ids[1], r.outputs['previous-version-id'] === ids[0]],
          };
        },
        afterKill: () => [],
        close: () => zen.close(),
      };
    };
    const clean = await make();
    const run = await runBundle('promote', clean.inputs);
    expect(errorLines(run)).toEqual([]);
    const writes = clean.server.requests.filter(mutating).map((r) => `${r.method} ${r.route ?? r.path}`);
    const reference = clean.snapshot(run);
    await clean.close();
    expect(reference).toEqual({ stages: ['archived', 'production'], events: ['1'], pending: '{}', outputs: [true, true] });

    const points: Point[] = writes.map((w, i) => ({ label: `request ${i + 1} (${w})`, at: (cw: CrashWorld): KillAt => ({ server: cw.server, filter: mutating, nth: i + 1 }) }));
    const results = await tryPoints(points, make, 'promote', reference);
    report('promote', results);
  }, 60_000);
});

function report(action: string, results: Result[]): void {
  const consistent = results.filter((r) => r.problems.length === 0);
  const litter = results.flatMap((r) => r.partials.map((p) => `${r.label}: ${p}`));
  recordFigure({
    area: 'crash',
    what: `${action}: SIGKILL at a step boundary, then a re-run`,
    tried: results.length,
    passed: consistent.length,
    detail:
      `${results.filter((r) => r.killed).length} of ${results.length} kills landed before the run ended by itself; ` +
      `${litter.length} partial-write temp file(s) left behind after the re-run${litter.length ? `, e.g. ${litter.slice(0, 3).join(', ')}` : ''}`,
  });
  expect(results.filter((r) => r.problems.length).map((r) => `${r.label}: ${r.problems.join('; ')}`)).toEqual([]);
  // The re-run clears what the killed run was writing: no temp file is left where artifacts live.
  expect(litter).toEqual([]);
  // Most kills must land mid-run, or the points prove little.
  expect(results.filter((r) => r.killed).length).toBeGreaterThanOrEqual(Math.ceil(results.length / 2));
}
