/**
 * A local stand-in for the few GitHub REST endpoints the suite calls, for tests. @actions/github
 * is pointed at it through `GITHUB_API_URL` (or `baseUrl`), so the real octokit request path runs.
 *
 * Endpoints, with GitHub's documented shapes:
 * - `GET  /repos/{owner}/{repo}/actions/runs/{run_id}/approvals` — the run's deployment review
 *   history: `[{ environments: [{id, node_id, name, url, html_url, created_at, updated_at}], state,
 *   user: {login, id, type, ...}, comment }]`; no pagination; 404 for a run it does not know.
 * - `GET  /repos/{owner}/{repo}/issues/{issue_number}/comments?per_page&page` — ascending by id,
 *   `per_page` default 30 and at most 100, `Link` header with next/last/first/prev. As on github.com,
 *   the URLs in `Link` use `/repositories/{repo_id}/...`, which this server answers too.
 * - `POST /repos/{owner}/{repo}/issues/{issue_number}/comments` `{body}` → 201 and the comment.
 * - `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}` `{body}` → 200 and the comment.
 *
 * Auth: `Authorization: token <t>` or `Bearer <t>`; no header → 401 "Requires authentication", an
 * unknown token → 401 "Bad credentials". Permissions of the token (as GITHUB_TOKEN's `permissions:`)
 * can be narrowed, giving GitHub's 403 "Resource not accessible by integration". Unknown paths,
 * methods, repositories, issues and comments → 404 `{"message":"Not Found"}`.
 *
 * The request log records whether a request carried credentials, never the credentials. Nothing is
 * printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOCS = 'https://docs.github.com/rest';

export interface PeerUser {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  url: string;
  html_url: string;
  type: 'User' | 'Bot';
  site_admin: boolean;
}

export interface PeerApproval {
  /** Environment names; ids and URLs are filled in. */
  environments: string[];
  state: 'approved' | 'rejected' | 'pending';
  /** Reviewer login. */
  user: string;
  comment?: string;
}

export interface PeerComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: PeerUser;
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface PeerRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Parsed JSON body, when one was sent. */
  body?: unknown;
  /** Whether the request carried an Authorization header (its value is never kept). */
  auth: boolean;
}

export type PermissionLevel = 'none' | 'read' | 'write';

export interface Fault {
  method: string;
  /** Matched against the path without its query. */
  path: RegExp;
  status: number;
  /** Handle the request first (the write happens), then answer `status`: an ambiguous failure. */
  afterHandling?: boolean;
  /** How many matching requests fail; default 1. */
  times?: number;
  headers?: Record<string, string>;
  /** The error body's message; default "Server Error". */
  message?: string;
  /** Wait this long before answering (for per-attempt timeouts). */
  delayMs?: number;
}

export interface GitHubApiOptions {
  /** `owner/repo`; default `octo-org/models`. */
  repository?: string;
  runId?: number;
  actor?: string;
  /** Write a `pull_request` event payload for this PR and set GITHUB_EVENT_NAME accordingly. */
  pullRequest?: { number: number; eventName?: 'pull_request' | 'pull_request_target' };
}

