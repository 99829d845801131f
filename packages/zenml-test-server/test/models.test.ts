/** Models and model versions (API.md §2, §3): envelopes, hydrate, paging, numbering, names, stages. */
import { call, client, contractCheck, defaultProjectId, startServer } from './support.js';

describe('models', () => {
  test('create, 409 on duplicate, get by UUID only, update tags', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const created = await c.post('/api/v1/models', { project, name: 'churn', tags: ['a'], description: 'desc' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: 'churn',
      permission_denied: false,
      body: { project_id: project },
      metadata: { description: 'desc', save_models_to_registry: true },
      resources: { latest_version_id: null, latest_version_name: null, tags: [expect.objectContaining({ name: 'a' })] },
    });
    const dup = await c.post('/api/v1/models', { project, name: 'churn' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ detail: ['EntityExistsError', 'Unable to create model churn: A model with this name already exists.'] });

    const id = created.body.id as string;
    expect((await c.get(`/api/v1/models/${id}`)).body.metadata).not.toBeNull();
    expect((await c.get(`/api/v1/models/${id}?hydrate=false`)).body.metadata).toBeNull();
    // Since 0.80 a name is not accepted where a UUID is expected: path validation, a bare 422 array.
    const byName = await c.get('/api/v1/models/churn');
    expect(byName.status).toBe(422);
    expect(Array.isArray(byName.body)).toBe(true);
    expect(byName.body[0]).toBe('ValueError');
    const missing = await c.get('/api/v1/models/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.detail[0]).toBe('KeyError');

    const upd = await c.put(`/api/v1/models/${id}`, { add_tags: ['b'], remove_tags: ['a'], license: 'MIT' });
    expect(upd.status).toBe(200);
    expect(upd.body.resources.tags.map((t: { name: string }) => t.name)).toEqual(['b']);
    expect(upd.body.metadata.license).toBe('MIT');
  });

  test('missing project in a create body is a 422; project_name_or_id overrides the body', async () => {
    const s = await startServer();
    const c = await client(s);
    const other = s.seed.project({ name: 'other' });
    const noProject = await c.post('/api/v1/models', { name: 'x' });
    expect(noProject.status).toBe(422);
    expect(noProject.body[0]).toBe('ValueError');
    const overridden = await c.post('/api/v1/models?project_name_or_id=other', { project: defaultProjectId(s), name: 'x' });
    expect(overridden.body.body.project_id).toBe(other);
  });

  test('list: project scope, name op syntax, tags filter, hydrate, paging and sorting', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.project({ name: 'prod' });
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) s.seed.model({ name, tags: name === 'beta' ? ['x'] : [] });
    s.seed.model({ project: 'prod', name: 'alpha' });

    const all = await c.get('/api/v1/models?project=default');
    expect(all.body).toMatchObject({ index: 1, max_size: 20, total_pages: 1, total: 4 });
    expect((await c.get('/api/v1/models?project=default&sort_by=name')).body.items[0].name).toBe('alpha');
    expect((await c.get('/api/v1/models?project=default&sort_by=sideways:name')).body.items[0].name).toBe('alpha'); // bad direction → asc
    expect(all.body.items.every((m: { metadata: unknown }) => m.metadata === null)).toBe(true); // lists don't hydrate
    expect((await c.get('/api/v1/models?project=default&hydrate=true')).body.items[0].metadata).not.toBeNull();
    // no project: the user's default project, then the server's `default`
    expect((await c.get('/api/v1/models')).body.total).toBe(4);
    expect((await c.get('/api/v1/models?project=prod')).body.total).toBe(1);

    expect((await c.get('/api/v1/models?project=default&name=alpha')).body.total).toBe(1);
    expect((await c.get('/api/v1/models?project=default&name=contains:ta')).body.items.map((m: { name: string }) => m.name).sort()).toEqual(['beta', 'delta']);
    expect((await c.get('/api/v1/models?project=default&name=startswith:g')).body.items[0].name).toBe('gamma');
    expect((await c.get('/api/v1/models?project=default&name=oneof:["alpha","gamma"]')).body.total).toBe(2);
    expect((await c.get('/api/v1/models?project=default&tags=x')).body.items.map((m: { name: string }) => m.name)).toEqual(['beta']);
    expect((await c.get('/api/v1/models?project=default&name=alpha&name=beta&logical_operator=or')).body.total).toBe(2);

    const p1 = await c.get('/api/v1/models?project=default&size=3&sort_by=asc:name');
    expect(p1.body).toMatchObject({ index: 1, max_size: 3, total_pages: 2, total: 4 });
    expect(p1.body.items.map((m: { name: string }) => m.name)).toEqual(['alpha', 'beta', 'delta']);
    const p2 = await c.get('/api/v1/models?project=default&size=3&page=2&sort_by=asc:name');
    expect(p2.body.items.map((m: { name: string }) => m.name)).toEqual(['gamma']);
    const newest = await c.get('/api/v1/models?project=default&sort_by=desc:created&size=1');
    expect(newest.body.items[0].name).toBe('delta');

    const beyond = await c.get('/api/v1/models?project=default&page=9');
    expect(beyond.status).toBe(400);
    expect(beyond.body.detail[0]).toBe('ValueError');
    const badSize = await c.get('/api/v1/models?size=0');
    expect(badSize.status).toBe(422);
    expect((await c.get('/api/v1/models?size=10001')).status).toBe(422);
    expect((await c.get('/api/v1/models?sort_by=desc:nonsense')).status).toBe(422);
    const empty = await c.get('/api/v1/models?project=default&name=zzz');
    expect(empty.body).toMatchObject({ index: 1, total_pages: 1, total: 0, items: [] });
    expect((await c.get('/api/v1/models?project=nope')).status).toBe(404);
    // seeds belong to the admin `default`; API creates to the caller
    await c.post('/api/v1/models', { project: defaultProjectId(s), name: 'mine' });
    expect((await c.get('/api/v1/models?user=default')).body.total).toBe(4);
    expect((await c.get('/api/v1/models?user=ci-bot')).body.items.map((m: { name: string }) => m.name)).toEqual(['mine']);
    const me = (await c.get('/api/v1/current-user')).body.id as string;
    expect((await c.get(`/api/v1/models?user=${me}`)).body.total).toBe(1);
  });
});

