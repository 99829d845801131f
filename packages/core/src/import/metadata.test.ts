import { MANIFEST_KIND, type Manifest } from '../manifest/index.js';
import { buildVersionMetadata, missingMetadata, promotionChainWithDestination } from './metadata.js';

const m = (over: Partial<Manifest> = {}): Manifest => ({
  schemaVersion: 1,
  kind: MANIFEST_KIND,
  bundleDigest: `sha256:${'a'.repeat(64)}`,
  model: { name: 'churn', versionName: '3', versionNumber: 3, stage: 'staging', description: null, tags: [] },
  source: {
    serverUrl: 'https://dev',
    serverId: 's',
    serverVersion: '0.97.0',
    project: 'p',
    projectId: '00000000-0000-4000-8000-000000000002',
    modelId: '00000000-0000-4000-8000-000000000003',
    modelVersionId: '00000000-0000-4000-8000-000000000004',
    trainingDate: '2025-01-01T00:00:00Z',
  },
  metrics: { accuracy: 1, loss: 0.25 },
  metadata: {},
  artifacts: [],
  promotionChain: [{ from: { serverUrl: 'https://dev', project: 'p', model: 'churn', version: '3', modelVersionId: 'x' }, at: 't' }],
  exportedAt: 'e',
  exportedBy: { tool: 'mlops-actions', version: '0' },
  ...over,
});
const to = { serverUrl: 'https://prod', project: 'default', model: 'churn', versionName: '1', modelVersionId: 'mv' };
const run = { at: '2025-01-03T00:00:00Z', actor: 'bot' };

describe('version metadata', () => {
  it('types every key, keeps colliding source keys under source_shadowed_metadata, drops nulls, omits absent optional facts', () => {
    const md = buildVersionMetadata(
      m({ metadata: { bundle_digest: 'sha256:earlier-hop', imported_at: 'earlier', note: 'x', gone: null, cfg: { a: 1 }, list: [1] } }),
      to,
      run,
    );
    expect(md.values).toMatchObject({
      accuracy: 1,
      loss: 0.25,
      note: 'x',
      bundle_digest: `sha256:${'a'.repeat(64)}`,
      imported_at: run.at,
      imported_by: 'bot',
      source_shadowed_metadata: { bundle_digest: 'sha256:earlier-hop', imported_at: 'earlier' },
    });
    expect(md.types).toMatchObject({ accuracy: 'int', loss: 'float', note: 'str', cfg: 'dict', list: 'list', promotion_chain: 'list', source_model_version_number: 'int' });
    expect(Object.keys(md.types).sort()).toEqual(Object.keys(md.values).sort());
    expect(md.shadowed).toEqual(['bundle_digest', 'imported_at']);
    expect(md.dropped).toEqual(['gone']);
    expect(md.values).not.toHaveProperty('source_git_commit');
    expect(md.values).not.toHaveProperty('source_pipeline_run_id');
  });

  it('fills in this hop, and on a re-run writes only what is missing or different (never per-run facts again)', () => {
    expect(promotionChainWithDestination(m(), to)[0]).toMatchObject({ to: { version: '1', modelVersionId: 'mv' }, bundleDigest: `sha256:${'a'.repeat(64)}` });
    const desired = buildVersionMetadata(m(), to, run);
    const current = { ...desired.values, imported_at: 'an earlier run', imported_by: 'someone else', accuracy: 0.5 };
    delete (current as Record<string, unknown>)['loss'];
    expect(missingMetadata(current, desired)).toEqual({ values: { accuracy: 1, loss: 0.25 }, types: { accuracy: 'int', loss: 'float' } });
    expect(missingMetadata(JSON.parse(JSON.stringify(desired.values)), desired).values).toEqual({});
  });
});
