/**
 * The point of net/: an action's ZenML traffic must not load undici. Checked in a child process
 * (the test runner itself loads undici), by Node's own record of the built-in modules it loaded:
 * touching any undici-backed global (fetch, Request, Response, Headers, FormData) adds
 * `internal/deps/undici/undici` to `process.moduleLoadList`.
 *
 * The same children show that idle keep-alive connections do not keep a finished process alive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runTsChild, type ChildRun } from './__fixtures__/child.js';
import { startServer, type LocalServer } from './__fixtures__/server.js';
import { LOCALHOST_CERT } from './__fixtures__/tls.js';

const src = resolve(import.meta.dirname, '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'net-undici-free-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a TypeScript module (through tsx) in a fresh Node process. */
function runChild(name: string, code: string, env: Record<string, string> = {}): Promise<ChildRun> {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, code);
  return runTsChild(file, { ...process.env, ...env });
}

/** The child's JSON report: the line before DONE. */
function report(run: ChildRun): Record<string, unknown> {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`child printed no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const UNDICI = `process.moduleLoadList.filter((m) => /undici/i.test(m))`;

describe('no undici on the ZenML path', () => {
  let zenml: TestServer;
  beforeAll(async () => {
    zenml = await startTestServer();
  });
  afterAll(() => zenml.close());

  it('a login, GETs and a JSON POST through ZenmlClient load no undici, and the process exits at once', async () => {
    const run = await runChild(
      'zenml-path',
      `
      const { ZenmlClient } = await import(${JSON.stringify(join(src, 'zenml', 'client.ts'))});
      const c = new ZenmlClient({ serverUrl: process.env.SERVER_URL, apiKey: process.env.API_KEY });
      const info = await c.assertSupportedServer();              // GET, no auth
      await c.login();                                           // POST, form body
      const user = await c.currentUser();                        // GET, Bearer token
      const project = await c.findProject('default');            // typed GET
      const created = await c.api.POST('/api/v1/models', { body: { project: project.id, name: 'undici-free' } }); // typed POST, JSON body
      const found = await c.findModel('default', 'undici-free'); // paginated list through client.fetch
      console.log(JSON.stringify({ version: info.version, user: user.name, created: created.data?.name, found: found?.name, undici: ${UNDICI} }));
      console.log('DONE');
      `,
      { SERVER_URL: zenml.url, API_KEY: zenml.apiKey },
    );
    expect(run.stderr).toBe('');
    expect(report(run)).toEqual({ version: '0.97.0', user: 'ci-bot', created: 'undici-free', found: 'undici-free', undici: [] });
    expect(run.code).toBe(0);
    // The server keeps idle connections for 5 s and our pool for 4 s: an exit well before either
    // means the pooled connection did not hold the process.
    expect(run.exitLagMs).toBeLessThan(1500);
  });

  it('the probe is honest: touching the global Response loads undici', async () => {
    const run = await runChild('control', `void globalThis.Response; console.log(JSON.stringify({ undici: ${UNDICI} })); console.log('DONE');`);
    expect((report(run).undici as string[]).length).toBeGreaterThan(0);
  });
});

describe('keep-alive connections and process exit', () => {
  let server: LocalServer;
  beforeAll(async () => {
    // Keeps idle connections a minute: only the client side can let the process go.
    server = await startServer((_req, res) => res.end('pong'), { keepAliveTimeoutMs: 60_000 });
  });
  afterAll(() => server.close());

  it('a process whose only handle is an idle pooled connection exits', async () => {
    const run = await runChild(
      'idle-exit',
      `
      const { liteFetch } = await import(${JSON.stringify(join(src, 'net', 'index.ts'))});
      const a = await (await liteFetch(process.env.URL)).text();
      const b = await (await liteFetch(process.env.URL)).text();
      console.log(JSON.stringify({ a, b, undici: ${UNDICI} }));
      console.log('DONE');
      `,
      { URL: server.url },
    );
    expect(report(run)).toEqual({ a: 'pong', b: 'pong', undici: [] });
    expect(run.code).toBe(0);
    expect(run.exitLagMs).toBeLessThan(1500);
  });

  it('a request still waiting for its answer does keep the process alive', async () => {
    const slow = await startServer((_req, res) => setTimeout(() => res.end('late'), 700));
    try {
      const run = await runChild(
        'pending',
        `
        const { liteFetch } = await import(${JSON.stringify(join(src, 'net', 'index.ts'))});
        void liteFetch(process.env.URL).then((r) => r.text()).then((t) => { console.log(JSON.stringify({ t })); console.log('DONE'); });
        `,
        { URL: slow.url },
      );
      expect(report(run)).toEqual({ t: 'late' });
      expect(run.code).toBe(0);
    } finally {
      await slow.close();
    }
  });
});

describe('HTTPS', () => {
  it('talks TLS to a server trusted through NODE_EXTRA_CA_CERTS, on one connection, and checks the host name', async () => {
    const server = await startServer((_req, res) => res.end('over tls'), { tls: true, keepAliveTimeoutMs: 60_000 });
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, LOCALHOST_CERT);
    try {
      const run = await runChild(
        'tls',
        `
        const { liteFetch } = await import(${JSON.stringify(join(src, 'net', 'index.ts'))});
        const a = await (await liteFetch(process.env.URL)).text();
        const b = await (await liteFetch(process.env.URL)).text();
        const wrongName = await liteFetch(process.env.OTHER).then(() => 'connected', (e) => e.cause?.code);
        console.log(JSON.stringify({ a, b, wrongName, undici: ${UNDICI} }));
        console.log('DONE');
        `,
        { URL: server.url, OTHER: server.otherOrigin, NODE_EXTRA_CA_CERTS: ca },
      );
      expect(report(run)).toEqual({ a: 'over tls', b: 'over tls', wrongName: 'ERR_TLS_CERT_ALTNAME_INVALID', undici: [] });
      expect(server.received).toHaveLength(2);
      expect(server.connections()).toBe(2); // one pooled for both requests, one refused by name
      expect(run.exitLagMs).toBeLessThan(1500);
    } finally {
      await server.close();
    }
  });
});
