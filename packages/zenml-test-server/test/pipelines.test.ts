/** Snapshots, triggers and runs (API.md §6). */
import type { TestServer } from '../src/index.js';
import { call, client, contractCheck, startServer } from './support.js';

function seedPipeline(s: TestServer) {
  const stack = s.seed.stack({ name: 'remote', artifactStoreFlavor: 's3', artifactStorePath: 's3://bucket/zenml', orchestratorFlavor: 'kubernetes', containerRegistry: true });
  const pipeline = s.seed.pipeline({ name: 'training' });
  const build = s.seed.build({ pipeline: 'training', stackId: stack.id });
  const runnable = s.seed.snapshot({ pipeline: 'training', stackId: stack.id, buildId: build, name: 'train-v1', runnable: true, gitCommit: 'f00d', configTemplate: { parameters: { lr: 0.1 } } });
  const local = s.seed.snapshot({ pipeline: 'training', stackId: stack.id, name: 'local-only', runnable: false });
  const anonymous = s.seed.snapshot({ pipeline: 'training', stackId: stack.id, buildId: build, runnable: true });
  return { stack, pipeline, build, runnable, local, anonymous };
}

describe('pipeline snapshots', () => {
  test('list filters: pipeline, runnable, named_only, name', async () => {
    const s = await startServer();
    const c = await client(s);
    const ids = seedPipeline(s);
    s.seed.pipeline({ name: 'other' });
    const all = await c.get('/api/v1/pipeline_snapshots?project=default&pipeline=training');
    expect(all.body.total).toBe(3);
    const wanted = await c.get('/api/v1/pipeline_snapshots?project=default&pipeline=training&runnable=true&named_only=true&sort_by=desc:created');
    expect(wanted.body.items.map((x: { id: string }) => x.id)).toEqual([ids.runnable]);
    expect((await c.get(`/api/v1/pipeline_snapshots?pipeline=${ids.pipeline}&name=local-only`)).body.items[0].id).toBe(ids.local);
    expect((await c.get('/api/v1/pipeline_snapshots?pipeline=other')).body.total).toBe(0);
    expect((await c.get('/api/v1/pipeline_snapshots?runnable=maybe')).status).toBe(422);

    const one = await c.get(`/api/v1/pipeline_snapshots/${ids.runnable}`);
    expect(one.body).toMatchObject({
      name: 'train-v1',
      body: { runnable: true, pipeline_id: ids.pipeline },
      metadata: { config_template: { parameters: { lr: 0.1 } } },
      resources: { pipeline: { name: 'training' }, stack: { id: ids.stack.id }, build: { id: ids.build }, code_reference: { body: { commit: 'f00d' } } },
    });
    const build = await c.get(`/api/v1/pipeline_builds/${ids.build}`);
    expect(build.body.metadata).toMatchObject({ is_local: false, images: { orchestrator: { image: expect.any(String) } } });
  });

  test('PUT naming: a clash is a 409 unless replace, which takes the name over', async () => {
    const s = await startServer();
    const c = await client(s);
    const ids = seedPipeline(s);
    const clash = await c.put(`/api/v1/pipeline_snapshots/${ids.anonymous}`, { name: 'train-v1' });
    expect(clash.status).toBe(409);
    expect(clash.body.detail[0]).toBe('EntityExistsError');
    const replaced = await c.put(`/api/v1/pipeline_snapshots/${ids.anonymous}`, { name: 'train-v1', replace: true, add_tags: ['prod'] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('train-v1');
    expect(replaced.body.resources.tags[0].name).toBe('prod');
    expect((await c.get(`/api/v1/pipeline_snapshots/${ids.runnable}`)).body.name).toBeNull();
    const unnamed = await c.put(`/api/v1/pipeline_snapshots/${ids.local}`, { name: false });
    expect(unnamed.body.name).toBeNull();
    // The same name under another pipeline is fine.
    s.seed.pipeline({ name: 'other' });
    const elsewhere = s.seed.snapshot({ pipeline: 'other', stackId: ids.stack.id, runnable: false });
    expect((await c.put(`/api/v1/pipeline_snapshots/${elsewhere}`, { name: 'train-v1' })).status).toBe(200);
  });

  test('the trigger route does not exist on OSS', async () => {
    const s = await startServer();
    const c = await client(s);
    const ids = seedPipeline(s);
    const res = await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, { run_configuration: {} });
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
  });

  test('pro: trigger returns an initializing placeholder run; top-level keys are ignored and recorded', async () => {
    const s = await startServer({ mode: 'pro' });
    const c = await client(s);
    const ids = seedPipeline(s);
    const res = await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, {
      run_configuration: { run_name: 'ci-run-1', parameters: { lr: 0.01 }, tags: ['ci'] },
      steps: { trainer: { parameters: { epochs: 3 } } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'ci-run-1', body: { status: 'initializing', in_progress: true, pipeline_id: ids.pipeline } });
    expect(res.body.resources.source_snapshot.id).toBe(ids.runnable);
    expect(res.body.resources.tags.map((t: { name: string }) => t.name)).toEqual(['ci']);
    expect(s.runs.triggers).toHaveLength(1);
    expect(s.runs.triggers[0]).toMatchObject({
      snapshotId: ids.runnable,
      runId: res.body.id,
      runConfiguration: { run_name: 'ci-run-1', parameters: { lr: 0.01 }, tags: ['ci'] },
      stepRun: null,
      ignoredKeys: ['steps'],
    });
    const notRunnable = await c.post(`/api/v1/pipeline_snapshots/${ids.local}/runs`, {});
    expect(notRunnable.status).toBe(400);
    expect(notRunnable.body.detail[0]).toBe('ValueError');
    expect(notRunnable.body.detail[1]).toMatch(/build/);
    const unknown = await c.post('/api/v1/pipeline_snapshots/00000000-0000-0000-0000-000000000000/runs', {});
    expect(unknown.status).toBe(404);
    expect((await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, { run_configuration: 'fast' })).status).toBe(422);
    // A duplicate run name is a 409 DuplicateRunNameError.
    const dup = await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, { run_configuration: { run_name: 'ci-run-1' } });
    expect(dup.status).toBe(409);
  });
});

