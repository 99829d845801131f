import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGitHubApi, type GitHubApi } from '../../../../test/peers/github-api.js';
import { InputError, TransientError, isMlopsError } from '../errors.js';
import type { Clock } from '../zenml/retry.js';
import { approvalsTable, judgeApprovals, pullRequestNumber, readRunApprovals, upsertStickyComment, type ApprovalRecord, type GitHubTarget } from './index.js';
import { GitHubApiError } from './client.js';
import { markerComment, nextLink } from './comments.js';
import { closedPort } from '../../../../test/harness/closed-port.js';

const FIXED = new Date('2026-03-01T12:00:00.000Z');
const now = () => FIXED;

/** Time that passes only when slept: retries happen at once. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)), random: () => 0.5, slept };
}

function target(api: GitHubApi, extra: Partial<GitHubTarget> = {}): GitHubTarget {
  return { token: api.token, repository: api.env.GITHUB_REPOSITORY!, apiUrl: api.url, clock: fakeClock(), ...extra };
}

const lines = (api: GitHubApi) => api.requests.map((r) => `${r.method} ${r.path}`);

/** A URL nothing listens on (a port the fetch spec allows). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('GitHub: run approvals', () => {
  let api: GitHubApi;
  let runId: number;
  beforeEach(async () => {
    api = await startGitHubApi({ actor: 'Carol' });
    runId = Number(api.env.GITHUB_RUN_ID);
  });
  afterEach(async () => {
    await api.stop();
  });

  it('reads one record per (review, environment), keeping only the job’s environment', async () => {
    api.setApprovals(runId, [
      { environments: ['production', 'staging'], state: 'approved', user: 'alice', comment: 'metrics look right' },
      { environments: ['staging'], state: 'approved', user: 'bob' },
      { environments: ['Production'], state: 'rejected', user: 'dave', comment: 'wait for Monday' },
    ]);
    const all = await readRunApprovals(target(api), { runId, now });
    expect(all).toHaveLength(4);
    const prod = await readRunApprovals(target(api), { runId, environment: 'production', now });
    expect(prod).toEqual<ApprovalRecord[]>([
      { reviewer: 'alice', state: 'approved', comment: 'metrics look right', environment: 'production', observedAt: FIXED.toISOString() },
      { reviewer: 'dave', state: 'rejected', comment: 'wait for Monday', environment: 'Production', observedAt: FIXED.toISOString() },
    ]);
    expect(api.requests).toEqual([
      { method: 'GET', path: `/repos/octo-org/models/actions/runs/${runId}/approvals`, auth: true },
      { method: 'GET', path: `/repos/octo-org/models/actions/runs/${runId}/approvals`, auth: true },
    ]);
    expect(judgeApprovals(prod, { actor: 'carol', refuseSelfApproval: true })).toEqual({ ok: true, counted: [prod[0]] });
  });

  it('uses GITHUB_API_URL when no apiUrl is given', async () => {
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = api.url;
    try {
      const { apiUrl: _unused, ...rest } = target(api);
      expect(await readRunApprovals(rest, { runId })).toEqual([]);
      expect(lines(api)).toEqual([`GET /repos/octo-org/models/actions/runs/${runId}/approvals`]);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
  });

  it('refuses self-approval by the actor (case-insensitive), and says so', async () => {
    api.setApprovals(runId, [{ environments: ['production'], state: 'approved', user: 'carol', comment: 'shipping my own model' }]);
    const records = await readRunApprovals(target(api), { runId, environment: 'production', now });
    const refused = judgeApprovals(records, { actor: api.env.GITHUB_ACTOR!, refuseSelfApproval: true });
    expect(refused.ok).toBe(false);
    expect(refused.counted).toEqual([]);
    expect(refused.problem).toBe('the only approval is a self-approval by carol, who triggered the run, and self-approval is refused.');
    expect(judgeApprovals(records, { actor: 'Carol', refuseSelfApproval: false }).ok).toBe(true);
    expect(judgeApprovals(records, { refuseSelfApproval: true }).problem).toMatch(/actor who triggered the run is unknown/);
  });

  it('fails when the reviews are only rejections, or there are none', async () => {
    api.setApprovals(runId, [
      { environments: ['production'], state: 'rejected', user: 'alice', comment: 'drift' },
      { environments: ['production'], state: 'rejected', user: 'bob' },
    ]);
    const records = await readRunApprovals(target(api), { runId, environment: 'production', now });
    expect(judgeApprovals(records, { actor: 'carol', refuseSelfApproval: true })).toEqual({
      ok: false,
      problem: 'no deployment review approved the run: rejected by alice, bob.',
      counted: [],
    });
    const none = judgeApprovals(await readRunApprovals(target(api), { runId, environment: 'staging' }), { refuseSelfApproval: false });
    expect(none.ok).toBe(false);
    expect(none.problem).toMatch(/^no deployment reviews were found for this workflow run: run the job in a GitHub environment with required reviewers/);

    const mixed = judgeApprovals(
      [
        { reviewer: 'carol', state: 'approved', comment: '', environment: 'production', observedAt: '' },
        { reviewer: 'alice', state: 'rejected', comment: '', environment: 'production', observedAt: '' },
      ],
      { actor: 'carol', refuseSelfApproval: true },
    );
    expect(mixed.problem).toBe('the only approval is a self-approval by carol, who triggered the run, and self-approval is refused; the other reviews were rejected by alice.');
  });

  it('says how to pass a token when there is none, without calling GitHub', async () => {
    for (const token of [undefined, '', '   ']) {
      const err = await failure(readRunApprovals(target(api, { token }), { runId }));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe('github-token');
      expect(err.message).toContain('github-token: ${{ github.token }}');
      expect(err.message).toContain('permissions: actions: read');
    }
    expect(api.requests).toEqual([]);
  });

  it('turns 401/403/404 into one line that says what to fix', async () => {
    const bad = await failure(readRunApprovals(target(api, { token: 'ghs_notTheRightOne123' }), { runId }));
    expect(bad).toBeInstanceOf(InputError);
    expect(bad.message).toBe(`Input 'github-token': GitHub rejected the token for GET /repos/octo-org/models/actions/runs/${runId}/approvals (401 Bad credentials): pass \${{ github.token }} or a valid token.`);
    expect(bad.message).not.toContain('ghs_notTheRightOne123');

    api.setPermission('actions', 'none');
    const denied = await failure(readRunApprovals(target(api), { runId }));
    expect(denied).toBeInstanceOf(InputError);
    expect(denied.message).toBe(
      `Input 'github-token': the token may not read the approvals of run ${runId} in octo-org/models (403 Resource not accessible by integration): give the job \`permissions: actions: read\`.`,
    );
    api.setPermission('actions', 'read');

    const missing = await failure(readRunApprovals(target(api), { runId: 12345 }));
    expect(missing).toBeInstanceOf(GitHubApiError);
    expect((missing as GitHubApiError).oneLine()).toBe(
      'GitHub API GET /repos/octo-org/models/actions/runs/12345/approvals failed with 404 (Not Found). Run 12345 has no deployment reviews GitHub will show this token: the run is not in octo-org/models, or the token cannot see it (give the job `permissions: actions: read`).',
    );

    const badRun = await failure(readRunApprovals(target(api), { runId: Number('') || Number.NaN }));
    expect((badRun as InputError).input).toBe('GITHUB_RUN_ID');
  });

  it('retries 502s with the suite’s policy and gives up with a one-line TransientError', async () => {
    api.setApprovals(runId, [{ environments: ['production'], state: 'approved', user: 'alice' }]);
    api.failNext({ method: 'GET', path: /approvals$/, status: 502, times: 2 });
    const clock = fakeClock();
    expect(await readRunApprovals(target(api, { clock }), { runId, now })).toHaveLength(1);
    expect(api.requests).toHaveLength(3);
    expect(clock.slept).toHaveLength(2);

    // Secondary rate limit: a 403 with Retry-After is waited out, not reported as a permission problem.
    api.failNext({ method: 'GET', path: /approvals$/, status: 403, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '2' } });
    const clock2 = fakeClock();
    expect(await readRunApprovals(target(api, { clock: clock2 }), { runId })).toHaveLength(1);
    expect(clock2.slept).toEqual([2000]);

    // An attempt that gets no answer in time is abandoned and tried again.
    api.failNext({ method: 'GET', path: /approvals$/, status: 504, delayMs: 800 });
    const t0 = Date.now();
    expect(await readRunApprovals(target(api, { retry: { attemptTimeoutMs: 100 } }), { runId })).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(600); // did not wait for the slow answer

    api.failNext({ method: 'GET', path: /approvals$/, status: 503, times: 100 });
    const err = await failure(readRunApprovals(target(api, { retry: { maxAttempts: 3 } }), { runId }));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).oneLine()).toBe(`GitHub API GET /repos/octo-org/models/actions/runs/${runId}/approvals kept failing after 3 attempts: 503 Server Error.`);
  });
});

describe('GitHub: sticky PR comment', () => {
  let api: GitHubApi;
  beforeEach(async () => {
    api = await startGitHubApi({ pullRequest: { number: 7 } });
  });
  afterEach(async () => {
    await api.stop();
  });

  it('creates the comment once, then updates it in place — never a second POST', async () => {
    const first = await upsertStickyComment(target(api), { issueNumber: 7, marker: 'mlops-actions:gate:clf', body: '### Gate: clf v12\n4/5 rules pass' });
    expect(first.created).toBe(true);
    expect(first.url).toBe(`https://github.com/octo-org/models/pull/7#issuecomment-${first.id}`);
    const second = await upsertStickyComment(target(api), { issueNumber: 7, marker: 'mlops-actions:gate:clf', body: '### Gate: clf v13\n5/5 rules pass' });
    expect(second).toEqual({ id: first.id, created: false, url: first.url });

    expect(lines(api)).toEqual([
      'GET /repos/octo-org/models/issues/7/comments?per_page=100',
      'POST /repos/octo-org/models/issues/7/comments',
      'GET /repos/octo-org/models/issues/7/comments?per_page=100',
      `PATCH /repos/octo-org/models/issues/comments/${first.id}`,
    ]);
    expect(api.requests[1]!.body).toEqual({ body: '<!-- mlops-actions:gate:clf -->\n### Gate: clf v12\n4/5 rules pass' });
    expect(api.requests[3]!.body).toEqual({ body: '<!-- mlops-actions:gate:clf -->\n### Gate: clf v13\n5/5 rules pass' });
    expect(api.requests.every((r) => r.auth)).toBe(true);
    expect(api.comments(7)).toEqual([{ id: first.id, body: '<!-- mlops-actions:gate:clf -->\n### Gate: clf v13\n5/5 rules pass', user: 'github-actions[bot]' }]);

    // Another model gets its own comment; a marker given as an HTML comment is the same marker.
    const other = await upsertStickyComment(target(api), { issueNumber: 7, marker: '<!-- mlops-actions:gate:reg -->', body: 'reg' });
    expect(other.created).toBe(true);
    const again = await upsertStickyComment(target(api), { issueNumber: 7, marker: '<!-- mlops-actions:gate:clf -->', body: 'clf again' });
    expect(again).toMatchObject({ id: first.id, created: false });
    expect(api.comments(7)).toHaveLength(2);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('follows the Link header to find the comment on page 2', async () => {
    for (let i = 0; i < 130; i++) api.addComment(7, i === 120 ? '<!-- mlops-actions:gate:clf -->\nold report' : `chatter ${i}`);
    const target120 = api.comments(7)[120]!.id;
    const r = await upsertStickyComment(target(api), { issueNumber: 7, marker: 'mlops-actions:gate:clf', body: 'new report' });
    expect(r).toMatchObject({ id: target120, created: false });
    const l = lines(api);
    expect(l).toHaveLength(3);
    expect(l[0]).toBe('GET /repos/octo-org/models/issues/7/comments?per_page=100');
    expect(l[1]).toMatch(/^GET \/repositories\/\d+\/issues\/7\/comments\?per_page=100&page=2$/);
    expect(l[2]).toBe(`PATCH /repos/octo-org/models/issues/comments/${target120}`);
    expect(api.comments(7)).toHaveLength(130);
    expect(api.comments(7)[120]!.body).toBe('<!-- mlops-actions:gate:clf -->\nnew report');
  });

  it('after a create that failed ambiguously (502 once written), lists again instead of posting twice', async () => {
    api.failNext({ method: 'POST', path: /\/issues\/7\/comments$/, status: 502, afterHandling: true });
    const r = await upsertStickyComment(target(api), { issueNumber: 7, marker: 'mlops-actions:gate:clf', body: 'report' });
    expect(r.created).toBe(true);
    expect(lines(api)).toEqual([
      'GET /repos/octo-org/models/issues/7/comments?per_page=100',
      'POST /repos/octo-org/models/issues/7/comments',
      'GET /repos/octo-org/models/issues/7/comments?per_page=100',
    ]);
    expect(api.comments(7)).toHaveLength(1);

    // A 503 means GitHub did not handle it: sent again at once.
    api.failNext({ method: 'POST', path: /\/issues\/8\/comments$/, status: 503 });
    api.openIssue(8);
    await upsertStickyComment(target(api), { issueNumber: 8, marker: 'm', body: 'x' });
    expect(lines(api).slice(3)).toEqual(['GET /repos/octo-org/models/issues/8/comments?per_page=100', 'POST /repos/octo-org/models/issues/8/comments', 'POST /repos/octo-org/models/issues/8/comments']);
    expect(api.comments(8)).toHaveLength(1);
  });

  it('explains a read-only token (fork PRs), a missing token and a missing PR', async () => {
    api.setPermission('issues', 'read');
    const denied = await failure(upsertStickyComment(target(api), { issueNumber: 7, marker: 'm', body: 'x' }));
    expect(denied.message).toBe(
      "Input 'github-token': the token may not write comments on #7 in octo-org/models (403 Resource not accessible by integration): give the job `permissions: pull-requests: write`; on pull requests from forks the token is read-only, so turn the comment off there.",
    );
    const none = await failure(upsertStickyComment(target(api, { token: '' }), { issueNumber: 7, marker: 'm', body: 'x' }));
    expect(none.message).toMatch(/^Input 'github-token': no GitHub token was given\. .*permissions: pull-requests: write/);
    api.setPermission('issues', 'write');
    const gone = await failure(upsertStickyComment(target(api), { issueNumber: 99, marker: 'm', body: 'x' }));
    expect((gone as GitHubApiError).status).toBe(404);
    expect(gone.message).toMatch(/Issue or pull request #99 in octo-org\/models does not exist, or the token cannot see it\.$/);
    expect(() => markerComment('a --> b')).toThrow(InputError);
  });
});

describe('GitHub: secrets and errors', () => {
  it('never puts the token in an error message, whatever fails', async () => {
    const api = await startGitHubApi({ pullRequest: { number: 7 } });
    const runId = Number(api.env.GITHUB_RUN_ID);
    const errors: Error[] = [];
    try {
      const t = target(api, { retry: { maxAttempts: 2 } });
      api.failNext({ method: 'GET', path: /approvals$/, status: 500, message: `internal error for token ${api.token}` });
      errors.push(await failure(readRunApprovals(t, { runId })));
      api.failNext({ method: 'GET', path: /comments$/, status: 502, times: 2, message: `oops ${api.token}` });
      errors.push(await failure(upsertStickyComment(t, { issueNumber: 7, marker: 'm', body: 'x' })));
      api.failNext({ method: 'POST', path: /comments$/, status: 422, message: `Validation Failed ${encodeURIComponent(api.token)}` });
      errors.push(await failure(upsertStickyComment(t, { issueNumber: 7, marker: 'm', body: 'x' })));
      api.setPermission('actions', 'none');
      errors.push(await failure(readRunApprovals(t, { runId })));
      errors.push(await failure(readRunApprovals({ ...t, token: `${api.token}x` }, { runId })));
      errors.push(await failure(readRunApprovals({ ...t, apiUrl: `http://127.0.0.1:${await closedPort()}` }, { runId })));
      errors.push(await failure(readRunApprovals({ ...t, apiUrl: 'http://127.0.0.1:9' }, { runId }))); // a port fetch refuses
    } finally {
      await api.stop();
    }
    expect(errors).toHaveLength(7);
    for (const e of errors) {
      expect(isMlopsError(e)).toBe(true);
      const everything = `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String((e as { cause?: unknown }).cause ?? '')}`;
      expect(everything).not.toContain(api.token);
      expect(everything).not.toMatch(/authorization/i);
      expect(e.message).not.toContain('\n');
    }
    expect(errors[0]!.message).toBe(`GitHub API GET /repos/octo-org/models/actions/runs/${runId}/approvals failed with 500 (internal error for token ***).`);
    expect(errors[5]!.message).toMatch(/kept failing after 2 attempts: network error ECONNREFUSED\.$/);
    expect(errors[6]!.message).toBe(`GitHub API GET /repos/octo-org/models/actions/runs/${runId}/approvals failed (network error: bad port).`);
  });
});

describe('GitHub: event payload and markdown', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-event-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the PR number on pull_request and pull_request_target only', async () => {
    const api = await startGitHubApi({ pullRequest: { number: 31 } });
    try {
      expect(pullRequestNumber(api.env)).toBe(31);
      expect(pullRequestNumber({ ...api.env, GITHUB_EVENT_NAME: 'pull_request_target' })).toBe(31);
      expect(pullRequestNumber({ ...api.env, GITHUB_EVENT_NAME: 'push' })).toBeUndefined();
    } finally {
      await api.stop();
    }
    const plain = await startGitHubApi();
    try {
      expect(plain.env.GITHUB_EVENT_NAME).toBe('workflow_dispatch');
      expect(pullRequestNumber(plain.env)).toBeUndefined();
    } finally {
      await plain.stop();
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{not json');
    expect(pullRequestNumber({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: broken })).toBeUndefined();
    expect(pullRequestNumber({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: join(dir, 'missing.json') })).toBeUndefined();
    const onlyNumber = join(dir, 'n.json');
    writeFileSync(onlyNumber, JSON.stringify({ number: 5 }));
    expect(pullRequestNumber({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: onlyNumber })).toBe(5);
  });

  it('renders approvals as a table with the no-timestamp footnote, escaping cells and mentioning nobody', () => {
    const md = approvalsTable([
      { reviewer: 'alice', state: 'approved', comment: 'ok | ship it\nnow', environment: 'production', observedAt: FIXED.toISOString() },
      { reviewer: 'bob', state: 'rejected', comment: '', environment: 'production', observedAt: FIXED.toISOString() },
    ]);
    expect(md).toContain('| Reviewer | State | Environment | Comment | Observed at ¹ |');
    expect(md).toContain('| alice | ✅ approved | production | ok \\| ship it now | 2026-03-01T12:00:00.000Z |');
    expect(md).toContain('| bob | ❌ rejected | production | — |');
    expect(md).toContain('GitHub records no time for a deployment review');
    expect(md).not.toContain('@alice');
    expect(approvalsTable([])).toMatch(/^_No deployment reviews recorded for this workflow run\._/);
  });

  it('parses Link headers', () => {
    expect(nextLink('<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last"')).toBe('https://x/a?page=2');
    expect(nextLink('<https://x/a?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });

  it('loads @actions/github only inside the functions that talk to GitHub', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    for (const f of readdirSync(here).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const src = readFileSync(join(here, f), 'utf8');
      expect(src).not.toMatch(/^import (?!type )[^;]*from '@actions\/github'/m);
    }
    expect(readFileSync(join(here, 'client.ts'), 'utf8')).toContain("await import('@actions/github')");
  });
});
