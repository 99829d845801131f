/**
 * `npm run demo`: the main job on embedded defaults. Starts two local ZenML-compatible servers,
 * "dev-staging" and "production", seeds a trained model version in dev-staging (real files in a
 * local artifact store, metrics, a pipeline run with a git commit), then runs the committed
 * action bundles against them exactly as a runner would, in the order of the release workflow,
 * printing each step's job summary. Exit code 0 only when every step did what it should.
 *
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetTokenCache, ZenmlClient } from '@mlops-actions/core';
import { startTestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../test/harness/run-bundle.js';
import { seedTrainedModel } from '../test/harness/trained-model.js';
import { renderForTerminal } from './render-summary.js';

const started = Date.now();
const [devStaging, production] = await Promise.all([startTestServer({ name: 'dev-staging' }), startTestServer({ name: 'production', mode: 'pro' })]);
const exchange = mkdtempSync(join(tmpdir(), 'mlops-demo-exchange-'));
// The repository checkout: where the reviewed promotion policy lives.
const workspace = mkdtempSync(join(tmpdir(), 'mlops-demo-workspace-'));
writeFileSync(
  join(workspace, 'promotion-policy.yml'),
  ['version: 1', 'stages:', '  production:', '    rules:', '      - accuracy >= 0.90', '      - f1 >= 0.85', '      - latency_ms <= 120', '      - metric: f1', '        champion:', '          max-regression: 0.01', '    required-metadata: [dataset]', '    max-age: 30d', ''].join('\n'),
);
const github = {
  GITHUB_ACTOR: 'demo-maintainer',
  GITHUB_REPOSITORY: 'acme/readmission',
  GITHUB_RUN_ID: '1',
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_WORKSPACE: workspace,
};
let failed = false;

function step(name: string, run: BundleRun, check: (r: BundleRun) => string | undefined = () => undefined): BundleRun {
  const error = run.visibleStdout.split('\n').find((l) => l.startsWith('::error::'));
  const problem = run.code !== 0 ? `exit code ${run.code}: ${error ?? run.stderr.trim()}` : check(run);
  console.log(`\n━━ ${name} ${problem ? '✗' : '✓'} (${run.durationMs} ms)`);
  console.log(renderForTerminal(run.summary));
  if (problem) {
    failed = true;
    console.log(`  problem: ${problem}`);
  }
  return run;
}

try {
  const trained = seedTrainedModel(devStaging);
  // Production already serves an earlier version: the champion the candidate is compared with.
  production.seed.model({ name: trained.model });
  production.seed.modelVersion({ model: trained.model, stage: 'production', runMetadata: { accuracy: 0.925, f1: 0.88, latency_ms: 110 } });
  // Production's pinned batch-inference snapshot, built from the release commit (a Pro workspace runs it).
  const prodStack = production.seed.stack({ name: 'gcp-prod', containerRegistry: true });
  production.seed.pipeline({ name: 'batch_inference' });
  const build = production.seed.build({ pipeline: 'batch_inference', stackId: prodStack.id });
  production.seed.snapshot({ pipeline: 'batch_inference', stackId: prodStack.id, runnable: true, name: 'PROD_a1b2c3d', buildId: build, gitCommit: trained.gitCommit });
  production.runs.autoProgress(['initializing', 'running', 'completed']);
  console.log(`dev-staging ${devStaging.url}: trained ${trained.model} (staging), production ${production.url}, exchange file://${exchange}`);

  const devLogin = step('zenml-login → dev-staging', await runBundle('zenml-login', { 'server-url': devStaging.url, 'api-key': devStaging.apiKey, stack: 'default' }, { env: github }));
  // Later steps read the server and key zenml-login exported, as they would in a workflow job.
  const exp = step(
    'export-model (dev-staging → exchange)',
    await runBundle('export-model', { model: trained.model, version: 'staging', exchange: `file://${exchange}` }, { env: { ...github, ...devLogin.exportedEnv } }),
    (r) => (r.outputs['artifact-count'] === '2' ? undefined : `expected 2 artifacts, got ${r.outputs['artifact-count']}`),
  );

  const prodLogin = step('zenml-login → production', await runBundle('zenml-login', { 'server-url': production.url, 'api-key': production.apiKey }, { env: github }));
  const prodEnv = { ...github, ...prodLogin.exportedEnv };
  step(
    'gate-promotion (the bundle against the reviewed policy and production\'s champion)',
    await runBundle('gate-promotion', { manifest: exp.outputs['manifest-uri'] ?? '', policy: 'promotion-policy.yml', 'target-stage': 'production' }, { env: prodEnv }),
    (r) => (r.outputs.passed === 'true' ? undefined : 'the gate did not pass'),
  );
  const imp = step(
    'import-model (exchange → production)',
    await runBundle('import-model', { manifest: exp.outputs['manifest-uri'] ?? '' }, { env: prodEnv }),
    (r) => (r.outputs.created === 'true' ? undefined : `created ${r.outputs.created}`),
  );
  step(
    'promote (imported version → production, compare-and-swap on the current holder)',
    await runBundle('promote', { model: trained.model, version: imp.outputs['model-version-number'] ?? '', 'to-stage': 'production', 'expected-current-version': '1' }, { env: prodEnv }),
    (r) => (r.outputs['model-version-id'] === imp.outputs['model-version-id'] ? undefined : 'the imported version does not hold production'),
  );
  step(
    'run-snapshot (production batch inference, pinned snapshot)',
    await runBundle('run-snapshot', { snapshot: 'PROD_a1b2c3d', pipeline: 'batch_inference', parameters: '{"batch_date": "2026-11-25"}', 'poll-interval': '1s' }, { env: prodEnv }),
    (r) => (r.outputs.status === 'completed' ? undefined : `run status ${r.outputs.status}`),
  );
  step(
    'rollback --dry-run (what a 3 a.m. rollback would do)',
    await runBundle('rollback', { model: trained.model, reason: 'demo: rehearse the rollback', 'dry-run': 'true' }, { env: prodEnv }),
    (r) => (r.visibleStdout.includes('would roll back') ? undefined : 'no rollback plan printed'),
  );

  // What production now holds, as its REST API reports it.
  resetTokenCache();
  const client = new ZenmlClient({ serverUrl: production.url, apiKey: production.apiKey });
  const { data: versions } = await client.api.GET('/api/v1/model_versions', {
    params: { query: { model: trained.model, project: 'default', stage: 'production', hydrate: true } },
  });
  const mv = versions?.items[0];
  const md = (mv?.metadata?.run_metadata ?? {}) as Record<string, unknown>;
  console.log(`\n━━ production now serves ${trained.model} v${mv?.name} (${mv?.body?.stage})`);
  for (const key of ['accuracy', 'f1', 'latency_ms', 'source_server_url', 'source_model_version', 'source_git_commit', 'source_pipeline_run_id', 'bundle_digest']) {
    console.log(`  ${key.padEnd(24)} ${JSON.stringify(md[key])}`);
  }
  const chain = (md.promotion_chain ?? []) as { from: { model: string; version: string; serverUrl: string }; to?: { version: string; serverUrl: string }; actor?: string }[];
  for (const hop of chain) console.log(`  promotion: ${hop.from.model} v${hop.from.version} @ ${hop.from.serverUrl} → v${hop.to?.version} @ ${hop.to?.serverUrl} by ${hop.actor}`);
  const { data: avs } = await client.api.GET('/api/v1/artifact_versions', { params: { query: { project: 'default', model_version_id: mv?.id ?? '' } } });
  for (const av of avs?.items ?? []) console.log(`  artifact: ${av.body?.artifact?.name} → ${av.body?.uri}`);
  if (!mv || md.source_git_commit !== trained.gitCommit) {
    failed = true;
    console.log('  problem: production does not hold the promoted version with its lineage');
  }
} finally {
  await Promise.all([devStaging.close(), production.close()]);
  rmSync(exchange, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
}
console.log(`\n${failed ? 'demo FAILED' : 'demo passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
