import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { manifestJsonSchema } from './json-schema.js';

const published = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'manifest.v1.json'), 'utf8')) as Record<string, unknown>;

describe('published manifest JSON Schema', () => {
  it('is what the zod schema generates (run npm run manifest-schema when it is not)', () => {
    expect(published).toEqual(manifestJsonSchema());
  });

  it('accepts a manifest and rejects an unknown schema version', () => {
    const validate = new Ajv2020({ strict: false }).compile(published);
    const sha = 'a'.repeat(64);
    const manifest = {
      schemaVersion: 1,
      kind: 'mlops-actions/model-bundle',
      bundleDigest: `sha256:${sha}`,
      model: { name: 'm', versionName: '1', versionNumber: 1, stage: null, description: null, tags: [] },
      source: {
        serverUrl: 'https://zenml.example.com',
        serverId: 'x',
        serverVersion: '0.97.0',
        project: 'p',
        projectId: '00000000-0000-4000-8000-000000000001',
        modelId: '00000000-0000-4000-8000-000000000002',
        modelVersionId: '00000000-0000-4000-8000-000000000003',
        trainingDate: '2026-11-25T00:00:00Z',
      },
      metrics: { accuracy: 0.9 },
      metadata: {},
      artifacts: [],
      promotionChain: [],
      exportedAt: '2026-11-25T00:00:00Z',
      exportedBy: { tool: 'mlops-actions', version: '0.1.0' },
    };
    expect(validate(manifest)).toBe(true);
    expect(validate({ ...manifest, schemaVersion: 2 })).toBe(false);
  });
});
