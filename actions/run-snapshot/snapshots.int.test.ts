import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { installFakeZenml } from '../../test/harness/fake-zenml-cli.js';
import { leakSurfaces, runBundle, secretForms, type BundleRun } from '../../test/harness/run-bundle.js';

const errors = (run: BundleRun): string[] =>
  run.visibleStdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice(9));
function expectOk(run: BundleRun): void {
  expect({ errors: errors(run), code: run.code }).toEqual({ errors: [], code: 0 });
}

describe('run-snapshot and build-snapshot, bundled actions against a ZenML Pro test server', () => {
  let pro: TestServer;
  let snapshotId: string;
  let runId: string;
  let stackId: string;
  let pipelineId: string;
  beforeAll(async () => {
    pro = await startTestServer({ name: 'production', mode: 'pro' });
    const stack = pro.seed.stack({ name: 'gcp-prod', containerRegistry: true });
    stackId = stack.id;
    pipelineId = pro.seed.pipeline({ name: 'batch_inference' });
    const buildId = pro.seed.build({ pipeline: 'batch_inference', stackId: stack.id });
    snapshotId = pro.seed.snapshot({ pipeline: 'batch_inference', stackId: stack.id, runnable: true, name: 'PROD_a1b2c3d', buildId, gitCommit: 'a1b2c3d4' });
    pro.seed.snapshot({ pipeline: 'batch_inference', stackId: stack.id, runnable: false, name: 'PROD_local', notRunnableReason: 'the snapshot does not have an associated build' });
    const anon = pro.seed.snapshot({ pipeline: 'batch_inference', stackId: stack.id, runnable: true, buildId });
    runId = pro.seed.pipelineRun({ pipeline: 'batch_inference', name: 'batch-2026-11-25', snapshotId: anon, status: 'completed' });
  });
  afterAll(async () => pro.close());
  const server = () => ({ 'server-url': pro.url, 'api-key': pro.apiKey });

  it('triggers the pinned snapshot with run_configuration, watches it to completion, and reports the steps', async () => {
    pro.runs.autoProgress(['initializing', 'running', 'running', 'completed']);
    const run = await runBundle('run-snapshot', {
      ...server(),
      snapshot: 'PROD_a1b2c3d',
      pipeline: 'batch_inference',
      parameters: 'batch_date: "2026-11-25"\nlimit: 500',
      'poll-interval': '1s',
      timeout: '1m',
    });
    expectOk(run);
    expect(run.outputs.status).toBe('completed');
    expect(run.outputs['run-id']).toMatch(/^[0-9a-f-]{36}$/);
    const trigger = pro.runs.triggers.at(-1);
    expect(trigger?.snapshotId).toBe(snapshotId);
    expect(trigger?.body).toEqual({ run_configuration: { parameters: { batch_date: '2026-11-25', limit: 500 } } });
    expect(run.summary).toContain('completed');
    for (const form of secretForms(pro.apiKey)) for (const text of Object.values(leakSurfaces(run))) expect(text.includes(form)).toBe(false);
  });

  it('fails with the server’s reason when the run fails', async () => {
    pro.runs.autoProgress(['initializing', 'failed'], { statusReason: 'Failed to start run.' });
    const run = await runBundle('run-snapshot', { ...server(), snapshot: snapshotId, 'poll-interval': '1s' });
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toContain('Failed to start run.');
  });

  it('says why a snapshot cannot run, and that OSS servers cannot run snapshots', async () => {
    const notRunnable = await runBundle('run-snapshot', { ...server(), snapshot: 'PROD_local', pipeline: 'batch_inference' });
    expect(notRunnable.code).toBe(1);
    expect(errors(notRunnable)[0]).toContain('does not have an associated build');

    const oss = await startTestServer();
    try {
      const stack = oss.seed.stack({ name: 's' });
      oss.seed.pipeline({ name: 'p' });
      const id = oss.seed.snapshot({ pipeline: 'p', stackId: stack.id, runnable: true, name: 'snap' });
      const run = await runBundle('run-snapshot', { 'server-url': oss.url, 'api-key': oss.apiKey, snapshot: id });
      expect(run.code).toBe(1);
      expect(errors(run)).toHaveLength(1);
      expect(errors(run)[0]).toMatch(/ZenML Pro/);
    } finally {
      await oss.close();
    }
  });

  it('names the snapshot of a finished run after the pipeline, environment and commit', async () => {
    const run = await runBundle('build-snapshot', { ...server(), 'from-run': 'batch-2026-11-25', environment: 'production' }, { env: { GITHUB_SHA: 'feedbeef1234567890' } });
    expectOk(run);
    expect(run.outputs['snapshot-name']).toBe(`batch_inference-production-feedbee`);
    expect(run.outputs.runnable).toBe('true');
    expect(pro.runs.triggers.filter((t) => t.snapshotId === run.outputs['snapshot-id'])).toEqual([]);
    void runId;
  });

  it('creates a snapshot from source with the zenml CLI, then resolves it over REST', async () => {
    const fake = installFakeZenml();
    const run = await runBundle(
      'build-snapshot',
      { ...server(), pipeline: 'src.pipelines.batch_inference', name: 'PROD_cli1234', stack: stackId },
      // The stand-in CLI creates the snapshot on the server the way `zenml` would, for this pipeline and stack.
      { env: { ...fake.env, FAKE_ZENML_PIPELINE_ID: pipelineId, FAKE_ZENML_STACK_ID: stackId, PATH: `${fake.binDir}:${process.env.PATH}` } },
    );
    expectOk(run);
    const [call] = fake.calls();
    expect(call?.argv).toEqual(['pipeline', 'snapshot', 'create', 'src.pipelines.batch_inference', '--name', 'PROD_cli1234', '--stack', stackId]);
    expect(run.outputs['snapshot-id']).toBe(call?.createdSnapshotId);

    const missing = await runBundle('build-snapshot', { ...server(), pipeline: 'src.pipelines.batch_inference' }, { env: { PATH: '/nonexistent' } });
    expect(missing.code).toBe(1);
    expect(errors(missing)[0]).toMatch(/pip install "zenml==0\.97\.0"/);
  });
});
