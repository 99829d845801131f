/** The gate against the test server: facts read from ZenML, the report written back, and its summary. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import type { RunContext } from '../action/github-context.js';
import { InputError } from '../errors.js';
import type { Manifest } from '../manifest/schema.js';
import { ModelVersionResponseSchema, parseResponse, runMetadata, ZenmlClient } from '../zenml/index.js';
import { gateManifest } from './manifest-gate.js';
import { candidateFromManifest, candidateFromServer, championFromServer } from './facts.js';
import { combinePolicy } from './policy.js';
import { buildReport, gateFailureMessage, gateTally, recordGateReport, withApprovals } from './report.js';
import { gateSummary } from './summary.js';
import { parseThresholds } from './thresholds.js';
import type { ApprovalRecord, GateReport } from './types.js';

const RUN: RunContext = {
  actor: 'octocat',
  repository: 'acme/readmission',
  commit: '0123456789abcdef0123456789abcdef01234567',
  workflowRunUrl: 'https://github.com/acme/readmission/actions/runs/42',
  eventName: 'workflow_dispatch',
  at: '2025-06-30T12:00:00.000Z',
};

let server: TestServer;
let client: ZenmlClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ name: 'dev-staging' });
  client = new ZenmlClient({ serverUrl: server.url, apiKey: server.apiKey, retry: { deadlineMs: 1000, baseMs: 5, capMs: 20, maxAttempts: 2 } });
  server.seed.model({ name: 'readmission-clf' });
  ids.v1 = server.seed.modelVersion({ model: 'readmission-clf', stage: 'production', tags: ['validated'], runMetadata: { accuracy: 0.92, f1: 0.87, latency_ms: 110 } });
  ids.v2 = server.seed.modelVersion({ model: 'readmission-clf', stage: 'staging', tags: ['candidate', 'validated'], runMetadata: { accuracy: 0.931, f1: 0.884, latency_ms: 95, dataset: 'uci-diabetes', notes: 'n/a' } });
  ids.v3 = server.seed.modelVersion({ model: 'readmission-clf', name: 'experiment', runMetadata: { accuracy: 0.5 } });
  server.seed.model({ name: 'unpromoted' });
  server.seed.modelVersion({ model: 'unpromoted', stage: 'staging', runMetadata: { accuracy: 0.8 } });
});
afterAll(async () => {
  await server.close();
});

describe('candidateFromServer', () => {
  test('by stage: every run-metadata value, tags, stage, creation time', async () => {
    const c = await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: 'staging' });
    expect(c).toMatchObject({
      model: 'readmission-clf',
      version: '2',
      number: 2,
      modelVersionId: ids.v2,
      stage: 'staging',
      metrics: { accuracy: 0.931, f1: 0.884, latency_ms: 95, dataset: 'uci-diabetes', notes: 'n/a' },
      origin: 'server',
      serverUrl: server.url,
      project: 'default',
    });
    expect([...c.tags].sort()).toEqual(['candidate', 'validated']);
    expect(c.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(c.createdAt as string) - Date.now())).toBeLessThan(60_000);
  });

  test('by number, by name, and latest', async () => {
    expect((await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: '1' })).modelVersionId).toBe(ids.v1);
    const named = await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: 'experiment' });
    expect(named).toMatchObject({ modelVersionId: ids.v3, version: 'experiment', number: 3, stage: null, tags: [] });
    expect((await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: 'latest' })).modelVersionId).toBe(ids.v3);
  });

  test('an unknown version is the version input\'s error, naming what exists', async () => {
    await expect(candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: '7' })).rejects.toThrow(
      /^Input 'version': model 'readmission-clf' has no version number 7; its versions, newest first: 3 'experiment', 2 \(staging\), 1 \(production\)/,
    );
    await expect(candidateFromServer(client, { project: 'default', model: 'nope', version: '1' })).rejects.toThrow(/^Input 'model': no model 'nope'/);
  });
});

describe('championFromServer', () => {
  test('the holder of the stage', async () => {
    const champ = await championFromServer(client, { project: 'default', model: 'readmission-clf', stage: 'production' });
    expect(champ).toMatchObject({ version: '1', modelVersionId: ids.v1, stage: 'production', metrics: { accuracy: 0.92, f1: 0.87 } });
  });

  test('an empty stage, and a model the server does not have yet: no champion', async () => {
    expect(await championFromServer(client, { project: 'default', model: 'unpromoted', stage: 'production' })).toBeUndefined();
    expect(await championFromServer(client, { project: 'default', model: 'never-imported', stage: 'production' })).toBeUndefined();
  });

  test('a stage no version can hold, or an unknown project, is an input error', async () => {
    await expect(championFromServer(client, { project: 'default', model: 'readmission-clf', stage: 'latest' })).rejects.toThrow(InputError);
    await expect(championFromServer(client, { project: 'default', model: 'readmission-clf', stage: 'prod', stageInput: 'champion' })).rejects.toThrow(
      "Input 'champion': 'prod' is not a stage a model version can hold: expected one of staging, production, archived.",
    );
    await expect(championFromServer(client, { project: 'nope', model: 'readmission-clf', stage: 'production' })).rejects.toThrow(/^Input 'project': no project 'nope'/);
  });
});

describe('the gate end to end', () => {
  async function report(): Promise<GateReport> {
    const candidate = await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: 'staging' });
    const champion = await championFromServer(client, { project: 'default', model: 'readmission-clf', stage: 'production' });
    const policy = combinePolicy(undefined, {
      rules: parseThresholds('accuracy>=0.90, f1>=0.85, latency_ms<=120, notes>=1'),
      requiredTags: ['validated'],
      requireApproval: true,
      refuseSelfApproval: true,
      champion: { maxRegression: { f1: 0.01, latency_ms: 5 } },
    });
    return buildReport({ policy, candidate, champion, targetStage: 'production', run: RUN, now: new Date() });
  }

  const approval = (reviewer: string, state = 'approved'): ApprovalRecord => ({
    reviewer,
    state,
    comment: 'ship it | carefully',
    environment: 'production',
    observedAt: '2025-06-30T12:01:00.000Z',
  });

  test('buildReport: rows, verdict, champion', async () => {
    const r = await report();
    expect(r).toMatchObject({ schemaVersion: 1, model: 'readmission-clf', version: '2', modelVersionId: ids.v2, targetStage: 'production', passed: false, approvals: [], run: RUN });
    expect(r.champion).toEqual({ version: '1', modelVersionId: ids.v1, serverUrl: server.url });
    expect(r.results.map((x) => [x.rule, x.passed])).toEqual([
      ['accuracy >= 0.9', true],
      ['f1 >= 0.85', true],
      ['latency_ms <= 120', true],
      ['notes >= 1', false],
      ['f1 ≥ champion − 0.01', true],
      ['latency_ms ≤ champion + 5', true],
      ["tag 'validated'", true],
    ]);
    expect(gateTally(r)).toBe('6/7 rules pass; failing: notes >= 1');
    expect(gateFailureMessage(r)).toBe("Gate rejected readmission-clf v2 for production: notes is 'n/a', not a number, on readmission-clf v2.");
  });

  test('withApprovals: none approved fails; self-approval refused; another reviewer passes', async () => {
    const base = await report();
    const none = withApprovals(base, [], { ok: true });
    expect(none.results.at(-1)).toMatchObject({ kind: 'approval', passed: false, reason: "No reviewer approved this workflow run's environment; require-approval is set." });

    const self = withApprovals(base, [approval('OctoCat')], { ok: true });
    expect(self.results.at(-1)).toMatchObject({ passed: false, candidate: 'OctoCat', reason: 'The only approval is by octocat, who triggered the run; refuse-self-approval is set.' });

    const problem = withApprovals(base, [approval('hubot')], { ok: false, problem: 'could not read the approvals (403)' });
    expect(problem.results.at(-1)).toMatchObject({ passed: false, reason: 'Could not read the approvals (403).' });

    const fixed = { ...base, results: base.results.filter((x) => x.rule !== 'notes >= 1') };
    const ok = withApprovals(withApprovals(fixed, [], { ok: true }), [approval('octocat'), approval('hubot')], { ok: true });
    expect(ok.results.filter((x) => x.kind === 'approval')).toEqual([
      { kind: 'approval', rule: "environment approval, not by the run's actor", candidate: 'octocat, hubot', passed: true, reason: 'Approved by hubot (production).' },
    ]);
    expect(ok.passed).toBe(true);
    expect(ok.approvals).toHaveLength(2);
  });

  test('recordGateReport writes gate_report, gate_passed and approvals onto the version', async () => {
    const r = withApprovals(await report(), [approval('hubot')], { ok: true });
    server.requests.length = 0;
    await recordGateReport(client, { project: 'default', modelVersionId: ids.v2 as string, report: r });

    const writes = server.requests.filter((x) => x.method !== 'GET');
    expect(writes.map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual(['POST /api/v1/run-metadata 200']);
    const stored = server.store.runMetadata.filter((e) => e.resourceId === ids.v2 && ['gate_report', 'gate_passed', 'approvals'].includes(e.key));
    expect(Object.fromEntries(stored.map((e) => [e.key, e.type]))).toEqual({ gate_report: 'dict', gate_passed: 'bool', approvals: 'list' });

    // Read back through the REST API, as any later step would.
    const { data } = await client.api.GET('/api/v1/model_versions/{model_version_id}', { params: { path: { model_version_id: ids.v2 as string }, query: { hydrate: true } } });
    const md = runMetadata(parseResponse(ModelVersionResponseSchema, data, 'GET model version'));
    expect(md.gate_passed).toBe(false);
    expect(md.approvals).toEqual(r.approvals);
    expect(md.gate_report).toEqual(JSON.parse(JSON.stringify(r)));
    expect((md.gate_report as GateReport).results).toHaveLength(r.results.length);
    // The candidate's own metrics are untouched.
    expect(md.accuracy).toBe(0.931);
  });

  test('no approvals: no approvals key', async () => {
    const r = await report();
    await recordGateReport(client, { project: 'default', modelVersionId: ids.v1 as string, report: r });
    const keys = server.store.runMetadata.filter((e) => e.resourceId === ids.v1).map((e) => e.key);
    expect(keys).toEqual(expect.arrayContaining(['gate_report', 'gate_passed']));
    expect(keys).not.toContain('approvals');
  });
});

describe('candidateFromManifest', () => {
  const manifest = {
    schemaVersion: 1,
    kind: 'mlops-actions/model-bundle',
    bundleDigest: `sha256:${'b'.repeat(64)}`,
    model: { name: 'readmission-clf', versionName: '12', versionNumber: 12, stage: 'staging', description: null, tags: ['validated'] },
    source: {
      serverUrl: 'https://dev.example.com',
      serverId: 'srv',
      serverVersion: '0.97.0',
      project: 'readmission',
      projectId: '11111111-1111-4111-8111-111111111111',
      modelId: '22222222-2222-4222-8222-222222222222',
      modelVersionId: '33333333-3333-4333-8333-333333333333',
      trainingDate: '2025-06-20T09:00:00.000001',
    },
    metrics: { accuracy: 0.93, f1: 0.88 },
    metadata: { dataset: 'uci', f1: 'shadowed by the metric', hyperparameters: { max_depth: 12 } },
    artifacts: [],
    promotionChain: [],
    exportedAt: '2025-06-21T00:00:00Z',
    exportedBy: { tool: 'mlops-actions', version: '0.1.0' },
  } satisfies Manifest;

  test('metrics and metadata merged, tags, training date as the creation time', () => {
    expect(candidateFromManifest(manifest)).toEqual({
      model: 'readmission-clf',
      version: '12',
      number: 12,
      modelVersionId: '33333333-3333-4333-8333-333333333333',
      stage: 'staging',
      metrics: { dataset: 'uci', f1: 0.88, accuracy: 0.93, hyperparameters: { max_depth: 12 } },
      tags: ['validated'],
      createdAt: '2025-06-20T09:00:00.000Z',
      origin: 'manifest',
      serverUrl: 'https://dev.example.com',
      project: 'readmission',
    });
  });

  test('gateManifest: policy read from the workspace, thresholds added, champion optional', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'gate-ws-'));
    try {
      mkdirSync(join(workspace, '.github'));
      writeFileSync(join(workspace, '.github/promotion-policy.yml'), 'version: 1\nstages:\n  production:\n    rules: ["accuracy >= 0.9", {metric: f1, champion: {max-regression: 0.01}}]\n    required-tags: [validated]\n');
      const lines: string[] = [];
      const gate = await gateManifest({ policy: '.github/promotion-policy.yml', thresholds: 'f1>=0.9', targetStage: 'production', workspace, run: RUN, log: (l) => lines.push(l) });
      const v = await gate(manifest);
      expect(v.passed).toBe(false);
      expect(v.summary).toBe('3/4 rules pass; failing: f1 >= 0.9');
      expect(v.report.results.find((r) => r.kind === 'champion')?.reason).toBe('no champion holds production; nothing to compare.');
      expect(lines).toEqual(['Gate for production: rejected (3/4 rules pass; failing: f1 >= 0.9).', '  ✗ f1 >= 0.9: f1 is 0.88 on readmission-clf v12, below 0.9.']);
      const withChampion = await (await gateManifest({ thresholds: 'accuracy>=0.9', targetStage: 'production', run: RUN, champion: async () => undefined }))(manifest);
      expect(withChampion).toMatchObject({ passed: true, summary: '1/1 rule pass' });
      // A bad policy fails when the gate is made, before any export work.
      await expect(gateManifest({ policy: '.github/nope.yml', targetStage: 'production', workspace })).rejects.toThrow(/^Input 'policy': \.github\/nope\.yml: no such file/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  test('an unknown training date leaves no creation time (max-age then fails closed)', () => {
    const c = candidateFromManifest({ ...manifest, source: { ...manifest.source, trainingDate: 'unknown' } });
    expect(c.createdAt).toBeUndefined();
  });
});

describe('gateSummary', () => {
  test('one row per rule with candidate, champion and verdict, then the approvals', async () => {
    const candidate = await candidateFromServer(client, { project: 'default', model: 'readmission-clf', version: 'staging' });
    const champion = await championFromServer(client, { project: 'default', model: 'readmission-clf', stage: 'production' });
    const policy = combinePolicy(undefined, { rules: parseThresholds('accuracy>=0.95, notes>=1'), requiredTags: ['validated'], requireApproval: true, champion: { maxRegression: { f1: 0.01 } } });
    const r = withApprovals(buildReport({ policy, candidate, champion, targetStage: 'production', run: RUN }), [
      { reviewer: 'hubot', state: 'approved', comment: 'ship it | now', environment: 'production', observedAt: '2025-06-30T12:01:00.000Z' },
    ], { ok: true });
    const md = gateSummary(r);
    expect(md).toContain('### Promotion gate: readmission-clf v2 → production: ❌ rejected');
    expect(md).toContain('| metric | rule | candidate | champion | verdict | why |');
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    expect(rows).toEqual(
      expect.arrayContaining([
        '| accuracy | accuracy >= 0.95 | 0.931 | — | ❌ | accuracy is 0.931 on readmission-clf v2, below 0.95. |',
        "| notes | notes >= 1 | 'n/a' | — | ❌ | notes is 'n/a', not a number, on readmission-clf v2. |",
        '| f1 | f1 ≥ champion − 0.01 | 0.884 | 0.87 | ✅ | f1 is 0.884 on readmission-clf v2; the champion readmission-clf v1 has 0.87, max regression 0.01, so the bound is 0.86. |',
        "| — | tag 'validated' | validated | — | ✅ | readmission-clf v2 has the tag 'validated'. |",
        '| — | environment approval | hubot | — | ✅ | Approved by hubot (production). |',
      ]),
    );
    // The approvals table is the GitHub helper's (approvalsTable); it carries the note about time.
    expect(md).toMatch(/#### Approvals\n\n.*\n.*\n\| hubot \| .*approved \| production \| ship it \\\| now \| 2025-06-30T12:01:00\.000Z \|/);
    expect(md).toContain('| **Rules** | 3/5 rules pass; failing: accuracy >= 0.95, notes >= 1 |');
    expect(md).toMatch(/GitHub records no time for a deployment review; "observed at" is when this step read it/);
  });

  test('a passing gate without approvals says so', () => {
    const r: GateReport = {
      schemaVersion: 1,
      model: 'churn',
      version: 'golden',
      targetStage: 'staging',
      passed: true,
      results: [{ kind: 'threshold', rule: 'auc >= 0.8', metric: 'auc', candidate: 0.9, passed: true, reason: 'auc is 0.9 on churn, which meets >= 0.8.' }],
      approvals: [],
      evaluatedAt: RUN.at,
      run: RUN,
    };
    const md = gateSummary(r);
    expect(md).toContain("### Promotion gate: churn version 'golden' → staging: ✅ passed");
    expect(md).not.toContain('Champion'); // no champion rules: no champion row
    expect(md).toContain('_None read: approval is not required by this policy._');
  });
});
