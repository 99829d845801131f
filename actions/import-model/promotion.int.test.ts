import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ZenmlClient, resetTokenCache } from '@mlops-actions/core';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { leakSurfaces, runBundle, secretForms, type BundleRun } from '../../test/harness/run-bundle.js';
import { defaultArtifactStore, seedTrainedModel, type TrainedModel } from '../../test/harness/trained-model.js';

const GITHUB_ENV = {
  GITHUB_ACTOR: 'release-bot',
  GITHUB_REPOSITORY: 'acme/fraud-models',
  GITHUB_RUN_ID: '4242',
  GITHUB_SHA: 'feedfacecafebeef0000000000000000deadbeef',
  GITHUB_SERVER_URL: 'https://github.com',
};

function errorLines(run: BundleRun): string[] {
  return run.visibleStdout.split('\n').filter((l) => l.startsWith('::error::'));
}

function expectOk(run: BundleRun): void {
  expect({ errors: errorLines(run), stderr: run.stderr.slice(0, 500), code: run.code }).toEqual({ errors: [], stderr: '', code: 0 });
}

function expectNoLeak(run: BundleRun, secrets: string[]): void {
  for (const [surface, text] of Object.entries(leakSurfaces(run))) {
    for (const s of secrets) for (const form of secretForms(s)) expect({ surface, leaked: text.includes(form) }).toEqual({ surface, leaked: false });
  }
}

