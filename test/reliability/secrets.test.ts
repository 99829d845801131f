/**
 * Scenarios built to make a secret leak: servers that quote the Authorization header and the
 * login form back in their errors, connections cut mid-answer, hosts that do not resolve or do
 * not answer, a GCS client with nowhere to go, the GitHub API refusing the token, debug logging
 * on, and a key pasted into a server URL. Every run is scanned by `runBundle` itself (stdout,
 * stderr, GITHUB_OUTPUT, GITHUB_ENV, summary, RUNNER_TEMP, the exchange, the gate report); the
 * full promotion is also scanned where it leaves things behind (exchange, workspace, both
 * servers' stored metadata). Each action runs here at least once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun, type RunBundleOptions } from '../harness/run-bundle.js';
import { seedTrainedModel, type TrainedModel } from '../harness/trained-model.js';
import { startGitHubApi, type GitHubApi } from '../peers/github-api.js';
import { startEchoProxy, type EchoProxy } from './scan-echo.js';
import { describeLeaks, findLeaks, scanServer, scanTree, secretFormsByName, type Leak, type Secret } from './scan.js';
import { closedPort } from '../harness/closed-port.js';

const FAST = { MLOPS_ACTIONS_RETRY_DEADLINE: '1', MLOPS_ACTIONS_REQUEST_TIMEOUT: '1' };
const DEBUG = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' };
const POLICY = 'version: 1\nstages:\n  production:\n    rules:\n      - accuracy >= 0.9\n';

const errors = (run: BundleRun): string[] =>
  run.visibleStdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice(9));

let dev: TestServer;
let prod: TestServer;
let devProxy: EchoProxy;
let prodProxy: EchoProxy;
let gh: GitHubApi;
let ghProxy: EchoProxy;
let trained: TrainedModel;
let root: string;
let exchange: string;
let workspace: string;

/** Every secret these scenarios have put in play, including the tokens the servers issued. */
const allSecrets = (): Secret[] => [
  { label: 'dev-staging API key', value: dev.apiKey },
  { label: 'production API key', value: prod.apiKey },
  { label: 'GitHub token', value: gh.token },
  ...[...devProxy.tokens, ...prodProxy.tokens].map((t, i) => ({ label: `issued access token #${i + 1}`, value: t })),
];

/** A run through the proxies, scanned for every secret in play (the issued tokens too). */
async function scanned(action: string, inputs: Record<string, string>, opts: RunBundleOptions = {}): Promise<BundleRun> {
  const run = await runBundle(action, inputs, { ...opts, secrets: [...allSecrets().map((s) => s.value), ...(opts.secrets ?? [])] });
  // runBundle scanned the run before returning; the issued tokens learnt during it are checked here.
  const late = findLeaks({ stdout: run.visibleStdout, stderr: run.stderr, GITHUB_OUTPUT: run.rawFiles.output, summary: run.rawFiles.summary }, allSecrets());
  expect(describeLeaks(late)).toBe('');
  return run;
}

beforeAll(async () => {
  [dev, prod, gh] = await Promise.all([
    startTestServer({ name: 'dev-staging' }),
    startTestServer({ name: 'production', mode: 'pro' }),
    startGitHubApi({ repository: 'acme/models', actor: 'release-bot' }),
  ]);
  [devProxy, prodProxy, ghProxy] = await Promise.all([startEchoProxy(dev.url), startEchoProxy(prod.url), startEchoProxy(gh.url)]);
  trained = seedTrainedModel(dev, { modelBytes: 8192 });
  root = mkdtempSync(join(tmpdir(), 'secrets-'));
  exchange = join(root, 'exchange');
  workspace = join(root, 'workspace');
  mkdirSync(exchange);
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'policy.yml'), POLICY);
});

afterEach(() => {
  for (const p of [devProxy, prodProxy, ghProxy]) p?.setRules([]);
  for (const s of [dev, prod]) s?.faults.clear();
});