export interface GitHubApi {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The token this server accepts (what `${{ github.token }}` would be). */
  token: string;
  /** GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_ACTOR, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH. */
  env: Record<string, string>;
  /** Every request received, in order. */
  requests: PeerRequest[];
  /** Replaces the review history of a run (and makes the run known). */
  setApprovals(runId: number, approvals: PeerApproval[]): void;
  /** The comments of an issue, ascending by id. */
  comments(issue: number): { id: number; body: string; user: string }[];
  /** Adds a comment as someone else (opens the issue if needed); returns its id. */
  addComment(issue: number, body: string, login?: string): number;
  /** Makes an issue/PR number exist (POST/GET on unknown issues get 404). */
  openIssue(issue: number): void;
  /** Narrows what the token may do, as a workflow's `permissions:` would. */
  setPermission(scope: 'actions' | 'issues', level: PermissionLevel): void;
  /** Makes the next matching request(s) fail. */
  failNext(fault: Fault): void;
  stop(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function startGitHubApi(opts: GitHubApiOptions = {}): Promise<GitHubApi> {
  const repository = opts.repository ?? 'octo-org/models';
  const [owner, repo] = repository.split('/') as [string, string];
  const repoId = 700_000_000 + Math.floor(Math.random() * 1000);
  const runId = opts.runId ?? 9_876_543_210;
  const actor = opts.actor ?? 'octocat';
  const token = `ghs_${randomBytes(18).toString('base64url')}`;

  const requests: PeerRequest[] = [];
  const approvals = new Map<number, PeerApproval[]>([[runId, []]]);
  const issues = new Map<number, PeerComment[]>();
  const permissions: Record<'actions' | 'issues', PermissionLevel> = { actions: 'read', issues: 'write' };
  const faults: (Fault & { left: number })[] = [];
  const users = new Map<string, PeerUser>();
  const environments = new Map<string, number>();
  let nextCommentId = 1_900_000_001;
  let base = '';

  const user = (login: string): PeerUser => {
    let u = users.get(login);
    if (!u) {
      const id = 1000 + users.size;
      u = {
        login,
        id,
        node_id: `U_${Buffer.from(login).toString('base64url')}`,
        avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
        url: `${base}/users/${encodeURIComponent(login)}`,
        html_url: `https://github.com/${login.replace(/\[bot\]$/, '')}`,
        type: login.endsWith('[bot]') ? 'Bot' : 'User',
        site_admin: false,
      };
      users.set(login, u);
    }
    return u;
  };

  const environment = (name: string) => {
    let id = environments.get(name);
    if (id === undefined) {
      id = 161_088_000 + environments.size;
      environments.set(name, id);
    }
    return {
      id,
      node_id: `EN_${id}`,
      name,
      url: `${base}/repos/${owner}/${repo}/environments/${encodeURIComponent(name)}`,
      html_url: `https://github.com/${owner}/${repo}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
      created_at: '2026-01-05T10:00:00Z',
      updated_at: '2026-01-05T10:00:00Z',
    };
  };

  const issueComments = (n: number): PeerComment[] => {
    const list = issues.get(n);
    if (!list) throw new HttpFailure(404, 'Not Found');
    return list;
  };

  const newComment = (n: number, body: string, login: string): PeerComment => {
    const id = nextCommentId++;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const c: PeerComment = {
      id,
      node_id: `IC_${id}`,
      url: `${base}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${n}#issuecomment-${id}`,
      issue_url: `${base}/repos/${owner}/${repo}/issues/${n}`,
      body,
      user: user(login),
      created_at: now,
      updated_at: now,
      author_association: login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    };
    issueComments(n).push(c);
    return c;
  };

  const need = (scope: 'actions' | 'issues', level: 'read' | 'write') => {
    const have = permissions[scope];
    if (have === 'none' || (level === 'write' && have !== 'write')) {
      throw new HttpFailure(403, 'Resource not accessible by integration');
    }
  };

  const bodyText = (body: unknown): string => {
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string') throw new HttpFailure(422, 'Invalid request.\n\n"body" wasn\'t supplied.', { status: '422' });
    if (text.length > 65536) throw new HttpFailure(422, 'Validation Failed', { errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] });
    return text;
  };

  type Handler = (m: RegExpMatchArray, url: URL, body: unknown) => { status: number; json: unknown; headers?: Record<string, string> };
  const repoPrefix = `(?:/repos/([^/]+)/([^/]+)|/repositories/(\\d+))`;
  const routes: { method: string; re: RegExp; handle: Handler }[] = [
    {
      method: 'GET',
      re: new RegExp(`^${repoPrefix}/actions/runs/(\\d+)/approvals$`),
      handle: (m) => {
        need('actions', 'read');
        const list = approvals.get(Number(m[4]));
        if (!list) throw new HttpFailure(404, 'Not Found');
        const json = list.map((a) => ({
          environments: a.environments.map(environment),
          state: a.state,
          user: user(a.user),
          comment: a.comment ?? '',
        }));
        return { status: 200, json };
      },
    },
    {
      method: 'GET',
      re: new RegExp(`^${repoPrefix}/issues/(\\d+)/comments$`),
      handle: (m, url) => {
        need('issues', 'read');
        const n = Number(m[4]);
        const all = issueComments(n);
        const perPage = clampInt(url.searchParams.get('per_page'), 30, 1, 100);
        const page = clampInt(url.searchParams.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const json = all.slice((page - 1) * perPage, page * perPage);
        const link = (p: number) => `<${base}/repositories/${repoId}/issues/${n}/comments?per_page=${perPage}&page=${p}>`;
        const rels: string[] = [];
        if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
        if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
        if (page > 1) rels.push(`${link(1)}; rel="first"`);
        const headers: Record<string, string> = rels.length ? { link: rels.join(', ') } : {};
        return { status: 200, json, headers };
      },
    },
    {
      method: 'POST',
      re: new RegExp(`^${repoPrefix}/issues/(\\d+)/comments$`),
      handle: (m, _url, body) => {
        need('issues', 'write');
        const n = Number(m[4]);
        issueComments(n);
        const c = newComment(n, bodyText(body), 'github-actions[bot]');
        return { status: 201, json: c, headers: { location: c.url } };
      },
    },
    {
      method: 'PATCH',
      re: new RegExp(`^${repoPrefix}/issues/comments/(\\d+)$`),
      handle: (m, _url, body) => {
        need('issues', 'write');
        const id = Number(m[4]);
        const c = [...issues.values()].flat().find((x) => x.id === id);
        if (!c) throw new HttpFailure(404, 'Not Found');
        c.body = bodyText(body);
        c.updated_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        return { status: 200, json: c };
      },
    },
  ];

  const send = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(json);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(text);
  };

