import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { leakSurfaces, runBundle, secretForms, type BundleRun } from '../../test/harness/run-bundle.js';
import { startGitHubApi, type GitHubApi } from '../../test/peers/github-api.js';

function errors(run: BundleRun): string[] {
  return run.visibleStdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice(9));
}
function expectOk(run: BundleRun): void {
  expect({ errors: errors(run), code: run.code }).toEqual({ errors: [], code: 0 });
}
function expectNoLeak(run: BundleRun, secrets: string[]): void {
  for (const [surface, text] of Object.entries(leakSurfaces(run))) {
    for (const s of secrets) for (const form of secretForms(s)) expect({ surface, leaked: text.includes(form) }).toEqual({ surface, leaked: false });
  }
}
const writes = (s: TestServer) => s.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login');
const md = (s: TestServer, id: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const e of s.store.runMetadata) if (e.resourceId === id) out[e.key] = e.value;
  return out;
};

const POLICY = `version: 1
stages:
  production:
    rules:
      - metric: accuracy
        op: ">="
        value: 0.9
      - metric: f1
        champion:
          max-regression: 0.01
    required-tags: [candidate]
    require-approval: true
    refuse-self-approval: true
`;

describe('gate-promotion → promote → rollback, bundled actions', () => {
  let zen: TestServer;
  let gh: GitHubApi;
  let workspace: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    zen = await startTestServer({ name: 'production' });
    gh = await startGitHubApi({ actor: 'release-bot', pullRequest: { number: 7 } });
    gh.openIssue(7);
    workspace = mkdtempSync(join(tmpdir(), 'ws-'));
    writeFileSync(join(workspace, 'promotion-policy.yml'), POLICY);
    zen.seed.model({ name: 'clf' });
    ids.v1 = zen.seed.modelVersion({ model: 'clf', stage: 'production', runMetadata: { accuracy: 0.91, f1: 0.86 } });
    ids.v2 = zen.seed.modelVersion({ model: 'clf', stage: 'staging', tags: ['candidate'], runMetadata: { accuracy: 0.93, f1: 0.855 } });
    ids.v3 = zen.seed.modelVersion({ model: 'clf', tags: ['candidate'], runMetadata: { accuracy: 0.85, f1: 'n/a' } });
  });
  afterAll(async () => {
    await zen.close();
    await gh.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  const server = () => ({ 'server-url': zen.url, 'api-key': zen.apiKey, model: 'clf' });
  const env = () => ({ ...gh.env, GITHUB_WORKSPACE: workspace });

  it('passes staging v2 on the reviewed policy, records report and approver, and updates one sticky PR comment', async () => {
    gh.setApprovals(gh.env.GITHUB_RUN_ID ? Number(gh.env.GITHUB_RUN_ID) : 0, [
      { environments: ['production'], state: 'approved', user: 'alice', comment: 'metrics reviewed' },
      { environments: ['production'], state: 'approved', user: 'release-bot' },
    ]);
    const inputs = { ...server(), version: 'staging', policy: 'promotion-policy.yml', environment: 'production', record: 'true', comment: 'true', 'github-token': gh.token };
    const gate = await runBundle('gate-promotion', inputs, { env: env() });
    expectOk(gate);
    expect(gate.outputs.passed).toBe('true');
    // The holder it compared with, ready for promote's compare-and-swap.
    expect([gate.outputs['champion-version'], gate.outputs['champion-version-id']]).toEqual(['1', ids.v1]);
    const report = JSON.parse(readFileSync(gate.outputs['report-path'] as string, 'utf8')) as { passed: boolean; approvals: { reviewer: string }[] };
    expect(report.passed).toBe(true);
    expect(gate.summary).toMatch(/\| accuracy \| .*>= 0\.9.* \| 0\.93 \|.*✅/);
    expect(gate.summary).toContain('alice');
    // Recorded on the candidate: the report and who approved.
    const recorded = md(zen, ids.v2 as string);
    expect(recorded.gate_passed).toBe(true);
    expect(JSON.stringify(recorded.approvals)).toContain('alice');
    // One sticky comment, updated in place on a second run.
    expect(gh.comments(7)).toHaveLength(1);
    const again = await runBundle('gate-promotion', inputs, { env: env() });
    expectOk(again);
    expect(gh.comments(7)).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.includes('/comments'))).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expectNoLeak(gate, [zen.apiKey, gh.token]);
  });

  it('rejects a candidate whose metric is missing or not a number, failing closed with one line', async () => {
    const gate = await runBundle('gate-promotion', { ...server(), version: '3', thresholds: 'accuracy>=0.9, f1>=0.8' }, { env: env() });
    expect(gate.code).toBe(1);
    expect(gate.outputs.passed).toBe('false');
    expect(errors(gate)).toHaveLength(1);
    expect(errors(gate)[0]).toMatch(/^Gate rejected .*accuracy.*f1 is 'n\/a', not a number/);
    expect(gate.summary).toContain('❌');

    const soft = await runBundle('gate-promotion', { ...server(), version: '3', thresholds: 'accuracy>=0.9', 'fail-on-reject': 'false' }, { env: env() });
    expect(soft.code).toBe(0);
    expect(soft.outputs.passed).toBe('false');
  });

  it('refuses self-approval when the policy says so', async () => {
    gh.setApprovals(Number(gh.env.GITHUB_RUN_ID), [{ environments: ['production'], state: 'approved', user: 'release-bot' }]);
    const gate = await runBundle('gate-promotion', { ...server(), version: 'staging', policy: 'promotion-policy.yml', 'github-token': gh.token }, { env: env() });
    expect(gate.code).toBe(1);
    expect(errors(gate)[0]).toMatch(/self-approval|release-bot/);
  });

  it('promotes with compare-and-swap, refuses a stale expectation without writing, and dry-runs without writing', async () => {
    gh.setApprovals(Number(gh.env.GITHUB_RUN_ID), [{ environments: ['production'], state: 'approved', user: 'alice' }]);
    zen.requests.length = 0;
    const dry = await runBundle('promote', { ...server(), 'from-stage': 'staging', 'to-stage': 'production', 'expected-current-version': '1', 'dry-run': 'true' }, { env: env() });
    expectOk(dry);
    expect(dry.visibleStdout).toContain('would promote clf v2 → production, archiving v1');
    expect(writes(zen)).toEqual([]);

    const promoted = await runBundle(
      'promote',
      { ...server(), 'from-stage': 'staging', 'to-stage': 'production', 'expected-current-version': '1', 'require-approval': 'true', environment: 'production', 'github-token': gh.token },
      { env: env() },
    );
    expectOk(promoted);
    expect(promoted.outputs['model-version-id']).toBe(ids.v2);
    expect(promoted.outputs['previous-version-id']).toBe(ids.v1);
    expect(zen.store.modelVersions.get(ids.v1 as string)?.stage).toBe('archived');
    expect(JSON.stringify(md(zen, ids.v2 as string).last_promotion)).toContain('alice');
    expect(promoted.summary).toContain('Promote clf v2 → production');

    zen.requests.length = 0;
    const stale = await runBundle('promote', { ...server(), version: '3', 'to-stage': 'production', 'expected-current-version': '1' }, { env: env() });
    expect(stale.code).toBe(1);
    expect(errors(stale)).toEqual(['production is held by v2, not v1 (expected-current-version, compare-and-swap); nothing was changed.']);
    expect(writes(zen)).toEqual([]);
  });

  it('rolls production back to the version that held it before, recording the reason', async () => {
    const rb = await runBundle('rollback', { ...server(), reason: 'latency regression in prod' }, { env: env() });
    expectOk(rb);
    expect(rb.outputs['model-version-id']).toBe(ids.v1);
    expect(rb.outputs['rolled-back-from']).toBe(ids.v2);
    expect(zen.store.modelVersions.get(ids.v1 as string)?.stage).toBe('production');
    expect(zen.store.modelVersions.get(ids.v2 as string)?.stage).toBe('archived');
    expect(JSON.stringify(md(zen, ids.v1 as string).last_promotion)).toContain('latency regression in prod');
    expect(rb.summary).toContain('Roll back clf production');

    const noReason = await runBundle('rollback', { ...server() }, { env: env() });
    expect(errors(noReason)).toEqual(["Input 'reason': is required"]);
  });
});
