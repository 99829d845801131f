import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { installFakeZenml } from '../../../../test/harness/fake-zenml-cli.js';
import { InputError, RejectedError } from '../errors.js';
import { ZenmlClient } from '../zenml/client.js';
import {
  assertRunSucceeded,
  defaultSnapshotName,
  resolveSnapshot,
  runSummary,
  snapshotFromRun,
  snapshotFromSource,
  snapshotSummary,
  triggerSnapshot,
  waitForRun,
  type RunInfo,
} from './index.js';

const PROJECT = 'default';
const PIPELINE = 'batch_inference_pipeline';
let server: TestServer;
let client: ZenmlClient;
let stackId: string;
let buildId: string;
let pipelineId: string;

const newClient = (s: TestServer) =>
  new ZenmlClient({ serverUrl: s.url, apiKey: s.apiKey, retry: { deadlineMs: 2000, baseMs: 5, capMs: 20, maxAttempts: 3 } });

function fakeTime(onSleep?: (n: number) => void) {
  let t = 1_000_000;
  let n = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      onSleep?.(++n);
    },
  };
}

beforeAll(async () => {
  server = await startTestServer({ mode: 'pro' });
  client = newClient(server);
  stackId = server.seed.stack({ name: 'remote', orchestratorFlavor: 'kubernetes', artifactStoreFlavor: 'gcp', containerRegistry: true }).id;
  pipelineId = server.seed.pipeline({ name: PIPELINE });
  server.seed.pipeline({ name: 'training_pipeline' });
  buildId = server.seed.build({ pipeline: PIPELINE, stackId });
  server.seed.snapshot({ pipeline: PIPELINE, stackId, buildId, runnable: true, name: 'PROD_batch', gitCommit: 'abc1234def' });
});
afterAll(async () => {
  await server.close();
});

async function trigger(extra: Partial<Parameters<typeof triggerSnapshot>[1]> = {}): Promise<RunInfo> {
  const snapshot = await resolveSnapshot(client, { project: PROJECT, snapshot: 'PROD_batch', pipeline: PIPELINE });
  return triggerSnapshot(client, { project: PROJECT, snapshot, ...extra });
}