  const fail = (res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    send(res, status, { message, documentation_url: DOCS, status: String(status), ...extra }, headers);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', base);
    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    }
    const authHeader = req.headers.authorization;
    const entry: PeerRequest = { method, path: url.pathname + url.search, auth: typeof authHeader === 'string' && authHeader.length > 0 };
    if (body !== undefined) entry.body = body;
    requests.push(entry);

    if (!entry.auth) return fail(res, 401, 'Requires authentication');
    const presented = /^(?:token|bearer)\s+(.+)$/i.exec(authHeader ?? '')?.[1]?.trim();
    if (presented !== token) return fail(res, 401, 'Bad credentials');

    const route = routes.find((r) => r.method === method && r.re.test(url.pathname));
    const m = route ? url.pathname.match(route.re) : null;
    if (!route || !m) return fail(res, 404, 'Not Found');
    const sameRepo = m[3] !== undefined ? Number(m[3]) === repoId : m[1]!.toLowerCase() === owner.toLowerCase() && m[2]!.toLowerCase() === repo.toLowerCase();
    if (!sameRepo) return fail(res, 404, 'Not Found');

    const faultIdx = faults.findIndex((f) => f.method.toUpperCase() === method && f.path.test(url.pathname));
    const fault = faultIdx >= 0 ? faults[faultIdx] : undefined;
    if (fault) {
      fault.left -= 1;
      if (fault.left <= 0) faults.splice(faultIdx, 1);
    }
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault && !fault.afterHandling) return fail(res, fault.status, fault.message ?? 'Server Error', {}, fault.headers);

    try {
      const out = route.handle(m, url, body);
      if (fault) return fail(res, fault.status, fault.message ?? 'Server Error', {}, fault.headers);
      send(res, out.status, out.json, out.headers);
    } catch (err) {
      if (err instanceof HttpFailure) return fail(res, err.status, err.message, err.extra);
      fail(res, 500, 'Server Error');
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) fail(res, 500, 'Server Error');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'github-api-peer-'));
  const eventPath = join(dir, 'event.json');
  const repoJson = { id: repoId, name: repo, full_name: repository, owner: { login: owner }, private: true };
  let eventName = 'workflow_dispatch';
  if (opts.pullRequest) {
    eventName = opts.pullRequest.eventName ?? 'pull_request';
    const n = opts.pullRequest.number;
    issues.set(n, []);
    writeFileSync(
      eventPath,
      JSON.stringify({
        action: 'synchronize',
        number: n,
        pull_request: { number: n, state: 'open', title: 'Retrain classifier', html_url: `https://github.com/${repository}/pull/${n}`, user: { login: actor } },
        repository: repoJson,
        sender: { login: actor },
      }),
    );
  } else {
    writeFileSync(eventPath, JSON.stringify({ inputs: {}, ref: 'refs/heads/main', repository: repoJson, sender: { login: actor } }));
  }

  return {
    url: base,
    token,
    env: {
      GITHUB_API_URL: base,
      GITHUB_REPOSITORY: repository,
      GITHUB_RUN_ID: String(runId),
      GITHUB_ACTOR: actor,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
    },
    requests,
    setApprovals(id, list) {
      approvals.set(id, list.map((a) => ({ ...a, environments: [...a.environments] })));
    },
    comments(issue) {
      return (issues.get(issue) ?? []).map((c) => ({ id: c.id, body: c.body, user: c.user.login }));
    },
    addComment(issue, body, login = 'reviewer-bob') {
      if (!issues.has(issue)) issues.set(issue, []);
      return newComment(issue, body, login).id;
    },
    openIssue(issue) {
      if (!issues.has(issue)) issues.set(issue, []);
    },
    setPermission(scope, level) {
      permissions[scope] = level;
    },
    failNext(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function clampInt(raw: string | null, dflt: number, min: number, max: number): number {
  if (raw === null || !/^\d+$/.test(raw)) return dflt;
  return Math.min(max, Math.max(min, Number(raw)));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