describe('runs', () => {
  test('advance() drives status, in_progress, status_reason, steps and times', async () => {
    const s = await startServer({ mode: 'pro' });
    const c = await client(s);
    const ids = seedPipeline(s);
    const run = (await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, {})).body.id as string;
    expect((await c.get(`/api/v1/runs/${run}/status`)).body).toBe('initializing');

    s.runs.advance(run, 'running', { steps: { load: 'completed', train: 'running' } });
    const running = await c.get(`/api/v1/runs/${run}?hydrate=false`);
    expect(running.body.body).toMatchObject({ status: 'running', in_progress: true });
    expect(running.body.metadata).toBeNull();
    const steps = await c.get(`/api/v1/steps?pipeline_run_id=${run}`);
    expect(steps.body.items.map((x: { name: string; body: { status: string } }) => [x.name, x.body.status])).toEqual([
      ['load', 'completed'],
      ['train', 'running'],
    ]);

    s.runs.advance(run, 'failed', { statusReason: 'OOM', steps: { train: 'failed' } });
    const failed = await c.get(`/api/v1/runs/${run}`);
    expect(failed.body.body).toMatchObject({ status: 'failed', in_progress: false, status_reason: 'OOM' });
    expect(failed.body.metadata.start_time).toEqual(expect.any(String));
    expect(failed.body.metadata.end_time).toEqual(expect.any(String));
    expect(s.runs.get(run)).toMatchObject({ status: 'failed', inProgress: false, statusReason: 'OOM', polls: 3 });

    // unknown statuses count as in progress
    s.runs.advance(run, 'teleporting');
    expect((await c.get(`/api/v1/runs/${run}`)).body.body.in_progress).toBe(true);
  });

  test('autoProgress: the k-th poll sees the k-th status', async () => {
    const s = await startServer({ mode: 'pro' });
    const c = await client(s);
    const ids = seedPipeline(s);
    s.runs.autoProgress(['initializing', 'running', 'completed']);
    const run = (await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, {})).body.id as string;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await c.get(`/api/v1/runs/${run}?hydrate=false`)).body.body.status);
    expect(seen).toEqual(['initializing', 'running', 'completed', 'completed']);
    s.runs.autoProgress(null);
    const other = (await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, {})).body.id as string;
    s.runs.schedule(other, ['running', 'failed'], { statusReason: 'boom' });
    expect((await c.get(`/api/v1/runs/${other}/status`)).body).toBe('running');
    const last = await c.get(`/api/v1/runs/${other}`);
    expect(last.body.body).toMatchObject({ status: 'failed', status_reason: 'boom' });
  });

  test('list filters: pipeline, status, in_progress, source_snapshot_id, linked model version', async () => {
    const s = await startServer({ mode: 'pro' });
    const c = await client(s);
    const ids = seedPipeline(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    const done = s.seed.pipelineRun({ pipeline: 'training', status: 'completed', modelVersion: mv });
    s.seed.pipelineRun({ pipeline: 'training', status: 'failed' });
    const triggered = (await c.post(`/api/v1/pipeline_snapshots/${ids.runnable}/runs`, {})).body.id as string;

    expect((await c.get('/api/v1/runs?project=default&pipeline=training')).body.total).toBe(3);
    expect((await c.get('/api/v1/runs?status=completed')).body.items.map((r: { id: string }) => r.id)).toEqual([done]);
    expect((await c.get('/api/v1/runs?in_progress=true')).body.items.map((r: { id: string }) => r.id)).toEqual([triggered]);
    expect((await c.get(`/api/v1/runs?source_snapshot_id=${ids.runnable}`)).body.items.map((r: { id: string }) => r.id)).toEqual([triggered]);
    expect((await c.get(`/api/v1/runs?linked_to_model_version_id=${mv}`)).body.items.map((r: { id: string }) => r.id)).toEqual([done]);
    expect((await c.get('/api/v1/runs?sort_by=desc:created&size=1')).body.items[0].id).toBe(triggered);
    const indexes = (await c.get('/api/v1/runs?sort_by=asc:index')).body.items.map((r: { body: { index: number } }) => r.body.index);
    expect(indexes).toEqual([1, 2, 3]);
    expect((await c.get(`/api/v1/runs/${done}/steps`)).body.total).toBe(0);
    expect((await call(s, 'GET', '/api/v1/runs/not-a-uuid', { token: c.token })).status).toBe(422);
  });
});

