/**
 * Races between bundled actions started at once against one ZenML test server. A barrier on the
 * server holds the first request of each run at the contested step until both have arrived, so
 * the runs truly overlap there instead of merely starting together.
 *
 * - Two promotions of different versions to the same stage: exactly one wins; the other fails
 *   with one compare-and-swap line and changes nothing of the winner's.
 * - Two imports of the same bundle: both exit 0 (the later one finds the version the first
 *   created and completes it: `created: false`), and exactly one model version — with one
 *   artifact version per artifact — exists afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../harness/run-bundle.js';
import { seedTrainedModel } from '../harness/trained-model.js';
import { recordFigure } from './figures.js';
import { barrier } from './races-barrier.js';
import { registrySnapshot } from './state.js';

const errorLines = (r: BundleRun): string[] => r.visibleStdout.split('\n').filter((l) => l.startsWith('::error::'));
const isStagePut = (r: { method: string; path: string }): boolean => r.method === 'PUT' && r.path.startsWith('/api/v1/model_versions/');

describe('two promotions of different versions to the same stage at once', () => {
  const ROUNDS = 8;
  // Half the rounds name the holder both expect (compare-and-swap), half force.
  const variant = (round: number): Record<string, string> => (round % 2 === 0 ? { 'expected-current-version': '1' } : { force: 'true' });

  async function round(i: number): Promise<{ ok: boolean; problems: string[] }> {
    const zen = await startTestServer({ name: `production-race-${i}` });
    try {
      zen.seed.model({ name: 'clf' });
      const v1 = zen.seed.modelVersion({ model: 'clf', stage: 'production' });
      const v2 = zen.seed.modelVersion({ model: 'clf', stage: 'staging' });
      const v3 = zen.seed.modelVersion({ model: 'clf' });
      // Both runs have read the holder and passed their checks before either writes: their first
      // PUTs (archiving v1) are held until both have been sent.
      const meet = barrier(zen, isStagePut, 2);
      const base = { 'server-url': zen.url, 'api-key': zen.apiKey, model: 'clf', 'to-stage': 'production', ...variant(i) };
      const runs = await Promise.all([runBundle('promote', { ...base, version: '2' }), runBundle('promote', { ...base, version: '3' })]);
      meet.remove();
      const problems: string[] = [];
      const winners = runs.filter((r) => r.code === 0);
      const losers = runs.filter((r) => r.code !== 0);
      if (meet.met() !== 2) problems.push(`the runs did not overlap (${meet.met()} held)`);
      if (winners.length !== 1 || losers.length !== 1) problems.push(`exit codes ${runs.map((r) => r.code).join(', ')}`);
      const winner = winners[0];
      const loser = losers[0];
      if (winner && loser) {
        const holder = [...zen.store.modelVersions.values()].filter((mv) => mv.stage === 'production').map((mv) => mv.id);
        if (JSON.stringify(holder) !== JSON.stringify([winner.outputs['model-version-id']])) problems.push(`production held by ${holder.join(',')}`);
        const lines = errorLines(loser);
        if (lines.length !== 1 || !/compare-and-swap/.test(lines[0] ?? '')) problems.push(`loser said: ${lines.join(' | ')}`);
        const loserId = winner.outputs['model-version-id'] === v2 ? v3 : v2;
        const loserStage = zen.store.modelVersions.get(loserId)?.stage ?? null;
        if (loserStage !== (loserId === v2 ? 'staging' : null)) problems.push(`the losing version moved to ${loserStage}`);
        if (zen.store.modelVersions.get(v1)?.stage !== 'archived') problems.push('v1 is not archived');
        // The loser's promotion is over: nothing may resume it later.
        const marker = zen.store.latestMetadata('model_version', loserId).promotion_pending;
        if (marker !== undefined && JSON.stringify(marker) !== '{}') problems.push(`the losing version keeps a pending promotion ${JSON.stringify(marker)}`);
      }
      return { ok: problems.length === 0, problems };
    } finally {
      await zen.close();
    }
  }

  it(`exactly one wins, the other fails with one compare-and-swap line (${ROUNDS} rounds)`, async () => {
    // Two rounds at a time: four node processes on a two-core runner.
    const results: { ok: boolean; problems: string[] }[] = [];
    for (let i = 0; i < ROUNDS; i += 2) results.push(...(await Promise.all([round(i), round(i + 1)])));
    const passed = results.filter((r) => r.ok).length;
    recordFigure({ area: 'races', what: 'promote: two versions to one stage at once', tried: ROUNDS, passed, detail: 'expected-current-version and force rounds alternate' });
    expect(results.flatMap((r, i) => r.problems.map((p) => `round ${i}: ${p}`))).toEqual([]);
  }, 60_000);
});

describe('two imports of the same bundle at once', () => {
  let dev: TestServer;
  let exchangeDir: string;
  let manifestUri: string;

  beforeAll(async () => {
    dev = await startTestServer({ name: 'dev-staging' });
    const trained = seedTrainedModel(dev, { modelBytes: 64 * 1024 });
    exchangeDir = mkdtempSync(join(tmpdir(), 'race-exchange-'));
    const exp = await runBundle('export-model', { 'server-url': dev.url, 'api-key': dev.apiKey, model: trained.model, exchange: `file://${exchangeDir}` });
    expect(exp.code).toBe(0);
    manifestUri = exp.outputs['manifest-uri'] as string;
  });
  afterAll(async () => {
    await dev?.close();
    rmSync(exchangeDir, { recursive: true, force: true });
  });

  // Where the two runs are made to meet: the version lookup before create, and the artifact
  // lookups before registering (each run sends two at once).
  const meetings: { what: string; match: (r: { method: string; path: string }) => boolean; count: number }[] = [
    { what: 'version lookup', match: (r) => r.method === 'GET' && r.path === '/api/v1/model_versions', count: 2 },
    { what: 'artifact lookups', match: (r) => r.method === 'GET' && r.path === '/api/v1/artifact_versions', count: 4 },
  ];

  it.each(meetings)('meeting at the $what: both exit 0 and one model version exists, with one artifact version per artifact', async ({ what, match, count }) => {
    const prod = await startTestServer({ name: 'production', mode: 'pro' });
    try {
      const meet = barrier(prod, match, count);
      const inputs = { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: manifestUri, stage: 'production' };
      const runs = await Promise.all([runBundle('import-model', inputs), runBundle('import-model', inputs)]);
      meet.remove();
      const state = registrySnapshot(prod);
      const ok =
        runs.every((r) => r.code === 0 && errorLines(r).length === 0) &&
        state.versions.length === 1 &&
        state.versions[0]?.stage === 'production' &&
        state.artifactVersions.length === 2 &&
        runs[0]?.outputs['model-version-id'] === runs[1]?.outputs['model-version-id'];
      recordFigure({ area: 'races', what: `import-model: one bundle imported twice at once (meeting at the ${what})`, tried: 1, passed: ok ? 1 : 0 });
      expect(meet.met()).toBe(count);
      expect(runs.map((r) => ({ code: r.code, errors: errorLines(r) }))).toEqual([
        { code: 0, errors: [] },
        { code: 0, errors: [] },
      ]);
      expect(runs.map((r) => r.outputs.created).sort()).toEqual(['false', 'true']);
      expect(runs[0]?.outputs['model-version-id']).toBe(runs[1]?.outputs['model-version-id']);
      expect(state.versions.map((v) => ({ number: v.number, stage: v.stage, artifacts: v.artifacts }))).toEqual([
        { number: 1, stage: 'production', artifacts: ['av:sklearn_classifier:1', 'av:training_features:1'] },
      ]);
      expect(state.artifactVersions.map((a) => `${String(a.artifact)}:${String(a.version)}`)).toEqual(['sklearn_classifier:1', 'training_features:1']);
    } finally {
      await prod.close();
    }
  }, 30_000);
});
