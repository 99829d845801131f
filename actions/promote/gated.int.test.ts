import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../../test/harness/run-bundle.js';
import { seedTrainedModel } from '../../test/harness/trained-model.js';

const errors = (run: BundleRun): string[] =>
  run.visibleStdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice(9));
const md = (s: TestServer, id: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const e of s.store.runMetadata) if (e.resourceId === id) out[e.key] = e.value;
  return out;
};

describe('promote on a policy, bundled', () => {
  let zen: TestServer;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    zen = await startTestServer();
    zen.seed.model({ name: 'clf' });
    ids.v1 = zen.seed.modelVersion({ model: 'clf', stage: 'production', runMetadata: { accuracy: 0.91 } });
    ids.v2 = zen.seed.modelVersion({ model: 'clf', stage: 'staging', runMetadata: { accuracy: 0.93 } });
    ids.v3 = zen.seed.modelVersion({ model: 'clf', runMetadata: { accuracy: 0.85 } });
  });
  afterAll(async () => zen.close());
  const base = () => ({ 'server-url': zen.url, 'api-key': zen.apiKey, model: 'clf', 'to-stage': 'production', thresholds: 'accuracy>=0.9' });

  it('refuses a candidate that fails the gate, changing no stage, and records why on it', async () => {
    const run = await runBundle('promote', { ...base(), version: '3', force: 'true' });
    expect(run.code).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(/gate did not pass/);
    expect(zen.store.modelVersions.get(ids.v1 as string)?.stage).toBe('production');
    expect(md(zen, ids.v3 as string).gate_passed).toBe(false);
    expect(run.summary).toContain('❌');
  });

  it('promotes a candidate that passes, with the gate report recorded and shown', async () => {
    const run = await runBundle('promote', { ...base(), 'from-stage': 'staging', 'expected-current-version': '1' });
    expect(errors(run)).toEqual([]);
    expect(run.outputs['model-version-id']).toBe(ids.v2);
    expect(md(zen, ids.v2 as string).gate_passed).toBe(true);
    expect(run.summary).toContain('✅');
    expect(run.summary).toContain('Promote clf v2 → production');
  });
});

describe('promote across servers in one step, bundled', () => {
  it('exports from dev-staging, gates, imports into production and sets the stage', async () => {
    const [dev, prod] = await Promise.all([startTestServer({ name: 'dev-staging' }), startTestServer({ name: 'production', mode: 'pro' })]);
    const exchange = mkdtempSync(join(tmpdir(), 'xchg-'));
    try {
      const trained = seedTrainedModel(dev);
      const inputs = {
        'server-url': prod.url,
        'api-key': prod.apiKey,
        'source-server-url': dev.url,
        'source-api-key': dev.apiKey,
        model: trained.model,
        version: 'staging',
        'to-stage': 'production',
        exchange: `file://${exchange}`,
      };
      const rejected = await runBundle('promote', { ...inputs, thresholds: 'accuracy>=0.99' });
      expect(rejected.code).toBe(1);
      expect(prod.store.modelVersions.size).toBe(0);

      const run = await runBundle('promote', { ...inputs, thresholds: 'accuracy>=0.9, f1>=0.85' });
      expect(errors(run)).toEqual([]);
      const mv = prod.store.modelVersions.get(run.outputs['model-version-id'] as string);
      expect(mv?.stage).toBe('production');
      expect(md(prod, mv?.id as string).source_git_commit).toBe(trained.gitCommit);
      expect(run.summary).toContain('exchange');
    } finally {
      await Promise.all([dev.close(), prod.close()]);
      rmSync(exchange, { recursive: true, force: true });
    }
  });
});