describe('stacks and components', () => {
  test('the default stack: components map, artifact store path needs hydration', async () => {
    const s = await startServer();
    const c = await client(s);
    const stacks = await c.get('/api/v1/stacks?name=default');
    expect(stacks.body.total).toBe(1);
    expect(stacks.body.items[0].body.project_id).toBeUndefined(); // not project-scoped
    const stack = await c.get(`/api/v1/stacks/${stacks.body.items[0].id}`);
    expect(Object.keys(stack.body.metadata.components).sort()).toEqual(['artifact_store', 'orchestrator']);
    const store = stack.body.metadata.components.artifact_store[0];
    expect(store.metadata).toBeNull();
    const comp = await c.get(`/api/v1/components/${store.id}`);
    expect(comp.body.body).toMatchObject({ type: 'artifact_store', flavor_name: 'local' });
    expect(comp.body.metadata.configuration.path).toEqual(expect.any(String));
    const listed = await c.get('/api/v1/components?type=artifact_store');
    expect(listed.body.items[0].metadata).toBeNull();
    expect((await c.get('/api/v1/components?type=artifact_store&hydrate=true')).body.items[0].metadata.configuration.path).toBe(comp.body.metadata.configuration.path);
    expect((await c.get('/api/v1/stacks/default')).status).toBe(422);
  });
});

describe('tags', () => {
  test('create (409 on duplicate), list, attach idempotently, detach', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'm' });
    const mv = s.seed.modelVersion({ model: 'm' });
    const tag = await c.post('/api/v1/tags', { name: 'golden', color: 'yellow' });
    expect(tag.status).toBe(200);
    expect(tag.body.body).toMatchObject({ color: 'yellow', exclusive: false, tagged_count: 0 });
    expect((await c.post('/api/v1/tags', { name: 'golden' })).status).toBe(409);
    expect((await c.post('/api/v1/tags', { name: 'x', color: 'chartreuse' })).status).toBe(422);
    const link = await c.post('/api/v1/tag_resources', { tag_id: tag.body.id, resource_id: mv, resource_type: 'model_version' });
    expect(link.status).toBe(200);
    const again = await c.post('/api/v1/tag_resources', { tag_id: tag.body.id, resource_id: mv, resource_type: 'model_version' });
    expect(again.body.id).toBe(link.body.id);
    expect((await c.get('/api/v1/tags?name=golden')).body.items[0].body.tagged_count).toBe(1);
    expect((await c.get(`/api/v1/model_versions/${mv}`)).body.resources.tags[0].name).toBe('golden');
    const batch = await c.post('/api/v1/tag_resources/batch', [{ tag_id: tag.body.id, resource_id: mv, resource_type: 'model_version' }]);
    expect(batch.body).toHaveLength(1);
    const del = await c.del('/api/v1/tag_resources', { tag_id: tag.body.id, resource_id: mv, resource_type: 'model_version' });
    expect(del.status).toBe(200);
    expect(del.body).toBeNull();
    expect((await c.get(`/api/v1/model_versions/${mv}`)).body.resources.tags).toEqual([]);
    expect((await c.del('/api/v1/tag_resources', { tag_id: tag.body.id, resource_id: mv, resource_type: 'model_version' })).status).toBe(404);
  });
});

contractCheck();
