/**
 * Faults (issue 7): every scenario of the matrix (fault-matrix.ts) runs a committed bundle
 * against a fresh world with one fault in place. The action must either complete with the same
 * end state as a clean run, or exit non-zero with exactly one `::error::` line — and then a
 * plain re-run must complete to that same end state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { startTestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../harness/run-bundle.js';
import { seedTrainedModel } from '../harness/trained-model.js';
import { startGcsEmulator } from '../peers/gcs-emulator.js';
import { SCENARIOS, type FaultKind, type Scenario } from './fault-matrix.js';
import { endState, makeWorld, type ActionName, type Shared } from './faults-world.js';
import { recordFigure } from './figures.js';

const errorLines = (r: BundleRun): string[] => r.visibleStdout.split('\n').filter((l) => l.startsWith('::error::'));
const refKey = (action: ActionName, gs?: boolean): string => `${action}${gs ? ' gs' : ''}`;

interface Outcome {
  scenario: Scenario;
  /** 'survived': completed despite the fault; 'recovered': failed with one line, the re-run completed. */
  how: 'survived' | 'recovered' | 'broken';
  problems: string[];
  /** The one line a failed first run gave. */
  line?: string;
}

/** The first place two JSON values differ, for a readable failure. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 300)} ≠ clean ${JSON.stringify(b)?.slice(0, 300)}`;
}

describe('faults: each action completes, or fails with one line and a re-run completes', () => {
  let shared: Shared;
  let bundleDir: string;
  const reference = new Map<string, unknown>();
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const [gcs, bundleSource] = await Promise.all([startGcsEmulator(), startTestServer({ name: 'dev-staging' })]);
    stops.push(() => gcs.stop(), () => bundleSource.close());
    const trained = seedTrainedModel(bundleSource, { modelBytes: 48 * 1024 });
    bundleDir = mkdtempSync(join(tmpdir(), 'faults-bundle-'));
    const exp = await runBundle('export-model', { 'server-url': bundleSource.url, 'api-key': bundleSource.apiKey, model: trained.model, exchange: `file://${bundleDir}` });
    expect(errorLines(exp)).toEqual([]);
    shared = { manifestUri: exp.outputs['manifest-uri'] as string, bundleSource, gcs, storage: new Storage({ apiEndpoint: gcs.host, projectId: gcs.projectId }) };

    // The end state of a clean run, per action (and exchange kind), from worlds built the same way.
    const kinds = [...new Map(SCENARIOS.map((s) => [refKey(s.action, s.gs), s])).values()];
    await Promise.all(
      kinds.map(async (s) => {
        const w = await makeWorld(s.action, shared, { id: `reference-${s.action}`, gs: s.gs ?? false });
        try {
          const run = await runBundle(s.action, w.inputs, { env: w.env });
          expect({ action: s.action, errors: errorLines(run), code: run.code }).toEqual({ action: s.action, errors: [], code: 0 });
          reference.set(refKey(s.action, s.gs), await endState(w, shared, run));
        } finally {
          await w.close();
        }
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops) await stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  async function runScenario(s: Scenario, i: number): Promise<Outcome> {
    const w = await makeWorld(s.action, shared, { id: `s${i}`, gs: s.gs ?? false });
    const problems: string[] = [];
    try {
      const remove = s.inject(w, shared);
      const serverFault = w.zen.faults.pending() > 0;
      const first = await runBundle(s.action, w.inputs, { env: { ...w.env, ...(s.env ?? {}) } });
      // The fault must actually have hit, or the scenario proves nothing: every injected server
      // fault consumed, a token refused, an upload failed, or (a blocked path) the run failed.
      const hit = serverFault ? w.zen.faults.pending() === 0 : w.zen.requests.some((r) => r.status === 401) || (w.proxy?.failed() ?? 0) > 0 || first.code !== 0;
      if (!hit) problems.push('the fault never hit');
      let final = first;
      let how: Outcome['how'] = 'survived';
      let line: string | undefined;
      if (first.code !== 0) {
        how = 'recovered';
        const lines = errorLines(first);
        line = lines[0]?.slice('::error::'.length);
        if (lines.length !== 1) problems.push(`exit ${first.code} with ${lines.length} error lines: ${lines.join(' | ') || first.stderr.slice(0, 300)}`);
        w.zen.faults.clear();
        remove?.();
        w.proxy?.setFault(undefined);
        if (s.settleMs) await new Promise((r) => setTimeout(r, s.settleMs));
        final = await runBundle(s.action, w.inputs, { env: w.env });
        if (final.code !== 0) problems.push(`the re-run failed too: ${errorLines(final).join(' | ')}`);
      } else {
        remove?.();
      }
      const diff = firstDifference(await endState(w, shared, final), reference.get(refKey(s.action, s.gs)));
      if (diff) problems.push(`end state differs from a clean run's at ${diff}`);
      return { scenario: s, how: problems.length ? 'broken' : how, problems, ...(line ? { line } : {}) };
    } finally {
      await w.close();
    }
  }

  it(`the matrix: ${SCENARIOS.length} scenarios`, async () => {
    const outcomes: Outcome[] = [];
    // Three worlds at a time: each run is a node process; the runner has two cores.
    const queue = SCENARIOS.map((s, i) => [s, i] as const);
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await runScenario(...next));
      }),
    );

    const kinds = [...new Set(SCENARIOS.map((s) => s.kind))] as FaultKind[];
    for (const kind of kinds) {
      const of = outcomes.filter((o) => o.scenario.kind === kind);
      const ok = of.filter((o) => o.how !== 'broken');
      recordFigure({
        area: 'faults',
        what: kind,
        tried: of.length,
        passed: ok.length,
        detail: of
          .map((o) => `${o.scenario.action} ${o.scenario.where}: ${o.how === 'survived' ? 'completed' : o.how === 'recovered' ? `failed with "${(o.line ?? '').slice(0, 200)}", re-run completed` : 'BROKEN'}`)
          .join('; '),
      });
    }
    const report = outcomes.filter((o) => o.problems.length).map((o) => `${o.scenario.action} / ${o.scenario.kind} / ${o.scenario.where}: ${o.problems.join('; ')}`);
    expect(report).toEqual([]);
    expect(outcomes).toHaveLength(SCENARIOS.length);
  }, 120_000);
});
