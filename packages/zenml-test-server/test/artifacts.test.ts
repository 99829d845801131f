/** Artifact versions, model-version links, run metadata and downloads (API.md §4, §5). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from '../src/index.js';
import { call, client, contractCheck, defaultProjectId, startServer } from './support.js';

const MATERIALIZER = 'zenml.artifacts.preexisting_data_materializer.PreexistingDataMaterializer';

function registerBody(project: string, extra: Record<string, unknown> = {}) {
  return {
    project,
    artifact_name: 'model',
    type: 'ModelArtifact',
    uri: 's3://bucket/model/1',
    materializer: MATERIALIZER,
    data_type: { module: 'pathlib', attribute: 'Path', type: 'builtin' },
    save_type: 'preexisting',
    has_custom_name: true,
    ...extra,
  };
}

describe('artifact versions', () => {
  test('register a preexisting URI: versions, sources, metadata, 409 on a duplicate version', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const store = s.seed.stack({ name: 'remote', artifactStoreFlavor: 's3', artifactStorePath: 's3://bucket' });
    const res = await c.post('/api/v1/artifact_versions', registerBody(project, { artifact_store_id: store.artifactStoreId, metadata: { f1: 0.9 }, tags: ['t'] }));
    expect(res.status).toBe(200);
    expect(res.body.name).toBeUndefined(); // no top-level name
    expect(res.body).toMatchObject({
      body: {
        artifact: { name: 'model' },
        version: '1',
        uri: 's3://bucket/model/1',
        type: 'ModelArtifact',
        save_type: 'preexisting',
        artifact_store_id: store.artifactStoreId,
        materializer: { module: 'zenml.artifacts.preexisting_data_materializer', attribute: 'PreexistingDataMaterializer', type: 'unknown' },
        data_type: { module: 'pathlib', attribute: 'Path', type: 'builtin' },
      },
      metadata: { run_metadata: { f1: 0.9 } },
      resources: { tags: [expect.objectContaining({ name: 't' })] },
    });
    const second = await c.post('/api/v1/artifact_versions', registerBody(project, { uri: 's3://bucket/model/2' }));
    expect(second.body.body.version).toBe('2');
    const named = await c.post('/api/v1/artifact_versions', registerBody(project, { version: 'v-final' }));
    expect(named.body.body.version).toBe('v-final');
    const dup = await c.post('/api/v1/artifact_versions', registerBody(project, { version: 2 }));
    expect(dup.status).toBe(409);
    expect(dup.body.detail[0]).toBe('EntityExistsError');
  });

  test('request validation: exactly one of artifact_name/artifact_id, required fields, enums', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const both = await c.post('/api/v1/artifact_versions', registerBody(project, { artifact_id: '00000000-0000-0000-0000-000000000000' }));
    expect(both.status).toBe(422);
    const { artifact_name: _n, ...none } = registerBody(project);
    void _n;
    expect((await c.post('/api/v1/artifact_versions', none)).status).toBe(422);
    const { uri: _u, ...noUri } = registerBody(project);
    void _u;
    expect((await c.post('/api/v1/artifact_versions', noUri)).status).toBe(422);
    expect((await c.post('/api/v1/artifact_versions', registerBody(project, { save_type: 'copy' }))).status).toBe(422);
    expect((await c.post('/api/v1/artifact_versions', registerBody(project, { type: 'Model' }))).status).toBe(422);
    const unknownArtifact = await c.post('/api/v1/artifact_versions', { ...none, artifact_id: '00000000-0000-0000-0000-000000000000' });
    expect(unknownArtifact.status).toBe(404);
    const notJson = await call(s, 'POST', '/api/v1/artifact_versions', { token: c.token, headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(422);
  });

  test('batch create returns an array in request order', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const res = await c.post('/api/v1/artifact_versions/batch', [
      registerBody(project, { artifact_name: 'a', uri: '/a' }),
      registerBody(project, { artifact_name: 'b', uri: '/b', type: 'DataArtifact' }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.map((v: { body: { uri: string } }) => v.body.uri)).toEqual(['/a', '/b']);
    const bad = await c.post('/api/v1/artifact_versions/batch', [registerBody(project, { artifact_name: 'c' }), { project }]);
    expect(bad.status).toBe(422);
    expect((await c.get('/api/v1/artifacts?name=c')).body.total).toBe(0); // nothing created
  });

  test('list filters: model_version_id, artifact, type, sort', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    const common = { materializer: MATERIALIZER, dataType: 'pathlib.Path' };
    const weights = s.seed.artifactVersion({ name: 'weights', uri: '/w1', type: 'ModelArtifact', ...common });
    const weights2 = s.seed.artifactVersion({ name: 'weights', uri: '/w2', type: 'ModelArtifact', ...common });
    const data = s.seed.artifactVersion({ name: 'dataset', uri: '/d', type: 'DataArtifact', ...common });
    s.seed.artifactVersion({ name: 'unlinked', uri: '/u', type: 'ModelArtifact', ...common });
    s.seed.link(mv, weights);
    s.seed.link(mv, weights2);
    s.seed.link(mv, data);

    const linked = await c.get(`/api/v1/artifact_versions?project=default&model_version_id=${mv}`);
    expect(linked.body.total).toBe(3);
    const newestModel = await c.get(`/api/v1/artifact_versions?project=default&model_version_id=${mv}&type=ModelArtifact&sort_by=desc:created&size=1`);
    expect(newestModel.body.items.map((v: { id: string }) => v.id)).toEqual([weights2]);
    const byArtifact = await c.get(`/api/v1/artifact_versions?project=default&model_version_id=${mv}&artifact=dataset`);
    expect(byArtifact.body.items.map((v: { id: string }) => v.id)).toEqual([data]);
    expect((await c.get('/api/v1/artifact_versions?project=default&artifact=weights&version=2')).body.items[0].id).toBe(weights2);
    expect((await c.get('/api/v1/artifact_versions?project=default&model=m')).body.total).toBe(3);
    expect((await c.get('/api/v1/artifact_versions?model_version_id=nope')).status).toBe(422);
    expect((await c.get('/api/v1/artifacts?project=default')).body.total).toBe(3);
  });
});

describe('model version links', () => {
  test('POST /model_version_artifacts is idempotent; list by model_version_id', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    const av = s.seed.artifactVersion({ name: 'w', uri: '/w', type: 'ModelArtifact', materializer: MATERIALIZER, dataType: 'pathlib.Path' });
    const first = await c.post('/api/v1/model_version_artifacts', { model_version: mv, artifact_version: av });
    expect(first.status).toBe(200);
    expect(first.body.body).toMatchObject({ model_version: mv, artifact_version: { id: av } });
    const again = await c.post('/api/v1/model_version_artifacts', { model_version: mv, artifact_version: av });
    expect(again.body.id).toBe(first.body.id);
    const list = await c.get(`/api/v1/model_version_artifacts?model_version_id=${mv}`);
    expect(list.body.total).toBe(1);
    expect((await c.get(`/api/v1/model_version_artifacts?model_version_id=${mv}&only_data_artifacts=true`)).body.total).toBe(0);
    expect((await c.get(`/api/v1/model_version_artifacts?model_version_id=${mv}&only_model_artifacts=true`)).body.total).toBe(1);
    const unknown = await c.post('/api/v1/model_version_artifacts', { model_version: mv, artifact_version: '00000000-0000-0000-0000-000000000000' });
    expect(unknown.status).toBe(404);
  });

  test('model_version_pipeline_runs: seeded links, POST, list filters', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    s.seed.pipeline({ name: 'train' });
    const run = s.seed.pipelineRun({ pipeline: 'train', status: 'completed', modelVersion: mv, gitCommit: 'abc123' });
    const run2 = s.seed.pipelineRun({ pipeline: 'train', status: 'failed' });
    const list = await c.get(`/api/v1/model_version_pipeline_runs?model_version_id=${mv}`);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].body.pipeline_run).toMatchObject({ id: run, body: { status: 'completed', in_progress: false } });
    const created = await c.post('/api/v1/model_version_pipeline_runs', { model_version: mv, pipeline_run: run2 });
    expect(created.status).toBe(200);
    expect((await c.get(`/api/v1/model_version_pipeline_runs?model_version_id=${mv}`)).body.total).toBe(2);
    const runRes = await c.get(`/api/v1/runs/${run}`);
    expect(runRes.body.resources.code_reference.body.commit).toBe('abc123');
  });
});

describe('run metadata', () => {
  test('types per key, 404 for unknown resources, response null, latest value wins', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    const resources = [{ id: mv, type: 'model_version' }];

    const ok = await c.post('/api/v1/run-metadata', { project, resources, values: { accuracy: 0.9, ds: 's3://x' }, types: { accuracy: 'float', ds: 'Uri' } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('null');
    expect(ok.body).toBeNull();

    const missingType = await c.post('/api/v1/run-metadata', { project, resources, values: { a: 1, b: 2 }, types: { a: 'int' } });
    expect(missingType.status).toBe(422);
    expect(Array.isArray(missingType.body)).toBe(true);
    const badType = await c.post('/api/v1/run-metadata', { project, resources, values: { a: 1 }, types: { a: 'integer' } });
    expect(badType.status).toBe(422);
    const unknown = await c.post('/api/v1/run-metadata', {
      project,
      resources: [{ id: '00000000-0000-0000-0000-000000000000', type: 'model_version' }],
      values: { a: 1 },
      types: { a: 'int' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail[0]).toBe('KeyError');
    expect((await c.post('/api/v1/run-metadata', { resources, values: { a: 1 }, types: { a: 'int' } })).status).toBe(422);

    await c.post('/api/v1/run-metadata', { project, resources, values: { accuracy: 0.95 }, types: { accuracy: 'float' } });
    const mvRes = await c.get(`/api/v1/model_versions/${mv}`);
    expect(mvRes.body.metadata.run_metadata).toEqual({ accuracy: 0.95, ds: 's3://x' });
    const listed = await c.get('/api/v1/model_versions?model=m');
    expect(listed.body.items[0].metadata).toBeNull();
  });

  test('several targets at once, including a pipeline run and an artifact version', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.pipeline({ name: 'p' });
    const run = s.seed.pipelineRun({ pipeline: 'p' });
    const av = s.seed.artifactVersion({ name: 'a', uri: '/a', type: 'DataArtifact', materializer: MATERIALIZER, dataType: 'pathlib.Path' });
    const res = await c.post('/api/v1/run-metadata?project_name_or_id=default', {
      project: defaultProjectId(s),
      resources: [
        { id: run, type: 'pipeline_run' },
        { id: av, type: 'artifact_version' },
      ],
      values: { rows: 10 },
      types: { rows: 'int' },
    });
    expect(res.status).toBe(200);
    expect((await c.get(`/api/v1/runs/${run}`)).body.metadata.run_metadata).toEqual({ rows: 10 });
    expect((await c.get(`/api/v1/artifact_versions/${av}`)).body.metadata.run_metadata).toEqual({ rows: 10 });
  });
});

describe('artifact download', () => {
  test('download-token is a JSON string; /data?token= returns a tar.gz of the files under uri without Bearer', async () => {
    const s = await startServer();
    const c = await client(s);
    const stacks = await c.get('/api/v1/components?type=artifact_store&name=default');
    const storeId = stacks.body.items[0].id as string;
    const component = await c.get(`/api/v1/components/${storeId}`);
    const root = component.body.metadata.configuration.path as string;
    const dir = join(root, 'model', 'v1');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'model.pkl'), 'weights');
    writeFileSync(join(dir, 'sub', 'config.json'), '{"a":1}');
    const av = s.seed.artifactVersion({ name: 'clf', uri: dir, type: 'ModelArtifact', materializer: MATERIALIZER, dataType: 'pathlib.Path', artifactStoreId: storeId });

    const tok = await c.get(`/api/v1/artifact_versions/${av}/download-token`);
    expect(tok.status).toBe(200);
    expect(typeof tok.body).toBe('string');

    const data = await fetch(`${s.url}/api/v1/artifact_versions/${av}/data?token=${encodeURIComponent(tok.body)}`);
    expect(data.status).toBe(200);
    expect(data.headers.get('content-type')).toBe('application/gzip');
    expect(data.headers.get('content-disposition')).toContain('clf-1.tar.gz');
    const entries = readTar(gunzipSync(Buffer.from(await data.arrayBuffer())));
    const files = Object.fromEntries(entries.filter((e) => e.type === 'file').map((e) => [e.name, e.data.toString()]));
    expect(files).toEqual({ 'model.pkl': 'weights', 'sub/config.json': '{"a":1}' });

    const wrong = await fetch(`${s.url}/api/v1/artifact_versions/${av}/data?token=garbage`);
    expect(wrong.status).toBe(401);
    // the log never keeps the token
    expect(s.requests.find((r) => r.path.endsWith('/data'))?.query).toEqual({ token: '<redacted>' });

    const noStore = s.seed.artifactVersion({ name: 'x', uri: '/nowhere', type: 'DataArtifact', materializer: MATERIALIZER, dataType: 'pathlib.Path' });
    expect((await c.get(`/api/v1/artifact_versions/${noStore}/download-token`)).status).toBe(400);
  });
});

contractCheck();