describe('resolveSnapshot', () => {
  it('finds a snapshot by name + pipeline and by id', async () => {
    const s = await resolveSnapshot(client, { project: PROJECT, snapshot: 'PROD_batch', pipeline: PIPELINE });
    expect(s).toMatchObject({ name: 'PROD_batch', pipeline: PIPELINE, pipelineId, stack: 'remote', buildId, runnable: true, gitCommit: 'abc1234def' });
    expect(await resolveSnapshot(client, { project: PROJECT, snapshot: s.id })).toEqual(s);
    expect(snapshotSummary(s)).toContain('| **Runnable** | yes |');
  });

  it('not found → InputError naming snapshot, listing runnable snapshots of the pipeline', async () => {
    const err = await resolveSnapshot(client, { project: PROJECT, snapshot: 'nope', pipeline: PIPELINE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('snapshot');
    expect((err as Error).message).toMatch(/no snapshot 'nope' of pipeline 'batch_inference_pipeline'.*Runnable snapshots of pipeline 'batch_inference_pipeline': 'PROD_batch'/);
  });
});

describe('run-snapshot', () => {
  it('triggers with run_configuration (never a top-level steps), reports progress and completes', async () => {
    const parameters = { batch_date: '2025-06-01' };
    const steps = { predict: { parameters: { threshold: 0.7 } } };
    // The snapshot knows its steps (step_configurations), so progress counts against all of them.
    const src = [...server.store.snapshots.values()].find((x) => x.name === 'PROD_batch')!;
    src.stepConfigurations = { load: {}, predict: {}, publish: {} };
    const run = await trigger({ parameters, steps, runName: 'nightly-1' });
    expect(run).toMatchObject({ name: 'nightly-1', status: 'initializing', inProgress: true, url: `https://cloud.zenml.io/runs/${run.id}` });

    const rec = server.runs.triggers[server.runs.triggers.length - 1]!;
    expect(rec.body).toEqual({ run_configuration: { parameters, steps, run_name: 'nightly-1' } });
    expect(rec.ignoredKeys).toEqual([]);

    const script: Array<[string, Record<string, string>]> = [
      ['running', { load: 'running' }],
      ['running', { load: 'completed', predict: 'running' }],
      ['running', { predict: 'completed', publish: 'running' }],
      ['completed', { publish: 'completed' }],
    ];
    const clock = fakeTime((n) => {
      const s = script[n - 1];
      if (s) server.runs.advance(run.id, s[0], { steps: s[1] });
    });
    const lines: string[] = [];
    const r = await waitForRun(client, run, { project: PROJECT, timeoutMs: 600_000, pollIntervalMs: 5_000, log: (l) => lines.push(l), ...clock });
    expect(r.run.status).toBe('completed');
    expect(r.run.inProgress).toBe(false);
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['load', 'completed'],
      ['predict', 'completed'],
      ['publish', 'completed'],
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Run nightly-1: initializing',
        'Run nightly-1: running',
        'Run nightly-1: 0/3 steps completed; running: load',
        'Run nightly-1: 1/3 steps completed; running: predict',
        'Run nightly-1: 2/3 steps completed; running: publish',
        'Run nightly-1: 3/3 steps completed',
      ]),
    );
    expect(lines[lines.length - 1]).toMatch(/^Run nightly-1 finished: completed after/);
    expect(() => assertRunSucceeded(r.run)).not.toThrow();
    const snapshot = await resolveSnapshot(client, { project: PROJECT, snapshot: 'PROD_batch', pipeline: PIPELINE });
    const md = runSummary({ ...r, snapshot });
    expect(md).toContain(`[nightly-1](https://cloud.zenml.io/runs/${run.id})`);
    expect(md).toContain('| Step | Status | Duration |');
    expect(md).toMatch(/\| predict \| completed \| \d+ s \|/);
  });

  it('a failed run fails with the server reason and the run URL', async () => {
    const run = await trigger();
    server.runs.schedule(run.id, ['running', 'failed'], { statusReason: 'Step train failed: OOMKilled.' });
    const r = await waitForRun(client, run, { project: PROJECT, timeoutMs: 60_000, pollIntervalMs: 1_000, log: () => undefined, ...fakeTime() });
    expect(r.run).toMatchObject({ status: 'failed', statusReason: 'Step train failed: OOMKilled.' });
    let err: unknown;
    try {
      assertRunSucceeded(r.run);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RejectedError);
    expect((err as RejectedError).oneLine()).toBe(
      `Run ${run.name} ended failed: Step train failed: OOMKilled. See https://cloud.zenml.io/runs/${run.id}`,
    );
  });

  it('stops at the timeout with the run URL and says the run keeps going', async () => {
    const run = await trigger();
    server.runs.schedule(run.id, ['queued', 'running']);
    const clock = fakeTime();
    const err = await waitForRun(client, run, { project: PROJECT, timeoutMs: 30_000, pollIntervalMs: 10_000, log: () => undefined, ...clock }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RejectedError);
    const msg = (err as RejectedError).oneLine();
    expect(msg).toContain(`https://cloud.zenml.io/runs/${run.id}`);
    expect(msg).toMatch(/did not finish within 30 s: it is still running\. The run keeps going on the server/);
    expect(clock.now() - 1_000_000).toBe(30_000);
  });

  it('a not-runnable snapshot → InputError with the server reason', async () => {
    server.seed.snapshot({
      pipeline: PIPELINE,
      stackId,
      buildId,
      runnable: false,
      name: 'stale',
      notRunnableReason: 'The stack remote has been updated since the build was created.',
    });
    const snapshot = await resolveSnapshot(client, { project: PROJECT, snapshot: 'stale', pipeline: PIPELINE });
    expect(snapshot.runnable).toBe(false);
    const err = await triggerSnapshot(client, { project: PROJECT, snapshot }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('snapshot');
    expect((err as Error).message).toMatch(/can not be run: .*The stack remote has been updated since the build was created\./);
  });

  it('429 on the trigger is retried, then succeeds (one run)', async () => {
    const before = server.runs.triggers.length;
    server.faults.inject({ method: 'POST', path: /\/pipeline_snapshots\/[^/]+\/runs$/, status: 429, times: 1, headers: { 'Retry-After': '0' } });
    server.requests.length = 0;
    const run = await trigger();
    expect(run.status).toBe('initializing');
    expect(server.requests.filter((r) => r.method === 'POST' && /\/runs$/.test(r.path))).toHaveLength(2);
    expect(server.runs.triggers.length).toBe(before + 1);
  });

  it('OSS server (no trigger route) → the one-line ZenML Pro message', async () => {
    const oss = await startTestServer({ mode: 'oss' });
    try {
      const c = newClient(oss);
      const st = oss.seed.stack({ name: 'remote', containerRegistry: true }).id;
      oss.seed.pipeline({ name: PIPELINE });
      const b = oss.seed.build({ pipeline: PIPELINE, stackId: st });
      oss.seed.snapshot({ pipeline: PIPELINE, stackId: st, buildId: b, runnable: true, name: 'PROD_batch' });
      const snapshot = await resolveSnapshot(c, { project: PROJECT, snapshot: 'PROD_batch', pipeline: PIPELINE });
      const err = await triggerSnapshot(c, { project: PROJECT, snapshot }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      const msg = (err as InputError).oneLine();
      expect(msg).toMatch(/^Input 'snapshot': running snapshots needs ZenML Pro \(a workload manager\)/);
      expect(msg).not.toContain('\n');
    } finally {
      await oss.close();
    }
  });
});

describe('build-snapshot from a run', () => {
  it('names the run snapshot; a clash needs replace', async () => {
    const anon1 = server.seed.snapshot({ pipeline: 'training_pipeline', stackId, buildId, runnable: true, gitCommit: 'feed123' });
    const run1 = server.seed.pipelineRun({ pipeline: 'training_pipeline', name: 'train-1', snapshotId: anon1 });
    const s1 = await snapshotFromRun(client, { project: PROJECT, run: 'train-1', name: 'STG_feed123', replace: false, tags: ['staging'] });
    expect(s1).toMatchObject({ id: anon1, name: 'STG_feed123', pipeline: 'training_pipeline', buildId, gitCommit: 'feed123', runnable: true });
    expect(server.store.snapshots.get(anon1)?.name).toBe('STG_feed123');
    // idempotent: naming the same snapshot again is fine, by run id too
    await expect(snapshotFromRun(client, { project: PROJECT, run: run1, name: 'STG_feed123', replace: false })).resolves.toMatchObject({ id: anon1 });

    const anon2 = server.seed.snapshot({ pipeline: 'training_pipeline', stackId, buildId, runnable: true });
    server.seed.pipelineRun({ pipeline: 'training_pipeline', name: 'train-2', snapshotId: anon2 });
    const err = await snapshotFromRun(client, { project: PROJECT, run: 'train-2', name: 'STG_feed123', replace: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('name');
    expect((err as Error).message).toMatch(/already named 'STG_feed123': set replace: true/);

    const s2 = await snapshotFromRun(client, { project: PROJECT, run: 'train-2', name: 'STG_feed123', replace: true });
    expect(s2).toMatchObject({ id: anon2, name: 'STG_feed123' });
    expect(server.store.snapshots.get(anon1)?.name).toBeNull();
  });

  it('an unknown run → InputError(from-run)', async () => {
    await expect(snapshotFromRun(client, { project: PROJECT, run: 'no-such-run', name: 'x', replace: false })).rejects.toMatchObject({
      input: 'from-run',
    });
  });
});

describe('build-snapshot from source (zenml CLI)', () => {
  const source = 'src.pipelines.batch_inference.batch_inference_pipeline';

  it('runs the exact CLI command with the store env, then resolves the snapshot over REST', async () => {
    const fake = installFakeZenml();
    const cfgDir = mkdtempSync(join(tmpdir(), 'snapcfg-'));
    const config = join(cfgDir, 'prod.yaml');
    writeFileSync(config, 'parameters: {}\n');
    const lines: string[] = [];
    const s = await snapshotFromSource(client, {
      project: PROJECT,
      pipeline: source,
      name: 'PROD_abc1234',
      stack: 'remote',
      config,
      apiKey: server.apiKey,
      env: {
        PATH: fake.binDir,
        ...fake.env,
        FAKE_ZENML_PIPELINE_ID: pipelineId,
        FAKE_ZENML_STACK_ID: stackId,
        FAKE_ZENML_BUILD_ID: buildId,
        FAKE_ZENML_GIT_COMMIT: 'abc1234ffff',
      },
      log: (l) => lines.push(l),
    });
    const calls = fake.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.argv).toEqual(['pipeline', 'snapshot', 'create', source, '--name', 'PROD_abc1234', '--stack', 'remote', '--config', config]);
    expect(calls[0]!.env).toEqual({ ZENML_STORE_URL: server.url, ZENML_STORE_API_KEY: server.apiKey, ZENML_ACTIVE_PROJECT_ID: PROJECT });
    expect(s).toMatchObject({
      id: calls[0]!.createdSnapshotId,
      name: 'PROD_abc1234',
      pipeline: PIPELINE,
      stack: 'remote',
      buildId,
      runnable: true,
      gitCommit: 'abc1234ffff',
    });
    expect(lines).toContain('Created pipeline snapshot PROD_abc1234.');
  });

  it('a CLI failure → one line with its last stderr line', async () => {
    const fake = installFakeZenml();
    const err = await snapshotFromSource(client, {
      project: PROJECT,
      pipeline: source,
      name: 'PROD_x',
      apiKey: server.apiKey,
      env: { PATH: fake.binDir, ...fake.env, FAKE_ZENML_FAIL: "ModuleNotFoundError: No module named 'src'" },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).oneLine()).toBe(
      `Input 'pipeline': zenml pipeline snapshot create ${source} failed (exit code 1): ModuleNotFoundError: No module named 'src'`,
    );
  });

  it('no zenml on PATH → how to install it, pinned to the server version', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-zenml-'));
    const err = await snapshotFromSource(client, { project: PROJECT, pipeline: source, name: 'PROD_y', apiKey: server.apiKey, env: { PATH: empty } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('pipeline');
    expect((err as InputError).oneLine()).toMatch(/no 'zenml' is on PATH: install it .*pip install "zenml==0\.97\.0"/);
  });
});

describe('defaultSnapshotName', () => {
  it('is <pipeline>-<environment>-<short sha>, sanitised', () => {
    expect(defaultSnapshotName('src.pipelines.batch_inference.batch_inference_pipeline', 'production', 'abc1234def5678')).toBe(
      'batch_inference_pipeline-production-abc1234',
    );
    expect(defaultSnapshotName('training', 'stg env/1', undefined)).toBe('training-stg-env-1');
  });
});
