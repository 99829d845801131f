/** Catch-all 404s, fault injection, the request log and the CLI. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { call, client, contractCheck, defaultProjectId, REPO_ROOT, startServer } from './support.js';

describe('catch-all', () => {
  test('a trailing slash or an unknown /api path is a 404 with no body, even with a valid token', async () => {
    const s = await startServer();
    const c = await client(s);
    for (const path of ['/api/v1/models/', '/api/v1/model_versions/', '/api/v1/nope', '/api/v2/models']) {
      const res = await c.get(path);
      expect(res.status).toBe(404);
      expect(res.text).toBe('');
    }
    // without a token too: the catch-all needs no auth
    expect((await call(s, 'GET', '/api/v1/models/')).status).toBe(404);
    // a known path with a method it doesn't have also lands in the catch-all
    const del = await c.del('/api/v1/models');
    expect(del.status).toBe(404);
    expect(del.text).toBe('');
    // outside /api: FastAPI's default
    const root = await c.get('/nothing-here');
    expect(root.status).toBe(404);
    expect(root.body).toEqual({ detail: 'Not Found' });
  });
});

describe('faults', () => {
  test('a status burst with Retry-After, limited to `times` and to the method', async () => {
    const s = await startServer();
    const c = await client(s);
    s.faults.inject({ method: 'GET', path: '/api/v1/models', status: 503, times: 2, headers: { 'Retry-After': '2' } });
    const a = await c.get('/api/v1/models');
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.body).toEqual({ detail: ['RuntimeError', 'Injected fault: HTTP 503'] });
    expect((await c.post('/api/v1/models', {})).status).toBe(422); // POST unaffected
    expect((await c.get('/api/v1/models')).status).toBe(503);
    expect((await c.get('/api/v1/models')).status).toBe(200);
    expect(s.faults.pending()).toBe(0);
  });

  test('429 with a plain-string detail, custom bodies, raw bodies, regex paths, clear()', async () => {
    const s = await startServer();
    const c = await client(s);
    s.faults.inject({ path: /\/runs$/, status: 429, headers: { 'Retry-After': '1' } });
    const limited = await c.get('/api/v1/runs');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ detail: 'Minute request limit exceeded.' });
    s.faults.inject({ path: '/api/v1/info', status: 502, rawBody: '<html>Bad gateway</html>', contentType: 'text/html' });
    const html = await call(s, 'GET', '/api/v1/info');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.text).toBe('<html>Bad gateway</html>');
    s.faults.inject({ path: '/api/v1/stacks*', status: 500, body: { detail: ['RuntimeError', 'database is locked'] }, times: 5 });
    expect((await c.get('/api/v1/stacks')).body.detail[1]).toBe('database is locked');
    s.faults.clear();
    expect((await c.get('/api/v1/stacks')).status).toBe(200);
  });

  test('delay, then the normal response', async () => {
    const s = await startServer();
    const c = await client(s);
    s.faults.inject({ path: '/api/v1/current-user', delayMs: 250 });
    const t0 = Date.now();
    const res = await c.get('/api/v1/current-user');
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  test('reset before any byte, and reset in the middle of the body', async () => {
    const s = await startServer();
    const c = await client(s);
    s.faults.inject({ path: '/api/v1/models', reset: true });
    await expect(fetch(`${s.url}/api/v1/models`, { headers: { authorization: `Bearer ${c.token}` } })).rejects.toThrow();
    s.faults.inject({ path: '/api/v1/models', resetMidBody: true });
    const res = await fetch(`${s.url}/api/v1/models`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    // and the server is fine afterwards
    expect((await c.get('/api/v1/models')).status).toBe(200);
    const logged = s.requests.filter((r) => r.path === '/api/v1/models');
    expect(logged.map((r) => [r.status, r.faulted])).toEqual([
      [0, true],
      [200, true],
      [200, false],
    ]);
  });
});

describe('request hooks', () => {
  test('a hook sees each request before the route runs and can hold it until released; removing it stops it', async () => {
    const s = await startServer();
    const c = await client(s);
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const remove = s.onRequest(async (r) => {
      seen.push(`${r.method} ${r.route ?? r.path}`);
      if (r.method === 'POST') await held;
    });
    const created = c.post('/api/v1/models', { name: 'held', project: defaultProjectId(s) });
    await new Promise((r) => setTimeout(r, 100));
    // Held: the model does not exist yet, and other requests still pass.
    expect([...s.store.models.values()].map((m) => m.name)).not.toContain('held');
    expect((await c.get('/api/v1/models')).status).toBe(200);
    release();
    expect((await created).status).toBe(200);
    expect([...s.store.models.values()].map((m) => m.name)).toContain('held');
    expect(seen).toEqual(['POST /api/v1/models', 'GET /api/v1/models']);
    remove();
    await c.get('/api/v1/models');
    expect(seen).toHaveLength(2);
  });
});

describe('request log', () => {
  test('method, path, query, status, auth kind, route; never header values', async () => {
    const s = await startServer();
    const c = await client(s);
    await c.get('/api/v1/models?project=default&tags=a&tags=b');
    await call(s, 'GET', '/api/v1/current-user');
    await call(s, 'GET', '/api/v1/current-user', { headers: { authorization: 'Token abc' } });
    const [loginEntry, list, anon, other] = s.requests;
    expect(loginEntry).toMatchObject({ method: 'POST', path: '/api/v1/login', status: 200, auth: 'none', route: '/api/v1/login' });
    expect(list).toMatchObject({
      method: 'GET',
      path: '/api/v1/models',
      query: { project: 'default', tags: ['a', 'b'] },
      status: 200,
      auth: 'bearer',
      route: '/api/v1/models',
      faulted: false,
    });
    expect(new Date(list!.at).getTime()).not.toBeNaN();
    expect(anon).toMatchObject({ status: 401, auth: 'none' });
    expect(other).toMatchObject({ status: 401, auth: 'other' });
    const dump = JSON.stringify(s.requests);
    expect(dump).not.toContain(c.token);
    expect(dump).not.toContain(s.apiKey);
  });
});

describe('cli', () => {
  test('prints {url, apiKey} and serves until SIGTERM', async () => {
    const cli = join(REPO_ROOT, 'packages', 'zenml-test-server', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--mode', 'pro', '--name', 'production'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout! });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
      });
      const { url, apiKey } = JSON.parse(line) as { url: string; apiKey: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(apiKey.startsWith('ZENKEY_')).toBe(true);
      const info = (await (await fetch(`${url}/api/v1/info`)).json()) as { name: string; deployment_type: string };
      expect(info).toMatchObject({ name: 'production', deployment_type: 'cloud' });
      const login = await fetch(`${url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password: apiKey }),
      });
      expect(login.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

contractCheck();