/** relative path → sha256 of every file under dir. */
function digestsUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('export-model → import-model, two servers, file:// exchange, bundled actions', () => {
  let dev: TestServer;
  let prod: TestServer;
  let trained: TrainedModel;
  let exchangeDir: string;

  beforeAll(async () => {
    dev = await startTestServer({ name: 'dev-staging' });
    prod = await startTestServer({ name: 'production', mode: 'pro' });
    trained = seedTrainedModel(dev);
    exchangeDir = mkdtempSync(join(tmpdir(), 'exchange-'));
  });
  afterAll(async () => {
    await dev.close();
    await prod.close();
    rmSync(exchangeDir, { recursive: true, force: true });
  });

  const exportInputs = (): Record<string, string> => ({
    'server-url': dev.url,
    'api-key': dev.apiKey,
    model: trained.model,
    version: 'staging',
    exchange: `file://${exchangeDir}`,
  });

  it('moves a trained model version into production with every byte, metric and lineage fact, and a re-import changes nothing', async () => {
    const exp = await runBundle('export-model', exportInputs(), { env: GITHUB_ENV });
    expectOk(exp);
    expect(exp.outputs['bundle-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(exp.outputs['artifact-count']).toBe('2');
    expect(exp.outputs['model-version-id']).toBe(trained.modelVersionId);
    const manifestUri = exp.outputs['manifest-uri'] as string;
    expect(manifestUri).toBe(`file://${exchangeDir}/${trained.model}/${exp.outputs['bundle-digest']?.slice(7)}/manifest.json`);
    expect(exp.summary).toContain('```mermaid');
    expect(exp.summary).toContain('| accuracy | 0.931 |');
    expectNoLeak(exp, [dev.apiKey, ...exp.masked]);

    // Exporting the same version again: same bundle, nothing rewritten.
    const again = await runBundle('export-model', exportInputs(), { env: GITHUB_ENV });
    expectOk(again);
    expect(again.outputs['bundle-digest']).toBe(exp.outputs['bundle-digest']);
    expect(again.summary).toContain('nothing rewritten');

    const imp = await runBundle('import-model', { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: manifestUri, stage: 'production' }, { env: GITHUB_ENV });
    expectOk(imp);
    expect(imp.outputs.created).toBe('true');
    expect(imp.outputs.stage).toBe('production');
    expectNoLeak(imp, [prod.apiKey, ...imp.masked]);
    expect(imp.summary).toContain('```mermaid');

    // What production now holds, read back through its REST API.
    resetTokenCache();
    const client = new ZenmlClient({ serverUrl: prod.url, apiKey: prod.apiKey });
    const mvId = imp.outputs['model-version-id'] as string;
    const { data: mv } = await client.api.GET('/api/v1/model_versions/{model_version_id}', { params: { path: { model_version_id: mvId } } });
    const md = (mv?.metadata?.run_metadata ?? {}) as Record<string, unknown>;
    expect(mv?.body?.stage).toBe('production');
    expect(md.accuracy).toBe(0.931);
    expect(md.source_model_version_id).toBe(trained.modelVersionId);
    expect(md.source_git_commit).toBe(trained.gitCommit);
    expect(md.source_pipeline_run_id).toBe(trained.runId);
    expect(md.bundle_digest).toBe(exp.outputs['bundle-digest']);
    const chain = md.promotion_chain as { actor?: string; to?: { modelVersionId?: string } }[];
    expect(chain.at(-1)?.actor).toBe('release-bot');
    expect(chain.at(-1)?.to?.modelVersionId).toBe(mvId);

    // Every artifact byte-identical in production's artifact store, registered with its original materializer.
    const { data: avs } = await client.api.GET('/api/v1/artifact_versions', {
      params: { query: { project: 'default', model_version_id: mvId, hydrate: true } },
    });
    const byName = new Map((avs?.items ?? []).map((av) => [av.body?.artifact?.name as string, av]));
    expect([...byName.keys()].sort()).toEqual(['sklearn_classifier', 'training_features']);
    const clf = byName.get('sklearn_classifier');
    expect(JSON.stringify(clf?.body?.materializer)).toContain('SklearnMaterializer');
    expect(clf?.body?.uri?.startsWith(defaultArtifactStore(prod).path)).toBe(true);
    expect(digestsUnder(clf?.body?.uri as string)).toEqual(trained.files.sklearn_classifier);
    const features = byName.get('training_features');
    expect(createHash('sha256').update(readFileSync(features?.body?.uri as string)).digest('hex')).toBe(trained.files.training_features?.['features.csv']);

    // The same import again: the version made from this bundle is found; nothing is created.
    prod.requests.length = 0;
    const reimp = await runBundle('import-model', { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: manifestUri, stage: 'production' }, { env: GITHUB_ENV });
    expectOk(reimp);
    expect(reimp.outputs.created).toBe('false');
    expect(reimp.outputs['model-version-id']).toBe(mvId);
    const writes = prod.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login');
    expect(writes.filter((r) => r.path === '/api/v1/model_versions' || r.path === '/api/v1/artifact_versions')).toEqual([]);
  });

  it('refuses a tampered bundle with one line and registers nothing', async () => {
    const exp = await runBundle('export-model', exportInputs(), { env: GITHUB_ENV });
    expectOk(exp);
    const manifestPath = (exp.outputs['manifest-uri'] as string).replace('file://', '');
    const bundleDir = join(manifestPath, '..');
    const other = await startTestServer({ name: 'production-2', mode: 'pro' });
    try {
      const target = join(bundleDir, 'artifacts', 'sklearn_classifier', 'model.pkl');
      const original = readFileSync(target);
      const { writeFileSync } = await import('node:fs');
      const tampered = Buffer.from(original);
      tampered[0] = (tampered[0] ?? 0) ^ 0xff;
      writeFileSync(target, tampered);
      try {
        const imp = await runBundle('import-model', { 'server-url': other.url, 'api-key': other.apiKey, manifest: exp.outputs['manifest-uri'] as string });
        expect(imp.code).toBe(1);
        expect(errorLines(imp)).toHaveLength(1);
        expect(errorLines(imp)[0]).toMatch(/model\.pkl/);
        expect(other.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login')).toEqual([]);
      } finally {
        writeFileSync(target, original);
      }
    } finally {
      await other.close();
    }
  });

  it('dry runs write nothing on either side', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'exchange-dry-'));
    try {
      const exp = await runBundle('export-model', { ...exportInputs(), exchange: `file://${fresh}`, 'dry-run': 'true' });
      expectOk(exp);
      expect(readdirSync(fresh)).toEqual([]);
      expect(exp.summary).toContain('dry run');
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
