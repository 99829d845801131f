/** Proxy support: the environment variables of curl and @actions/http-client, against a real local proxy. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetConnectionPools } from './agents.js';
import { liteFetch } from './fetch.js';
import { bypassesProxy, PROXY_ERROR_CODE } from './proxy.js';
import { runTsChild } from './__fixtures__/child.js';
import { failure } from './__fixtures__/failure.js';
import { startProxy, type LocalProxy } from './__fixtures__/proxy.js';
import { startServer, type LocalServer } from './__fixtures__/server.js';
import { LOCALHOST_CERT } from './__fixtures__/tls.js';

const VARS = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'] as const;
const saved: Partial<Record<string, string>> = {};
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  for (const v of VARS) {
    saved[v] = process.env[v];
    delete process.env[v];
  }
});
afterEach(async () => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  resetConnectionPools();
  for (const c of cleanups.splice(0)) await c();
});

async function proxy(opts?: { refuse?: number }): Promise<LocalProxy> {
  const p = await startProxy(opts);
  cleanups.push(p.close);
  return p;
}
async function server(opts?: { tls?: boolean; keepAliveTimeoutMs?: number }): Promise<LocalServer> {
  const s = await startServer((req, res) => res.end(`hello ${req.url}`), opts);
  cleanups.push(s.close);
  return s;
}
const withCredentials = (url: string, userinfo: string): string => url.replace('http://', `http://${userinfo}@`);

describe('no_proxy matching', () => {
  it.each([
    ['', 'https://api.example.com/', false],
    ['*', 'https://anything.test/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://api.example.com/', true],
    ['.example.com', 'https://api.example.com/', true],
    ['.example.com', 'https://example.com/', true],
    ['*.example.com', 'https://api.example.com/', true],
    ['example.com', 'https://notexample.com/', false],
    ['example.com', 'https://example.com.evil.test/', false],
    ['EXAMPLE.com', 'https://Api.Example.COM/', true],
    ['other.test, example.com', 'https://example.com/', true],
    ['other.test example.com', 'https://example.com/', true],
    ['example.com:8443', 'https://example.com:8443/', true],
    ['example.com:8443', 'https://example.com/', false],
    ['example.com:443', 'https://example.com/', true],
    ['example.com:80', 'http://example.com/', true],
    ['10.0.0.1', 'http://10.0.0.1:8080/', true],
    ['10.0.0.1', 'http://10.0.0.10/', false],
    ['0.0.1', 'http://10.0.0.1/', false],
    ['::1', 'http://[::1]:8080/', true],
    ['[::1]:8080', 'http://[::1]:8080/', true],
    ['[::1]:8080', 'http://[::1]:9090/', false],
    ['0:0:0:0:0:0:0:1', 'http://[::1]/', true],
    ['localhost', 'http://127.0.0.1/', false],
  ])('no_proxy=%j for %s: bypass %s', (noProxy, url, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });

  it('reads no_proxy before NO_PROXY, at request time', () => {
    process.env.NO_PROXY = 'upper.test';
    expect(bypassesProxy(new URL('http://upper.test/'))).toBe(true);
    process.env.no_proxy = 'lower.test';
    expect(bypassesProxy(new URL('http://upper.test/'))).toBe(false);
    expect(bypassesProxy(new URL('http://lower.test/'))).toBe(true);
  });
});

describe('http targets through a forward proxy', () => {
  it('sends the absolute URL to the proxy with Proxy-Authorization from the percent-decoded userinfo', async () => {
    const s = await server();
    const p = await proxy();
    process.env.http_proxy = withCredentials(p.url, 'ci%40corp:p%3Ass');
    process.env.HTTP_PROXY = 'http://127.0.0.1:9'; // the lowercase variable wins
    process.env.https_proxy = 'http://127.0.0.1:9'; // for https targets only
    const res = await liteFetch(`${s.url}/api/v1/info?x=1`);
    expect(await res.text()).toBe('hello /api/v1/info?x=1');
    expect(p.seen).toHaveLength(1);
    expect(p.seen[0]?.method).toBe('GET');
    expect(p.seen[0]?.target).toBe(`${s.url}/api/v1/info?x=1`);
    expect(p.seen[0]?.headers.host).toBe(new URL(s.url).host);
    expect(p.seen[0]?.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('ci@corp:p:ss').toString('base64')}`);
    expect(s.received[0]?.headers['proxy-authorization']).toBeUndefined();
  });

  it('sends no Proxy-Authorization without userinfo, and POST bodies arrive', async () => {
    const s = await server();
    const p = await proxy();
    process.env.HTTP_PROXY = p.url;
    const res = await liteFetch(`${s.url}/post`, { method: 'POST', body: '{"a":1}' });
    expect(await res.text()).toBe('hello /post');
    expect(p.seen.map((r) => [r.method, r.target])).toEqual([['POST', `${s.url}/post`]]);
    expect(p.seen[0]?.headers['proxy-authorization']).toBeUndefined();
    expect(s.received[0]?.body.toString()).toBe('{"a":1}');
  });

  it('goes direct for a host in no_proxy: the proxy sees nothing of it', async () => {
    const s = await server();
    const p = await proxy();
    process.env.http_proxy = p.url;
    process.env.no_proxy = 'example.test, 127.0.0.1';
    expect(await (await liteFetch(`${s.url}/direct`)).text()).toBe('hello /direct');
    // The same server under a name not in no_proxy does go through the proxy.
    expect(await (await liteFetch(`${s.otherOrigin}/proxied`)).text()).toBe('hello /proxied');
    expect(p.seen.map((r) => r.target)).toEqual([`${s.otherOrigin}/proxied`]);
    expect(s.received.map((r) => r.url)).toEqual(['/direct', '/proxied']);
  });

  it('goes direct when no proxy variable is set', async () => {
    const s = await server();
    const p = await proxy();
    expect(await (await liteFetch(`${s.url}/x`)).text()).toBe('hello /x');
    expect(p.seen).toEqual([]);
  });
});

describe('https targets through a CONNECT tunnel: failures', () => {
  it('a 407 from the proxy is one fetch-shaped line naming the status, never the credentials', async () => {
    const p = await proxy({ refuse: 407 });
    process.env.https_proxy = withCredentials(p.url, 'alice:s3cret-pw');
    const err = await failure(liteFetch('https://zenml.example.test:8443/api/v1/info'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.code).toBe(PROXY_ERROR_CODE);
    expect(err.cause?.message).toMatch(/407/);
    expect(err.cause?.message).toContain(`127.0.0.1:${p.port}`);
    expect(err.cause?.message).not.toMatch(/\n/);
    const everything = `${err.message} ${err.stack} ${err.cause?.message} ${err.cause?.stack} ${JSON.stringify(err.cause)}`;
    expect(everything).not.toMatch(/alice|s3cret/);
    expect(p.seen.map((r) => [r.method, r.target])).toEqual([['CONNECT', 'zenml.example.test:8443']]);
    expect(p.seen[0]?.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
  });

  it('an https:// proxy URL is refused with a clear message, without its credentials', async () => {
    process.env.HTTPS_PROXY = 'https://bob:hunter2@proxy.corp.test:3128';
    const err = await failure(liteFetch('https://zenml.example.test/'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.cause?.code).toBe(PROXY_ERROR_CODE);
    expect(err.cause?.message).toMatch(/proxy\.corp\.test:3128 is an https:\/\/ URL .*not supported/);
    expect(`${err.cause?.message} ${err.cause?.stack}`).not.toMatch(/bob|hunter2/);
  });

  it('an unparsable proxy URL is refused without repeating it', async () => {
    process.env.https_proxy = 'http://carol:pa ss@[bad';
    const err = await failure(liteFetch('https://zenml.example.test/'));
    expect(err.cause?.message).toBe('the https_proxy proxy setting is not a valid URL');
  });
});

describe('https targets through a CONNECT tunnel: a real TLS server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'net-proxy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh Node process (through tsx): NODE_EXTRA_CA_CERTS is read only at start-up. */
  function runChild(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; exitLagMs: number | undefined }> {
    const file = join(dir, 'child.mts');
    writeFileSync(file, code);
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    for (const v of VARS) if (!(v in env)) delete childEnv[v];
    return runTsChild(file, childEnv);
  }

  it('tunnels two requests through one CONNECT, checks the certificate for the target name, and lets the process exit', async () => {
    const s = await server({ tls: true, keepAliveTimeoutMs: 60_000 });
    const p = await proxy();
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, LOCALHOST_CERT);
    const run = await runChild(
      `
      const { liteFetch } = await import(${JSON.stringify(join(import.meta.dirname, 'index.ts'))});
      const a = await (await liteFetch(process.env.URL + '/a')).text();
      const b = await (await liteFetch(process.env.URL + '/b')).text();
      const wrongName = await liteFetch(process.env.OTHER).then(() => 'connected', (e) => e.cause?.code);
      console.log(JSON.stringify({ a, b, wrongName, undici: process.moduleLoadList.filter((m) => /undici/i.test(m)) }));
      console.log('DONE');
      `,
      { URL: s.url, OTHER: s.otherOrigin, NODE_EXTRA_CA_CERTS: ca, https_proxy: withCredentials(p.url, 'dave:t%2Fk'), no_proxy: 'example.test' },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
    expect(line ? (JSON.parse(line) as unknown) : `${run.stdout}\n${run.stderr}`).toEqual({
      a: 'hello /a',
      b: 'hello /b',
      wrongName: 'ERR_TLS_CERT_ALTNAME_INVALID',
      undici: [],
    });
    // One CONNECT for the two requests to localhost (pooled), one for the other origin.
    expect(p.seen.map((r) => [r.method, r.target])).toEqual([
      ['CONNECT', `localhost:${s.port}`],
      ['CONNECT', `127.0.0.1:${s.port}`],
    ]);
    expect(p.seen[0]?.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('dave:t/k').toString('base64')}`);
    expect(s.received.map((r) => r.url)).toEqual(['/a', '/b']);
    expect(run.code).toBe(0);
    // The target keeps idle connections a minute: an exit this fast means the idle tunnel did not hold the process.
    expect(run.exitLagMs).toBeLessThan(1500);
  }, 30_000);
});
