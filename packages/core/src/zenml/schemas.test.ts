import { IntegrityError } from '../errors.js';
import {
  artifactStoreId,
  artifactVersionTags,
  ArtifactVersionResponseSchema,
  modelVersionTags,
  ModelVersionResponseSchema,
  PageSchema,
  parseResponse,
  PipelineRunResponseSchema,
  runInProgress,
  runMetadata,
  ServerModelSchema,
  OAuthTokenResponseSchema,
} from './schemas.js';
import { entity, ids, info, page, realBody } from './__fixtures__/fake.js';

const tag = (name: string) => entity('8455e984-9761-41b6-b17c-f06bfb96f6da', name, { color: 'yellow', tagged_count: 1 });

describe('tolerant response schemas', () => {
  it('accept the real 0.60 info and token bodies, unknown fields included', () => {
    expect(parseResponse(ServerModelSchema, info('0.60.0'), 'info')).toMatchObject({ version: '0.60.0', use_legacy_dashboard: false });
    expect(parseResponse(OAuthTokenResponseSchema, realBody('10-login-api-key.json'), 'login').expires_in).toBeNull();
  });

  it('accept unknown enum values (new stages, statuses, deployment types)', () => {
    expect(parseResponse(ServerModelSchema, info('0.99.0', { deployment_type: 'quantum' }), 'info').deployment_type).toBe('quantum');
    const run = parseResponse(PipelineRunResponseSchema, entity('r', 'run-1', { status: 'hibernating', project_id: ids.project }), 'run');
    expect(runInProgress(run)).toBe(true);
    const done = parseResponse(PipelineRunResponseSchema, entity('r', 'run-1', { status: 'hibernating', in_progress: false }), 'run');
    expect(runInProgress(done)).toBe(false);
    expect(runInProgress(parseResponse(PipelineRunResponseSchema, entity('r', 'n', { status: 'completed' }), 'run'))).toBe(false);
  });

  it('read tags from resources (0.90+) or body (0.80–0.8x)', () => {
    const newer = entity('mv', '3', { number: 3, stage: null }, { resources: { tags: [tag('prod-candidate')] } });
    const older = entity('mv', '3', { number: 3, stage: 'staging', tags: [tag('legacy')] });
    expect(modelVersionTags(parseResponse(ModelVersionResponseSchema, newer, 'mv'))).toEqual(['prod-candidate']);
    expect(modelVersionTags(parseResponse(ModelVersionResponseSchema, older, 'mv'))).toEqual(['legacy']);
  });

  it('read artifact_store_id from body or metadata, and numbers as version strings', () => {
    const base = { artifact: { id: 'a', name: 'model' }, uri: 's3://b/m', type: 'ModelArtifact' };
    const inBody = entity('av', null, { ...base, version: '4', artifact_store_id: ids.store }, { resources: { tags: [tag('x')] } });
    const inMeta = entity('av', null, { ...base, version: 4 }, { metadata: { artifact_store_id: ids.store } });
    const a = parseResponse(ArtifactVersionResponseSchema, inBody, 'av');
    const b = parseResponse(ArtifactVersionResponseSchema, inMeta, 'av');
    expect([artifactStoreId(a), artifactStoreId(b)]).toEqual([ids.store, ids.store]);
    expect(b.body?.version).toBe('4');
    expect(artifactVersionTags(a)).toEqual(['x']);
  });

  it('flatten run metadata, including pre-0.80 per-key envelopes', () => {
    const mv = parseResponse(
      ModelVersionResponseSchema,
      entity('mv', '1', { number: 1 }, { metadata: { run_metadata: { accuracy: 0.93, old: { id: 'm', body: { key: 'old', value: 'v', type: 'str' } }, cfg: { a: 1 } } } }),
      'mv',
    );
    expect(runMetadata(mv)).toEqual({ accuracy: 0.93, old: 'v', cfg: { a: 1 } });
  });

  it('accept permission-denied entities with null parts', () => {
    const hidden = { id: 'x', name: null, permission_denied: true, body: null, metadata: null, resources: null };
    expect(parseResponse(ModelVersionResponseSchema, hidden, 'mv').body).toBeNull();
  });

  it('fail with one line naming the path, never the body', () => {
    const secretish = 'very-secret-looking-value-123';
    const bad = page([entity('mv', '1', { number: secretish })]);
    let err: unknown;
    try {
      parseResponse(PageSchema(ModelVersionResponseSchema), bad, 'GET /api/v1/model_versions');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IntegrityError);
    const msg = (err as Error).message;
    expect(msg).toContain('GET /api/v1/model_versions');
    expect(msg).toContain('items[0].body.number');
    expect(msg).not.toContain(secretish);
    expect(msg).not.toMatch(/\n/);
  });
});
