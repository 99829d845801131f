import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { leakSurfaces, runBundle, secretForms, type BundleRun } from '../../test/harness/run-bundle.js';
import { closedPort } from '../../test/harness/closed-port.js';

/** The one `::error::` annotation a failed step shows, decoded. */
function errorLines(run: BundleRun): string[] {
  return run.visibleStdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice('::error::'.length));
}

function expectNoLeak(run: BundleRun, secrets: string[]): void {
  for (const [surface, text] of Object.entries(leakSurfaces(run))) {
    for (const s of secrets) for (const form of secretForms(s)) expect({ surface, leaked: text.includes(form) }).toEqual({ surface, leaked: false });
  }
}

const FAST_RETRY = { MLOPS_ACTIONS_RETRY_DEADLINE: '4', MLOPS_ACTIONS_REQUEST_TIMEOUT: '2' };

describe('zenml-login bundle', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ name: 'dev-staging' });
    server.seed.project({ name: 'fraud' });
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    server.faults.clear();
    server.requests.length = 0;
  });

  it('logs in, sets outputs, exports the env for later steps, writes the summary, and leaks nothing', async () => {
    const run = await runBundle('zenml-login', { 'server-url': server.url + '/', 'api-key': server.apiKey, project: 'fraud', stack: 'default' });
    expect(errorLines(run)).toEqual([]);
    expect(run.code).toBe(0);

    const [maskedKey, token] = run.masked;
    expect(maskedKey).toBe(server.apiKey);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // the access token, masked the moment it arrived

    expect(run.outputs['server-version']).toBe('0.97.0');
    expect(run.outputs['deployment-type']).toBeTruthy();
    expect(run.outputs.user).toBe('ci-bot');
    expect(run.outputs['project-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.outputs['stack-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.exportedEnv).toEqual({
      ZENML_STORE_URL: server.url,
      ZENML_STORE_API_KEY: server.apiKey,
      ZENML_ACTIVE_PROJECT_ID: run.outputs['project-id'],
      ZENML_ACTIVE_STACK_ID: run.outputs['stack-id'],
    });
    expect(run.summary).toContain('ZenML login');
    expect(run.summary).toMatch(/\| \*\*Project\*\* \| fraud `[0-9a-f-]{36}` \|/);
    expect(run.summary).toContain('ci-bot (service account)');
    expectNoLeak(run, [server.apiKey, token as string]);
    // The key reaches GITHUB_ENV only as the value later steps need; the token never.
    expect(run.rawFiles.env.split(server.apiKey).length - 1).toBe(1);
    expect(run.rawFiles.env).not.toContain(token as string);
    // One login for the whole step.
    expect(server.requests.filter((r) => r.path === '/api/v1/login')).toHaveLength(1);
  });

  it('reads server and key from ZENML_STORE_URL / ZENML_STORE_API_KEY, and exports nothing when export-env is false', async () => {
    const run = await runBundle('zenml-login', { 'export-env': 'false' }, { env: { ZENML_STORE_URL: server.url, ZENML_STORE_API_KEY: server.apiKey } });
    expect(run.code).toBe(0);
    expect(run.exportedEnv).toEqual({});
    expect(run.outputs['stack-id']).toBe('');
  });

  it('names the missing inputs in one line', async () => {
    const run = await runBundle('zenml-login', {});
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual(["Input 'server-url': is required (or set ZENML_STORE_URL)"]);
  });

  it('refuses an unknown project, listing the projects that exist', async () => {
    const run = await runBundle('zenml-login', { 'server-url': server.url, 'api-key': server.apiKey, project: 'nope' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([`Input 'project': no project 'nope' on ${server.url}; it has: default, fraud`]);
  });

  it('refuses an unknown stack, listing the stacks that exist', async () => {
    const run = await runBundle('zenml-login', { 'server-url': server.url, 'api-key': server.apiKey, stack: 'gpu' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([`Input 'stack': no stack 'gpu' on ${server.url}; it has: default`]);
  });

  it('fails a wrong key once, with the fix, without retrying and without echoing the key', async () => {
    const bad = 'ZENKEY_' + Buffer.from('{"id":"00000000-0000-0000-0000-000000000000","key":"nope"}').toString('base64');
    const run = await runBundle('zenml-login', { 'server-url': server.url, 'api-key': bad });
    expect(run.code).toBe(1);
    const lines = errorLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/401/);
    expect(lines[0]).toMatch(/API key/i);
    expect(server.requests.filter((r) => r.path === '/api/v1/login')).toHaveLength(1);
    expectNoLeak(run, [bad]);
  });

  it('retries a burst of 503s and then succeeds', async () => {
    server.faults.inject({ path: '/api/v1/current-user', status: 503, times: 2 });
    const run = await runBundle('zenml-login', { 'server-url': server.url, 'api-key': server.apiKey }, { env: FAST_RETRY });
    expect(errorLines(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(server.requests.filter((r) => r.path === '/api/v1/current-user').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('fails within the retry deadline with one clear line when the server is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runBundle('zenml-login', { 'server-url': url, 'api-key': server.apiKey }, { env: FAST_RETRY });
    expect(run.code).toBe(1);
    const lines = errorLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(url);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(run.durationMs).toBeLessThan(4_000 + 3_000); // the deadline, plus node start-up
    expectNoLeak(run, [server.apiKey]);
  });

  it('refuses a server older than 0.80 with the version found and the minimum, before sending the key', async () => {
    const old = await startTestServer({ version: '0.60.0' });
    try {
      const run = await runBundle('zenml-login', { 'server-url': old.url, 'api-key': old.apiKey });
      expect(run.code).toBe(1);
      const lines = errorLines(run);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('0.60.0');
      expect(lines[0]).toContain('0.80.0');
      expect(old.requests.map((r) => r.path)).toEqual(['/api/v1/info']);
    } finally {
      await old.close();
    }
  });

  it('logs in to a ZenML Pro workspace the same way and reports it', async () => {
    const pro = await startTestServer({ mode: 'pro', name: 'production' });
    try {
      const run = await runBundle('zenml-login', { 'server-url': pro.url, 'api-key': pro.apiKey });
      expect(run.code).toBe(0);
      expect(run.outputs['deployment-type']).toBe('cloud');
      expect(run.summary).toContain('ZenML Pro workspace');
    } finally {
      await pro.close();
    }
  });
});
