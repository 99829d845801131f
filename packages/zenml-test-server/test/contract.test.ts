/**
 * The contract: wire details against the real ZenML captures
 * (../shared/zenml/real-0.60, for what did not change since 0.60), and the
 * OpenAPI spec against the server's route table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SpecValidator } from '../src/contract.js';
import { routeTable } from '../src/index.js';
import { call, CAPTURES_DIR, client, contractCheck, defaultProjectId, KNOWN_SPEC_GAPS, SPEC_PATH, specValidator, startServer } from './support.js';

interface Capture {
  request: { method: string; path: string; form: Record<string, string> | null; json: unknown };
  response: { status: number; headers: Record<string, string>; body: any };
}
const capture = (name: string): Capture => JSON.parse(readFileSync(join(CAPTURES_DIR, name), 'utf8')) as Capture;
const keys = (o: object) => Object.keys(o).sort();

describe('wire details match the real-0.60 captures', () => {
  test('login response: same keys and types (plus the newer csrf/device fields)', async () => {
    const s = await startServer();
    const real = capture('10-login-api-key.json');
    const ours = await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } });
    expect(ours.status).toBe(real.response.status);
    expect(ours.headers.get('content-type')).toBe(real.response.headers['content-type']);
    for (const k of keys(real.response.body)) {
      expect(ours.body).toHaveProperty(k);
      expect(typeof ours.body[k]).toBe(typeof real.response.body[k]);
    }
    expect(ours.body.token_type).toBe(real.response.body.token_type);
    expect(ours.body.expires_in).toBe(real.response.body.expires_in);
    expect(ours.body.access_token.split('.')).toHaveLength(real.response.body.access_token.split('.').length);
  });

  test('401 bodies: no header, and a bad API key', async () => {
    const s = await startServer();
    const noHeader = capture('03-unauthenticated-current-user.json');
    const ours = await call(s, 'GET', noHeader.request.path);
    expect(ours.status).toBe(noHeader.response.status);
    expect(ours.body).toEqual(noHeader.response.body);
    expect(ours.headers.get('www-authenticate')).toBe(noHeader.response.headers['www-authenticate']);

    const badKey = capture('09-login-api-key-bad.json');
    const oursBad = await call(s, 'POST', '/api/v1/login', { form: badKey.request.form ?? {} });
    expect(oursBad.status).toBe(badKey.response.status);
    expect(oursBad.body).toEqual(badKey.response.body);
  });

  test('error envelope: 409 duplicate model, 404 unknown model version (message quoted like str(KeyError))', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const dup = capture('13-create-model-duplicate.json');
    await c.post('/api/v1/models', { project, name: 'ts-test-model' });
    const ours = await c.post('/api/v1/models', { project, name: 'ts-test-model' });
    expect(ours.status).toBe(dup.response.status);
    expect(ours.body).toEqual(dup.response.body);

    const nf = capture('26-get-model-version-404.json');
    const oursNf = await c.get(nf.request.path);
    expect(oursNf.status).toBe(nf.response.status);
    expect(oursNf.body).toEqual(nf.response.body);
  });

  test('stage rules: the capture sequence gives the same statuses and the same RuntimeError body', async () => {
    const s = await startServer();
    const c = await client(s);
    const project = defaultProjectId(s);
    const model = (await c.post('/api/v1/models', { project, name: 'ts-test-model' })).body.id as string;
    const v1 = (await c.post('/api/v1/model_versions', { project, model, name: 'v1', description: 'first', tags: ['x'] })).body;
    const v2 = (await c.post('/api/v1/model_versions', { project, model })).body;
    expect([v1.name, v1.body.number, v2.name, v2.body.number]).toEqual(['v1', 1, '2', 2]); // captures 17 and 18
    const steps: Array<[string, string, boolean | undefined, string]> = [
      ['19-set-stage-staging.json', v1.id, undefined, 'staging'],
      ['20-set-stage-production.json', v1.id, false, 'production'],
      ['21-set-stage-production-conflict.json', v2.id, false, 'production'],
      ['22-set-stage-production-force.json', v2.id, true, 'production'],
    ];
    for (const [file, id, force, stage] of steps) {
      const real = capture(file);
      const ours = await c.put(`/api/v1/model_versions/${id}`, force === undefined ? { stage } : { stage, force });
      expect([file, ours.status]).toEqual([file, real.response.status]);
      if (real.response.status === 200) expect(ours.body.body.stage).toBe(real.response.body.body.stage);
      else expect(ours.body).toEqual(real.response.body);
    }
    // capture 24: after the force, v1 is archived
    const listed = await c.get('/api/v1/model_versions?model=ts-test-model&sort_by=asc:number');
    const real24 = capture('24-list-model-versions.json');
    const realStages = (real24.response.body.items as Array<{ body: { number: number; stage: string } }>)
      .map((i) => [i.body.number, i.body.stage])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(listed.body.items.map((i: { body: { number: number; stage: string } }) => [i.body.number, i.body.stage])).toEqual(realStages);
  });

  test('page envelope and entity envelope keys; timestamps; content type', async () => {
    const s = await startServer();
    const c = await client(s);
    s.seed.model({ name: 'ts-test-model', tags: ['a', 'b'] });
    const realPage = capture('16-list-models.json').response.body;
    const ours = await c.get('/api/v1/models?name=ts-test-model&size=10&page=1');
    expect(keys(ours.body)).toEqual(keys(realPage));
    expect({ ...ours.body, items: [] }).toEqual({ ...realPage, items: [] });
    // the envelope of one entity, listed (not hydrated) and fetched (hydrated)
    expect(keys(ours.body.items[0])).toEqual(keys(realPage.items[0]));
    expect(ours.body.items[0].metadata).toBe(realPage.items[0].metadata);
    const realGet = capture('14-get-model.json').response.body;
    const got = await c.get(`/api/v1/models/${ours.body.items[0].id}`);
    expect(keys(got.body)).toEqual(keys(realGet));
    expect(got.body.metadata).not.toBeNull();
    // naive UTC timestamps with microseconds
    const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
    expect(realGet.body.created).toMatch(stamp);
    expect(got.body.body.created).toMatch(stamp);
    expect(got.headers.get('content-type')).toBe(capture('14-get-model.json').response.headers['content-type']);

    const projects = await c.get('/api/v1/projects');
    expect(keys(projects.body)).toEqual(keys(capture('06-workspaces-list.json').response.body));
  });

  test('info, health and current-user carry the captured fields', async () => {
    const s = await startServer();
    const info = await call(s, 'GET', '/api/v1/info');
    const realInfo = capture('01-info.json').response.body as Record<string, unknown>;
    // use_legacy_dashboard was dropped after 0.60
    for (const k of Object.keys(realInfo).filter((k) => k !== 'use_legacy_dashboard')) expect(info.body).toHaveProperty(k);
    expect(info.body.auth_scheme).toBe(realInfo['auth_scheme']);
    const health = await call(s, 'GET', '/health');
    expect(health.body).toBe(capture('02-health.json').response.body);

    const token = (await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } })).body.access_token as string;
    const me = await call(s, 'GET', '/api/v1/current-user', { token });
    const realMe = capture('11-current-user-as-sa.json').response.body;
    expect(keys(me.body)).toEqual(keys(realMe));
    for (const k of Object.keys(realMe.body)) expect(me.body.body).toHaveProperty(k);
    expect(me.body.body).toMatchObject({ is_service_account: true, is_admin: false, email_opted_in: false });
  });
});

describe('the spec and the server stay in step', () => {
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
  const shape = (t: string) => t.replace(/\{[^}]+\}/g, '{}');

  test('every operation the spec describes has a server route', () => {
    const ours = new Set(routeTable().map((r) => `${r.method} ${shape(r.template)}`));
    const missing: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
        const key = `${method.toUpperCase()} ${shape(path)}`;
        if (!ours.has(key)) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  test('each known gap is still a gap (prune the list when the spec catches up)', () => {
    const v = specValidator();
    for (const gap of KNOWN_SPEC_GAPS) {
      const specPath = v.specPathFor(gap.route);
      const op = specPath ? spec.paths[specPath]?.[gap.method.toLowerCase()] : undefined;
      if (gap.status === undefined) expect([gap.route, op]).toEqual([gap.route, undefined]);
      else if (gap.status !== 200) expect([gap.route, op?.responses?.[String(gap.status)]]).toEqual([gap.route, undefined]);
    }
  });

  test('the validator catches wrong bodies, undescribed routes and undescribed statuses', () => {
    const v = SpecValidator.fromFile(SPEC_PATH);
    const ex = (route: string | null, path: string, status: number, body: unknown, method = 'GET') => ({
      method,
      path,
      route,
      status,
      contentType: 'application/json',
      body: body === undefined ? null : Buffer.from(JSON.stringify(body)),
      faulted: false,
    });
    expect(v.check(ex('/api/v1/models', '/api/v1/models', 200, { index: 1, max_size: 20, total_pages: 1, total: 0, items: [] }))).toBeNull();
    expect(v.check(ex('/api/v1/models', '/api/v1/models', 200, { items: 'nope' }))).toMatch(/must/);
    expect(v.check(ex('/api/v1/models', '/api/v1/models', 200, { index: 1, max_size: 20, total_pages: 1, total: 1, items: [{ id: 'x' }] }))).not.toBeNull();
    expect(v.check(ex('/api/v1/unicorns', '/api/v1/unicorns', 200, {}))).toMatch(/not described/);
    expect(v.check(ex('/api/v1/info', '/api/v1/info', 418, {}))).toMatch(/does not describe status 418/);
    expect(v.check(ex(null, '/api/v1/models/', 404, undefined))).toBeNull();
    expect(v.check(ex(null, '/api/v1/models/', 404, { detail: 'x' }))).toMatch(/no body/);
  });
});

contractCheck();
