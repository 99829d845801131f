/**
 * `npm run demo`: the main job on embedded defaults. Starts a local ZenML-compatible server and
 * runs the committed action bundles against it exactly as a runner would, printing each step's
 * job summary. Exit code 0 only when every step did what it should.
 *
 * It grows with the suite: today it runs zenml-login; export, gate, import and promotion join it
 * as those actions land.
 */
import { startTestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../test/harness/run-bundle.js';
import { renderForTerminal } from './render-summary.js';

const started = Date.now();
const devStaging = await startTestServer({ name: 'dev-staging' });
let failed = false;

function report(step: string, run: BundleRun, expect: (r: BundleRun) => string | undefined): void {
  const problem = run.code !== 0 ? `exit code ${run.code}: ${run.visibleStdout.split('\n').find((l) => l.startsWith('::error::')) ?? run.stderr}` : expect(run);
  console.log(`\n━━ ${step} ${problem ? '✗' : '✓'} (${run.durationMs} ms)`);
  console.log(renderForTerminal(run.summary));
  if (Object.keys(run.outputs).length > 0) console.log('outputs:', run.outputs);
  if (problem) {
    failed = true;
    console.log(`  problem: ${problem}`);
  }
}

try {
  const login = await runBundle('zenml-login', { 'server-url': devStaging.url, 'api-key': devStaging.apiKey, project: 'default', stack: 'default' });
  report('zenml-login → dev-staging', login, (r) => (r.exportedEnv.ZENML_ACTIVE_PROJECT_ID ? undefined : 'ZENML_ACTIVE_PROJECT_ID was not exported'));
} finally {
  await devStaging.close();
}
console.log(`\n${failed ? 'demo FAILED' : 'demo passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
