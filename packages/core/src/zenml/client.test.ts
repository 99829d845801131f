import { InputError, ZenmlApiError } from '../errors.js';
import { resetTokenCache } from './auth.js';
import { ZenmlClient } from './client.js';
import { ModelVersionResponseSchema } from './schemas.js';
import {
  API_KEY,
  entity,
  fakeClock,
  ids,
  info,
  json,
  modelBody,
  page,
  realBody,
  SERVER,
  zenmlServer,
  type Recorded,
} from './__fixtures__/fake.js';

beforeEach(() => resetTokenCache());

function make(routes: Parameters<typeof zenmlServer>[0], serverUrl = SERVER) {
  const s = zenmlServer(routes);
  const clock = fakeClock();
  const c = new ZenmlClient({ serverUrl, apiKey: API_KEY, fetch: s.fetch, ...clock });
  return { ...s, c };
}

const mv = (n: number) => entity(`00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, String(n), { number: n, stage: null, project_id: ids.project });

describe('ZenmlClient construction', () => {
  it.each([
    ['', /is empty/],
    ['zenml.example.com', /expected an http\(s\) URL/],
    ['ftp://zenml.example.com', /ftp:/],
    ['https://user:pw@zenml.example.com', /must not contain credentials/],
    ['https://zenml.example.com/?x=1', /without a query/],
  ])('rejects server-url %p', (serverUrl, msg) => {
    const make = () => new ZenmlClient({ serverUrl, apiKey: API_KEY });
    expect(make).toThrow(InputError);
    expect(make).toThrow(msg);
    try {
      make();
    } catch (e) {
      expect((e as InputError).input).toBe('server-url');
      expect((e as Error).message).not.toContain('pw@');
    }
  });

  it('strips trailing slashes and keeps a path prefix', () => {
    expect(new ZenmlClient({ serverUrl: 'https://zenml.example.com///', apiKey: 'k' }).serverUrl).toBe('https://zenml.example.com');
    expect(new ZenmlClient({ serverUrl: ' https://h.example/zenml/ ', apiKey: 'k' }).serverUrl).toBe('https://h.example/zenml');
  });

  it('requires an API key', () => {
    expect(() => new ZenmlClient({ serverUrl: SERVER, apiKey: '  ' })).toThrow(expect.objectContaining({ input: 'api-key' }));
  });
});

describe('server info and version gate', () => {
  it('reads /info without a token, once', async () => {
    const s = make({ 'GET /api/v1/info': () => json(200, info('0.97.0', { deployment_type: 'cloud', pro_api_url: 'https://cloudapi.zenml.io', server_url: '' })) });
    const a = await s.c.serverInfo();
    await s.c.serverInfo();
    expect(a).toMatchObject({ version: '0.97.0', deploymentType: 'cloud', isPro: true, serverUrl: undefined, authScheme: 'OAUTH2_PASSWORD_BEARER' });
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]?.headers.get('authorization')).toBeNull();
  });

  it('refuses a 0.60 server before sending the key anywhere', async () => {
    const s = make({ 'GET /api/v1/info': () => json(200, realBody('01-info.json')) });
    const err = await s.c.assertSupportedServer().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^Input 'server-url': the ZenML server at https:\/\/zenml\.example\.com runs 0\.60\.0; the minimum supported version is 0\.80\.0 \(upgrade the server/,
    );
    expect(s.logins()).toBe(0);
  });

  it('accepts supported and unparseable versions', async () => {
    await expect(make({ 'GET /api/v1/info': () => json(200, info('0.90.0rc1')) }).c.assertSupportedServer()).resolves.toMatchObject({ version: '0.90.0rc1' });
    await expect(make({ 'GET /api/v1/info': () => json(200, info('custom-build')) }).c.assertSupportedServer()).resolves.toBeDefined();
  });
});

describe('lookups', () => {
  const project = entity(ids.project, 'default', { display_name: 'Default' }, { metadata: { description: 'd' } });

  it('finds a project by name, and 404 means undefined', async () => {
    const s = make({
      'GET /api/v1/projects/default': () => json(200, project),
      'GET /api/v1/projects/nope%20x': () => json(404, { detail: ['KeyError', "'No project with name nope x'"] }),
    });
    await expect(s.c.findProject('default')).resolves.toEqual({ id: ids.project, name: 'default', displayName: 'Default', description: 'd' });
    await expect(s.c.findProject('nope x')).resolves.toBeUndefined();
  });

  it('finds a model by name inside the project, by UUID with a get', async () => {
    const s = make({
      'GET /api/v1/models': (r: Recorded) => json(200, page(r.url.searchParams.get('name') === 'equals:churn' ? [modelBody('churn', { latest_version_id: 'v', latest_version_name: '3' })] : [])),
      [`GET /api/v1/models/${ids.model}`]: () => json(200, modelBody('churn')),
    });
    await expect(s.c.findModel('default', 'churn')).resolves.toMatchObject({ id: ids.model, name: 'churn', latestVersionName: '3', projectId: ids.project });
    await expect(s.c.findModel('default', 'other')).resolves.toBeUndefined();
    await expect(s.c.findModel('default', ids.model)).resolves.toMatchObject({ name: 'churn' });
    const list = s.calls.find((c) => c.url.pathname === '/api/v1/models');
    expect(Object.fromEntries(list?.url.searchParams ?? [])).toMatchObject({ project: 'default', name: 'equals:churn' });
  });

  it('finds stacks and components by name (hydrated) or UUID', async () => {
    const store = entity(ids.store, 's3-store', { type: 'artifact_store', flavor_name: 's3' }, { metadata: { configuration: { path: 's3://bucket/zenml' } } });
    const stack = entity(ids.stack, 'prod', {}, { metadata: { components: { artifact_store: [store] } } });
    const s = make({
      'GET /api/v1/stacks': (r: Recorded) => json(200, page(r.url.searchParams.get('name') === 'equals:prod' ? [stack] : [])),
      [`GET /api/v1/stacks/${ids.stack}`]: () => json(200, stack),
      'GET /api/v1/components': (r: Recorded) => json(200, page(r.url.searchParams.get('type') === 'artifact_store' ? [store] : [])),
      [`GET /api/v1/components/${ids.store}`]: () => json(200, store),
    });
    const byName = await s.c.findStack('prod');
    expect(byName?.components.artifact_store?.[0]).toMatchObject({ name: 's3-store', path: 's3://bucket/zenml', flavor: 's3' });
    await expect(s.c.findStack(ids.stack)).resolves.toMatchObject({ name: 'prod' });
    await expect(s.c.findComponent('artifact_store', 's3-store')).resolves.toMatchObject({ id: ids.store, path: 's3://bucket/zenml' });
    await expect(s.c.findComponent('orchestrator', ids.store)).resolves.toBeUndefined();
    const stackList = s.calls.find((c) => c.url.pathname === '/api/v1/stacks');
    expect(stackList?.url.searchParams.get('hydrate')).toBe('true');
    expect(stackList?.url.searchParams.get('project')).toBeNull();
  });
});

describe('pagination', () => {
  function pagedServer(total: number, size = 100) {
    return make({
      'GET /api/v1/model_versions': (r: Recorded) => {
        const p = Number(r.url.searchParams.get('page'));
        const items = Array.from({ length: Math.max(0, Math.min(size, total - (p - 1) * size)) }, (_, i) => mv((p - 1) * size + i + 1));
        return json(200, page(items, p, Math.ceil(total / size), size, total));
      },
    });
  }

  it('fetches the next page only when iteration gets there', async () => {
    const s = pagedServer(250);
    const it = s.c.paginate('/api/v1/model_versions', { project: 'default', model: 'churn' }, ModelVersionResponseSchema);
    expect(s.calls).toHaveLength(0);
    let seen = 0;
    for await (const v of it) {
      seen++;
      expect(v.body?.number).toBe(seen);
      if (seen === 150) break;
    }
    expect(s.calls.filter((c) => c.url.pathname === '/api/v1/model_versions')).toHaveLength(2);
    const all: number[] = [];
    for await (const v of s.c.paginate('/api/v1/model_versions', { project: 'default', model: 'churn', sort_by: 'desc:number' }, ModelVersionResponseSchema)) all.push(v.body?.number ?? 0);
    expect(all).toHaveLength(250);
    const q = s.calls.at(-1)?.url.searchParams;
    expect([q?.get('page'), q?.get('size'), q?.get('sort_by'), q?.get('project')]).toEqual(['3', '100', 'desc:number', 'default']);
  });

  it('sends arrays as repeated keys and stops on an empty list', async () => {
    const s = make({ 'GET /api/v1/models': () => json(200, page([], 1, 0)) });
    const out = [];
    for await (const m of s.c.paginate('/api/v1/models', { project: 'p', tags: ['a', 'b'], hydrate: false, user: undefined }, ModelVersionResponseSchema)) out.push(m);
    expect(out).toEqual([]);
    expect(s.calls.at(-1)?.url.search).toBe('?project=p&tags=a&tags=b&hydrate=false&page=1&size=100');
  });

  it('refuses project-scoped lists without a project', async () => {
    const s = pagedServer(1);
    const run = async () => {
      for await (const _ of s.c.paginate('/api/v1/model_versions', { model: 'churn' }, ModelVersionResponseSchema)) void _;
    };
    await expect(run()).rejects.toThrow(/needs the 'project' query parameter/);
    expect(s.calls).toHaveLength(0);
  });
});

describe('typed API', () => {
  it('never sends a trailing slash', async () => {
    const s = make(
      {
        'GET /zenml/api/v1/info': () => json(200, info()),
        'GET /zenml/api/v1/projects/default': () => json(200, entity(ids.project, 'default', {})),
        'GET /zenml/api/v1/models': () => json(200, page([modelBody()])),
        'GET /zenml/api/v1/current-user': () => json(200, entity(ids.user, 'bot', { is_service_account: true })),
      },
      'https://zenml.example.com/zenml/',
    );
    await s.c.serverInfo();
    await s.c.login();
    await s.c.currentUser();
    await s.c.findProject('default');
    await s.c.findModel('default', 'churn');
    expect(s.calls.length).toBeGreaterThanOrEqual(5);
    for (const c of s.calls) expect(c.url.pathname).not.toMatch(/\/$/);
    await expect(s.c.fetch('https://zenml.example.com/zenml/api/v1/models/?project=p')).rejects.toThrow(/never end with '\/'/);
  });

  it('throws ZenmlApiError with the server class and message; returns typed data otherwise', async () => {
    const mvId = '18431f79-940d-4d44-a1db-388892276464';
    const s = make({
      [`PUT /api/v1/model_versions/${mvId}`]: (r: Recorded) =>
        (JSON.parse(r.body) as { force?: boolean }).force
          ? json(200, entity(mvId, 'v1', { number: 1, stage: 'production', model: modelBody() }))
          : json(500, realBody('21-set-stage-production-conflict.json')),
    });
    const call = (force: boolean) =>
      s.c.api.PUT('/api/v1/model_versions/{model_version_id}', { params: { path: { model_version_id: mvId } }, body: { stage: 'production', force } });
    const err = (await call(false).catch((e: unknown) => e)) as ZenmlApiError;
    expect(err).toBeInstanceOf(ZenmlApiError);
    expect(err).toMatchObject({ status: 500, method: 'PUT', exceptionClass: 'RuntimeError', path: `/api/v1/model_versions/${mvId}` });
    expect(err.serverMessage).toContain('`force` flag is False');
    const ok = await call(true);
    expect(ok.data?.body?.stage).toBe('production');
    const put = s.calls.find((c) => c.method === 'PUT');
    expect(put?.headers.get('content-type')).toBe('application/json');
  });
});

describe('pointing at something that is not a ZenML server', () => {
  it('says so on a 404 from /info', async () => {
    const s = make({});
    await expect(s.c.serverInfo()).rejects.toThrow("Input 'server-url': https://zenml.example.com does not look like a ZenML server (GET /api/v1/info answered 404).");
  });

  it('says so on an HTML page instead of JSON', async () => {
    const page = '<html><head><title>Sign in</title></head><body>secret-ish markup</body></html>';
    const s = make({ 'GET /api/v1/info': () => new Response(page, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } }) });
    const err = (await s.c.serverInfo().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/an HTML page, not JSON/);
    expect(err.message).not.toContain('secret-ish');
  });
});