describe('model versions', () => {
  test('numbers are max+1, names default to the number, custom name rules', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const model = s.seed.model({ name: 'm' });
    const v1 = await c.post('/api/v1/model_versions', { project, model, description: 'first', tags: ['x'] });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ name: '1', body: { number: 1, stage: null, model: { id: model, name: 'm' } } });
    expect(v1.body.metadata).toEqual({ description: 'first', run_metadata: {} });
    expect(v1.body.resources.tags[0].name).toBe('x');
    const v2 = await c.post('/api/v1/model_versions', { project, model, name: 'rc-2' });
    expect(v2.body).toMatchObject({ name: 'rc-2', body: { number: 2 } });

    for (const bad of ['3', 'production', 'Latest', 'none']) {
      const res = await c.post('/api/v1/model_versions', { project, model, name: bad });
      expect(res.status).toBe(400);
      expect(res.body.detail[0]).toBe('ValueError');
    }
    const dup = await c.post('/api/v1/model_versions', { project, model, name: 'rc-2' });
    expect(dup.status).toBe(409);
    expect(dup.body.detail[0]).toBe('EntityExistsError');
    const v3 = await c.post('/api/v1/model_versions', { project, model });
    expect(v3.body).toMatchObject({ name: '3', body: { number: 3 } });
    const unknownModel = await c.post('/api/v1/model_versions', { project, model: '00000000-0000-0000-0000-000000000000' });
    expect(unknownModel.status).toBe(404);

    const m = await c.get(`/api/v1/models/${model}`);
    expect(m.body.resources).toMatchObject({ latest_version_name: '3', latest_version_id: v3.body.id });
  });

  test('listing needs a model scope; name and id both work; filters', async () => {
    const s = await startServer();
    const c = await client(s);
    const model = s.seed.model({ name: 'm' });
    s.seed.modelVersion({ model: 'm', runMetadata: { accuracy: 0.8 } });
    s.seed.modelVersion({ model: 'm', name: 'good', stage: 'staging', tags: ['blessed'], runMetadata: { accuracy: 0.95, dataset: 's3://d' } });
    s.seed.modelVersion({ model: 'm', stage: 'production' });

    const noScope = await c.get('/api/v1/model_versions?project=default');
    expect(noScope.status).toBe(400);
    expect(noScope.body).toEqual({ detail: ['ValueError', 'Model scope missing from the filter.'] });

    expect((await c.get('/api/v1/model_versions?model=m&project=default')).body.total).toBe(3);
    expect((await c.get(`/api/v1/model_versions?model=${model}`)).body.total).toBe(3);
    expect((await c.get('/api/v1/models/m/model_versions?project=default')).body.total).toBe(3);
    expect((await c.get(`/api/v1/models/${model}/model_versions`)).body.total).toBe(3);
    expect((await c.get('/api/v1/model_versions?model=unknown')).status).toBe(404);

    const latest = await c.get('/api/v1/model_versions?model=m&sort_by=desc:number&size=1');
    expect(latest.body.items[0].body.number).toBe(3);
    const prod = await c.get('/api/v1/model_versions?model=m&stage=production');
    expect(prod.body.items.map((v: { body: { number: number } }) => v.body.number)).toEqual([3]);
    expect((await c.get('/api/v1/model_versions?model=m&number=2')).body.items[0].name).toBe('good');
    expect((await c.get('/api/v1/model_versions?model=m&number=gte:2')).body.total).toBe(2);
    expect((await c.get('/api/v1/model_versions?model=m&name=good')).body.total).toBe(1);
    expect((await c.get('/api/v1/model_versions?model=m&tags=blessed')).body.items[0].name).toBe('good');
    expect((await c.get('/api/v1/model_versions?model=m&run_metadata=accuracy:gte:0.9')).body.items[0].name).toBe('good');
    expect((await c.get('/api/v1/model_versions?model=m&run_metadata=dataset:s3://d')).body.total).toBe(1);
    expect((await c.get('/api/v1/model_versions?model=m&number=abc')).status).toBe(422);

    const hydrated = await c.get('/api/v1/model_versions?model=m&name=good&hydrate=true');
    expect(hydrated.body.items[0].metadata.run_metadata).toEqual({ accuracy: 0.95, dataset: 's3://d' });
  });

  test('stage/force: an occupied stage is a 500 RuntimeError; force archives the holder', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const v1 = s.seed.modelVersion({ model: 'm', name: 'v1' });
    const v2 = s.seed.modelVersion({ model: 'm' });

    const promote = await c.put(`/api/v1/model_versions/${v1}`, { stage: 'production' });
    expect(promote.status).toBe(200);
    expect(promote.body.body.stage).toBe('production');
    expect(promote.body.metadata).not.toBeNull(); // PUT answers hydrated

    // Re-setting the stage a version already has is no conflict.
    expect((await c.put(`/api/v1/model_versions/${v1}`, { stage: 'production' })).status).toBe(200);

    const conflict = await c.put(`/api/v1/model_versions/${v2}`, { stage: 'production', force: false });
    expect(conflict.status).toBe(500);
    expect(conflict.body).toEqual({ detail: ['RuntimeError', 'Model version v1 is in production, but `force` flag is False.'] });
    expect((await c.get(`/api/v1/model_versions/${v2}`)).body.body.stage).toBeNull();

    const forced = await c.put(`/api/v1/model_versions/${v2}`, { stage: 'production', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.body.stage).toBe('production');
    expect((await c.get(`/api/v1/model_versions/${v1}`)).body.body.stage).toBe('archived');

    // archived is a stage like any other: a second archive needs force too.
    const v3 = s.seed.modelVersion({ model: 'm' });
    const archive = await c.put(`/api/v1/model_versions/${v3}`, { stage: 'archived' });
    expect(archive.status).toBe(500);
    expect(archive.body.detail[1]).toBe('Model version v1 is in archived, but `force` flag is False.');

    const unknownStage = await c.put(`/api/v1/model_versions/${v3}`, { stage: 'Production' });
    expect(unknownStage.status).toBe(422);
    expect(Array.isArray(unknownStage.body)).toBe(true);
    expect(unknownStage.body[0]).toBe('ValueError');

    // pre-0.80 clients also send `model`: extra fields are ignored
    const extra = await c.put(`/api/v1/model_versions/${v3}`, { model: 'whatever', stage: 'staging' });
    expect(extra.status).toBe(200);

    const missing = await c.put('/api/v1/model_versions/00000000-0000-0000-0000-000000000000', { stage: 'staging' });
    expect(missing.status).toBe(404);
    expect(missing.body.detail[0]).toBe('KeyError');
  });

  test('rename and tag through PUT', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const v = s.seed.modelVersion({ model: 'm', tags: ['old'] });
    const res = await c.put(`/api/v1/model_versions/${v}`, { name: 'renamed', description: 'd', add_tags: ['new'], remove_tags: ['old'] });
    expect(res.body).toMatchObject({ name: 'renamed', metadata: { description: 'd' } });
    expect(res.body.resources.tags.map((t: { name: string }) => t.name)).toEqual(['new']);
    expect((await c.put(`/api/v1/model_versions/${v}`, { name: '12' })).status).toBe(400);
  });

  test('DELETE of a model version or an artifact version removes it with its links, tags and metadata', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const v = s.seed.modelVersion({ model: 'm', tags: ['t'], runMetadata: { accuracy: 0.9 } });
    const keep = s.seed.modelVersion({ model: 'm', runMetadata: { accuracy: 0.8 } });
    const av = s.seed.artifactVersion({ name: 'weights', uri: '/w1', type: 'ModelArtifact', materializer: 'a.B', dataType: 'a.C' });
    s.seed.link(v, av);
    expect((await c.del(`/api/v1/model_versions/${v}`)).status).toBe(200);
    expect((await c.get(`/api/v1/model_versions/${v}`)).status).toBe(404);
    expect((await c.del(`/api/v1/model_versions/${v}`)).status).toBe(404);
    expect(s.store.mvArtifactLinks.size).toBe(0);
    expect(s.store.runMetadata.filter((e) => e.resourceId === v)).toEqual([]);
    expect([...s.store.tagLinks.values()].filter((l) => l.resourceId === v)).toEqual([]);
    expect((await c.get(`/api/v1/model_versions/${keep}`)).status).toBe(200);
    expect((await c.del(`/api/v1/artifact_versions/${av}`)).status).toBe(200);
    expect((await c.get(`/api/v1/artifact_versions/${av}`)).status).toBe(404);
  });

  test('single get by UUID only', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    s.seed.modelVersion({ model: 'm' });
    expect((await call(s, 'GET', '/api/v1/model_versions/1', { token: c.token })).status).toBe(422);
    const nf = await c.get('/api/v1/model_versions/00000000-0000-0000-0000-000000000000');
    expect(nf.body).toEqual({
      detail: [
        'KeyError',
        `"Unable to get model_version with name or ID '00000000-0000-0000-0000-000000000000': No model_version with this ID found."`,
      ],
    });
  });
});

contractCheck();