afterAll(async () => {
  await Promise.all([dev?.close(), prod?.close(), gh?.stop(), devProxy?.close(), prodProxy?.close(), ghProxy?.close()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

const devLogin = (): Record<string, string> => ({ 'server-url': devProxy.url, 'api-key': dev.apiKey });
const prodLogin = (): Record<string, string> => ({ 'server-url': prodProxy.url, 'api-key': prod.apiKey });

describe('the scanner itself', () => {
  const secret = 'ZENKEY_eyJpZCI6IjEyMyIsImtleSI6InMzY3IzdC12YWx1ZS8rPT0ifQ==';
  const planted: Record<string, string> = {
    plain: `login with ${secret} failed`,
    base64: `Authorization: Basic ${Buffer.from(secret).toString('base64')}`,
    'base64, embedded': `Authorization: Basic ${Buffer.from(`ci-bot:${secret}`).toString('base64')}`,
    base64url: `state=${Buffer.from(secret).toString('base64url')}`,
    'url-encoded': `GET /login?password=${encodeURIComponent(secret)}`,
    'JSON-escaped': JSON.stringify({ detail: `key "${secret}"` }),
  };

  it.each(Object.entries(planted))('finds a secret planted %s, and names where without quoting it', (_form, text) => {
    const leaks = findLeaks({ stdout: `ok\n${text}\nbye` }, [{ label: 'the key', value: secret }]);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]?.surface).toBe('stdout');
    expect(describeLeaks(leaks)).not.toContain(secret);
    for (const form of Object.values(secretFormsByName(secret))) expect(describeLeaks(leaks)).not.toContain(form);
  });

  it('finds an access token by its shape even when nobody said it was one', () => {
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","jti":"y"}').toString('base64url')}.c2lnbmF0dXJl`;
    expect(findLeaks({ summary: `token ${jwt}` }, []).map((l) => l.form)).toEqual(['jwt-shaped token']);
    expect(findLeaks({ summary: 'no token here: eyJ but no dots' }, [])).toEqual([]);
  });

  it('finds a secret in files and in what a server stored', () => {
    const dir = join(root, 'planted');
    mkdirSync(join(dir, 'deep'), { recursive: true });
    writeFileSync(join(dir, 'deep', 'gate-report.json'), JSON.stringify({ note: encodeURIComponent(secret) }));
    const leaks: Leak[] = scanTree(dir, [{ label: 'the key', value: secret }]);
    expect(leaks.map((l) => [l.surface, l.form])).toEqual([['file deep/gate-report.json', 'url-encoded']]);

    const s = dev.seed.modelVersion({ model: trained.model, runMetadata: { debug_note: `key=${secret}` } });
    expect(scanServer(dev, [{ label: 'the key', value: secret }]).map((l) => l.surface)).toEqual(['server runMetadata']);
    expect(s).toBeTruthy();
  });

  it('makes runBundle fail loudly on a leaking run, naming surface and form but not the secret', async () => {
    // The model's name is printed by any export; declared a secret, it must be caught.
    const marker = trained.model;
    let leaks: Leak[] = [];
    await runBundle('export-model', { ...devLogin(), model: marker, exchange: `file://${exchange}`, 'dry-run': 'true' }, { secrets: [marker], onLeaks: (l) => (leaks = l), plantedLeak: true });
    expect(leaks.map((l) => l.surface)).toEqual(expect.arrayContaining(['stdout', 'step summary']));
    await expect(runBundle('export-model', { ...devLogin(), model: marker, exchange: `file://${exchange}`, 'dry-run': 'true' }, { secrets: [marker], plantedLeak: true })).rejects.toThrow(
      /Secret leak in export-model .*caller's secret #1 found in stdout \(plain\)/,
    );
  });
});

describe('servers and networks that try to make a secret leak', () => {
  it('zenml-login: the login answers 401 quoting the form with the API key', async () => {
    devProxy.setRules([{ path: /\/api\/v1\/login$/, status: 401 }]);
    const run = await scanned('zenml-login', devLogin());
    expect(run.code).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(devProxy.echoed).toBeGreaterThan(0);
  });

  it('zenml-login: a 403 quoting the Bearer token, with debug logging on', async () => {
    devProxy.setRules([{ path: /\/api\/v1\/current-user$/, status: 403 }]);
    const run = await scanned('zenml-login', devLogin(), { env: DEBUG });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::debug::');
  });

  it('zenml-login: the key pasted URL-encoded into the server URL (query and path)', async () => {
    const inQuery = await scanned('zenml-login', { ...devLogin(), 'server-url': `${devProxy.url}/?api_key=${encodeURIComponent(dev.apiKey)}` });
    expect(inQuery.code).toBe(1);
    const inPath = await scanned('zenml-login', { ...devLogin(), 'server-url': `${devProxy.url}/${encodeURIComponent(dev.apiKey)}` }, { env: FAST });
    expect(inPath.code).toBe(1);
    expect(errors(inPath)).toHaveLength(1);
  });

  it('zenml-login succeeds: the key reaches GITHUB_ENV only as ZENML_STORE_API_KEY', async () => {
    const run = await scanned('zenml-login', devLogin(), { env: DEBUG });
    expect(run.code).toBe(0);
    expect(run.exportedEnv.ZENML_STORE_API_KEY).toBe(dev.apiKey);
  });

  it('export-model: a 500 quoting the Authorization header on the model lookup, debug on', async () => {
    devProxy.setRules([{ path: /\/api\/v1\/models/, status: 500 }]);
    const run = await scanned('export-model', { ...devLogin(), model: trained.model, exchange: `file://${exchange}` }, { env: { ...DEBUG, ...FAST } });
    expect(run.code).toBe(1);
  });

  it('export-model: an echoing answer cut mid-body', async () => {
    devProxy.setRules([{ path: /\/api\/v1\/model_versions/, status: 401, cutMidBody: true }]);
    const run = await scanned('export-model', { ...devLogin(), model: trained.model, exchange: `file://${exchange}` }, { env: FAST });
    expect(run.code).toBe(1);
  });

  it('export-model: gs:// with a GCS endpoint that refuses, quoting the request back, debug on', async () => {
    const gcs = await startEchoProxy(`http://127.0.0.1:${await closedPort()}`);
    try {
      gcs.setRules([{ path: /.*/, status: 403 }]);
      const run = await scanned(
        'export-model',
        { ...devLogin(), model: trained.model, exchange: 'gs://ml-exchange/bundles' },
        { env: { ...DEBUG, ...FAST, STORAGE_EMULATOR_HOST: gcs.url, GOOGLE_CLOUD_PROJECT: 'demo' } },
      );
      expect(run.code).toBe(1);
      expect(gcs.echoed).toBeGreaterThan(0);
    } finally {
      await gcs.close();
    }
  });

  it('import-model: connections reset while registering, debug on', async () => {
    const exp = await scanned('export-model', { ...devLogin(), model: trained.model, exchange: `file://${exchange}` });
    expect(exp.code).toBe(0);
    prod.faults.inject({ path: '/api/v1/artifact_versions', method: 'POST', reset: true, times: 20 });
    const run = await scanned('import-model', { ...prodLogin(), manifest: exp.outputs['manifest-uri'] ?? '' }, { env: { ...DEBUG, ...FAST } });
    expect(run.code).toBe(1);
  });

  it('import-model: a 422 quoting the request (headers and JSON body) on model creation', async () => {
    const exp = await scanned('export-model', { ...devLogin(), model: trained.model, exchange: `file://${exchange}` });
    prodProxy.setRules([{ method: 'POST', path: /\/api\/v1\/models$/, status: 422 }]);
    const run = await scanned('import-model', { ...prodLogin(), manifest: exp.outputs['manifest-uri'] ?? '', model: 'clf-echo' }, { env: FAST });
    expect(run.code).toBe(1);
  });

  it('gate-promotion: the GitHub API answers 401 quoting the token (require-approval)', async () => {
    ghProxy.setRules([{ path: /\/approvals$/, status: 401, shape: 'github' }]);
    const run = await scanned(
      'gate-promotion',
      { ...devLogin(), model: trained.model, thresholds: 'accuracy>=0.9', 'require-approval': 'true', 'github-token': gh.token },
      { env: { ...gh.env, GITHUB_API_URL: ghProxy.url, GITHUB_WORKSPACE: workspace, ...DEBUG } },
    );
    expect(run.code).toBe(1);
    expect(ghProxy.echoed).toBeGreaterThan(0);
  });

  it('gate-promotion: GitHub answers 500 quoting the token to GITHUB_TOKEN from the env; the champion server 403s quoting its token', async () => {
    ghProxy.setRules([{ path: /\/approvals$/, status: 500, shape: 'github' }]);
    prodProxy.setRules([{ path: /\/api\/v1\/model_versions/, status: 403 }]);
    const run = await scanned(
      'gate-promotion',
      { ...devLogin(), model: trained.model, policy: 'policy.yml', 'require-approval': 'true', 'champion-server-url': prodProxy.url, 'champion-api-key': prod.apiKey, champion: 'production' },
      { env: { ...gh.env, GITHUB_TOKEN: gh.token, GITHUB_API_URL: ghProxy.url, GITHUB_WORKSPACE: workspace, ...FAST } },
    );
    expect(run.code).toBe(1);
  });

  it('promote: the source server does not resolve (DNS) in a cross-server promotion', async () => {
    const run = await scanned(
      'promote',
      { ...prodLogin(), model: trained.model, version: 'staging', 'to-stage': 'production', 'source-server-url': 'http://zenml-dev-staging.invalid', 'source-api-key': dev.apiKey, exchange: `file://${exchange}` },
      { env: { ...DEBUG, ...FAST } },
    );
    expect(run.code).toBe(1);
    expect(errors(run)[0]).toMatch(/ENOTFOUND|resolve/);
  });

  it('rollback: the server is unreachable, debug on', async () => {
    const run = await scanned('rollback', { ...prodLogin(), 'server-url': `http://127.0.0.1:${await closedPort()}`, model: trained.model, reason: 'test' }, { env: { ...DEBUG, ...FAST } });
    expect(run.code).toBe(1);
  });

  it('run-snapshot: the trigger answers 500 quoting the request, debug on', async () => {
    prod.seed.pipeline({ name: 'batch' });
    const stack = prod.seed.stack({ name: 'remote', containerRegistry: true });
    const build = prod.seed.build({ pipeline: 'batch', stackId: stack.id });
    prod.seed.snapshot({ pipeline: 'batch', stackId: stack.id, runnable: true, name: 'PROD_x', buildId: build });
    prodProxy.setRules([{ method: 'POST', path: /\/runs$/, status: 500 }]);
    const run = await scanned('run-snapshot', { ...prodLogin(), snapshot: 'PROD_x', pipeline: 'batch', parameters: 'a: 1' }, { env: { ...DEBUG, ...FAST } });
    expect(run.code).toBe(1);
  });

  it('build-snapshot: naming the snapshot answers 401 quoting the token', async () => {
    prodProxy.setRules([{ method: 'PUT', path: /\/api\/v1\/pipeline_snapshots\//, status: 401 }]);
    const anon = prod.seed.snapshot({ pipeline: 'batch', stackId: [...prod.store.stacks.values()][0]?.id ?? '', runnable: true });
    prod.seed.pipelineRun({ pipeline: 'batch', name: 'batch-run-1', snapshotId: anon, status: 'completed' });
    const run = await scanned('build-snapshot', { ...prodLogin(), 'from-run': 'batch-run-1', name: 'PROD_y' }, { env: FAST });
    expect(run.code).toBe(1);
  });
});

describe('a whole promotion leaves no secret behind', () => {
  it('export → gate (recorded) → import → promote → rollback: logs, files, the exchange, the workspace and both servers are clean', async () => {
    const github = { ...gh.env, GITHUB_API_URL: gh.url, GITHUB_WORKSPACE: workspace, GITHUB_SHA: 'feedfacecafebeef0000000000000000deadbeef' };
    gh.setApprovals(Number(gh.env.GITHUB_RUN_ID), [{ environments: ['production'], state: 'approved', user: 'reviewer' }]);
    const exp = await scanned('export-model', { ...devLogin(), model: trained.model, exchange: `file://${exchange}` }, { env: github });
    expect(exp.code).toBe(0);
    const gate = await scanned(
      'gate-promotion',
      { ...devLogin(), model: trained.model, policy: 'policy.yml', record: 'true', 'require-approval': 'true', 'github-token': gh.token, 'champion-server-url': prodProxy.url, 'champion-api-key': prod.apiKey, champion: 'production' },
      { env: { ...github, ...DEBUG } },
    );
    expect(errors(gate)).toEqual([]);
    const imp = await scanned('import-model', { ...prodLogin(), manifest: exp.outputs['manifest-uri'] ?? '', stage: 'staging', model: 'clf-whole' }, { env: github });
    expect(errors(imp)).toEqual([]);
    const pro = await scanned('promote', { ...prodLogin(), model: 'clf-whole', 'from-stage': 'staging', 'to-stage': 'production', force: 'true', 'require-approval': 'true', 'github-token': gh.token }, { env: github });
    expect(errors(pro)).toEqual([]);
    const back = await scanned('rollback', { ...prodLogin(), model: 'clf-whole', stage: 'production', reason: 'rehearsal', 'dry-run': 'true' }, { env: github });
    expect(back.code).toBe(1); // nothing held production before: a dry run with nothing to restore says so

    const secrets = allSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(5); // three keys/tokens and at least two issued access tokens
    const leaks = [...scanTree(exchange, secrets), ...scanTree(workspace, secrets), ...scanServer(dev, secrets), ...scanServer(prod, secrets)];
    expect(describeLeaks(leaks)).toBe('');
  });
});
