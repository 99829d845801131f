import { readFileSync } from 'node:fs';
import { startGitHubApi, type GitHubApi } from './github-api.js';

async function call(api: GitHubApi, method: string, path: string, opts: { body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  const token = opts.token === undefined ? api.token : opts.token;
  if (token !== null) headers.authorization = `token ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, api.url), { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  return { status: res.status, link: res.headers.get('link'), json: (await res.json()) as unknown };
}

describe('local GitHub REST API peer', () => {
  let api: GitHubApi;
  beforeEach(async () => {
    api = await startGitHubApi({ pullRequest: { number: 7 } });
  });
  afterEach(async () => {
    await api.stop();
  });

  it('hands out an Actions-like env with a pull_request payload', () => {
    expect(api.env.GITHUB_API_URL).toBe(api.url);
    expect(api.env.GITHUB_REPOSITORY).toBe('octo-org/models');
    expect(api.env.GITHUB_EVENT_NAME).toBe('pull_request');
    const payload = JSON.parse(readFileSync(api.env.GITHUB_EVENT_PATH!, 'utf8')) as { number: number; pull_request: { number: number } };
    expect(payload.pull_request.number).toBe(7);
    expect(api.env).not.toHaveProperty('GITHUB_TOKEN');
  });

  it('answers 401 without a token or with a wrong one, and never records the token', async () => {
    const runPath = `/repos/octo-org/models/actions/runs/${api.env.GITHUB_RUN_ID}/approvals`;
    expect(await call(api, 'GET', runPath, { token: null })).toMatchObject({ status: 401, json: { message: 'Requires authentication' } });
    expect(await call(api, 'GET', runPath, { token: 'ghs_wrong' })).toMatchObject({ status: 401, json: { message: 'Bad credentials' } });
    expect((await call(api, 'GET', runPath)).status).toBe(200);
    expect(api.requests.map((r) => r.auth)).toEqual([false, true, true]);
    expect(JSON.stringify(api.requests)).not.toContain(api.token);
  });

  it('serves the review history in GitHub’s shape, and 404 for unknown runs, repos and paths', async () => {
    api.setApprovals(42, [{ environments: ['production', 'staging'], state: 'approved', user: 'alice', comment: 'lgtm' }]);
    const ok = await call(api, 'GET', '/repos/octo-org/models/actions/runs/42/approvals');
    expect(ok.status).toBe(200);
    const [review] = ok.json as { environments: { id: number; name: string; html_url: string }[]; state: string; user: { login: string; type: string }; comment: string }[];
    expect(review).toMatchObject({ state: 'approved', comment: 'lgtm', user: { login: 'alice', type: 'User' } });
    expect(review!.environments.map((e) => e.name)).toEqual(['production', 'staging']);
    expect(typeof review!.environments[0]!.id).toBe('number');
    expect(ok.link).toBeNull();

    expect((await call(api, 'GET', '/repos/octo-org/models/actions/runs/43/approvals')).status).toBe(404);
    expect((await call(api, 'GET', '/repos/someone/else/actions/runs/42/approvals')).status).toBe(404);
    expect((await call(api, 'GET', '/repos/octo-org/models/pulls/7')).status).toBe(404);
    expect((await call(api, 'DELETE', '/repos/octo-org/models/issues/comments/1')).status).toBe(404);
  });

  it('lists comments ascending with per_page/page and GitHub-style Link headers', async () => {
    for (let i = 0; i < 5; i++) api.addComment(7, `comment ${i}`);
    const p1 = await call(api, 'GET', '/repos/octo-org/models/issues/7/comments?per_page=2');
    expect((p1.json as { body: string }[]).map((c) => c.body)).toEqual(['comment 0', 'comment 1']);
    expect(p1.link).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/repositories\/\d+\/issues\/7\/comments\?per_page=2&page=2>; rel="next"/);
    expect(p1.link).toMatch(/page=3>; rel="last"/);
    const next = /<([^>]+)>; rel="next"/.exec(p1.link!)![1]!;
    const p2 = await call(api, 'GET', next);
    expect((p2.json as { body: string }[]).map((c) => c.body)).toEqual(['comment 2', 'comment 3']);
    expect(p2.link).toMatch(/rel="prev"/);
    const p3 = await call(api, 'GET', '/repos/octo-org/models/issues/7/comments?per_page=2&page=3');
    expect(p3.link).not.toMatch(/rel="next"/);
    expect((await call(api, 'GET', '/repos/octo-org/models/issues/99/comments')).status).toBe(404);
  });

  it('creates (201) and updates (200) comments, validating the body', async () => {
    const created = await call(api, 'POST', '/repos/octo-org/models/issues/7/comments', { body: { body: 'hello' } });
    expect(created.status).toBe(201);
    const c = created.json as { id: number; body: string; user: { login: string; type: string }; html_url: string };
    expect(c).toMatchObject({ body: 'hello', user: { login: 'github-actions[bot]', type: 'Bot' } });
    expect(c.html_url).toBe(`https://github.com/octo-org/models/pull/7#issuecomment-${c.id}`);
    const updated = await call(api, 'PATCH', `/repos/octo-org/models/issues/comments/${c.id}`, { body: { body: 'bye' } });
    expect(updated).toMatchObject({ status: 200, json: { id: c.id, body: 'bye' } });
    expect(api.comments(7)).toEqual([{ id: c.id, body: 'bye', user: 'github-actions[bot]' }]);
    expect((await call(api, 'POST', '/repos/octo-org/models/issues/7/comments', { body: {} })).status).toBe(422);
    expect((await call(api, 'PATCH', '/repos/octo-org/models/issues/comments/1', { body: { body: 'x' } })).status).toBe(404);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/octo-org/models/issues/7/comments',
      `PATCH /repos/octo-org/models/issues/comments/${c.id}`,
      'POST /repos/octo-org/models/issues/7/comments',
      'PATCH /repos/octo-org/models/issues/comments/1',
    ]);
    expect(api.requests[0]!.body).toEqual({ body: 'hello' });
  });

  it('narrows permissions with 403 and injects faults', async () => {
    api.setPermission('issues', 'read');
    const denied = await call(api, 'POST', '/repos/octo-org/models/issues/7/comments', { body: { body: 'x' } });
    expect(denied).toMatchObject({ status: 403, json: { message: 'Resource not accessible by integration' } });
    expect((await call(api, 'GET', '/repos/octo-org/models/issues/7/comments')).status).toBe(200);
    api.setPermission('issues', 'write');

    api.failNext({ method: 'POST', path: /\/issues\/7\/comments$/, status: 502, afterHandling: true });
    expect((await call(api, 'POST', '/repos/octo-org/models/issues/7/comments', { body: { body: 'y' } })).status).toBe(502);
    expect(api.comments(7).map((c) => c.body)).toEqual(['y']); // the write happened
    expect((await call(api, 'POST', '/repos/octo-org/models/issues/7/comments', { body: { body: 'z' } })).status).toBe(201);
  });
});
