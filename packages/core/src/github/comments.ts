/**
 * One sticky comment per marker on an issue or pull request: found by a hidden HTML comment in its
 * body, updated in place, created only when no comment carries the marker.
 */
import { InputError } from '../errors.js';
import { AmbiguousWriteError, GitHubApiError, openSession, toError, translateStatus, type GitHubTarget, type Session } from './client.js';

const TOKEN_HELP =
  'Commenting on the pull request needs one: pass `github-token: ${{ github.token }}` and give the job `permissions: pull-requests: write` (or `issues: write` for an issue).';

/** The most pages read while looking for the marker (100 comments each). */
const MAX_PAGES = 100;

/** `mlops-actions:gate:clf` → `<!-- mlops-actions:gate:clf -->`; a marker given as an HTML comment is kept. */
export function markerComment(marker: string): string {
  const m = marker.trim();
  const inner = m.startsWith('<!--') && m.endsWith('-->') ? m.slice(4, -3).trim() : m;
  if (!inner || inner.includes('--') || inner.includes('>') || /[\r\n]/.test(inner)) {
    throw new InputError('comment', `the sticky comment marker must be one line of text without '--' or '>', got '${marker.slice(0, 80)}'`);
  }
  return `<!-- ${inner} -->`;
}

interface FoundComment {
  id: number;
  body: string;
  url?: string;
}

/**
 * Lists the issue's comments (every page), updates the first one whose body contains the marker
 * (PATCH /repos/{o}/{r}/issues/comments/{id}) or creates one (POST /repos/{o}/{r}/issues/{n}/comments).
 * The marker is added at the top of the body. A create that fails ambiguously (the comment may
 * exist) is never re-sent blind: the comments are listed again first.
 */
export async function upsertStickyComment(t: GitHubTarget, q: { issueNumber: number; marker: string; body: string }): Promise<{ id: number; created: boolean; url?: string }> {
  if (!Number.isSafeInteger(q.issueNumber) || q.issueNumber <= 0) {
    throw new InputError('comment', `expected a pull request or issue number, got '${String(q.issueNumber)}'`);
  }
  const tag = markerComment(q.marker);
  const body = q.body.includes(tag) ? q.body : `${tag}\n${q.body}`;
  const s = await openSession(t, TOKEN_HELP);
  const where = `#${q.issueNumber} in ${s.owner}/${s.repo}`;
  const map = (e: GitHubApiError) => commentError(e, where);

  for (let round = 0; ; round++) {
    const existing = await translateStatus(() => findMarked(s, q.issueNumber, tag), map);
    if (existing) {
      if (round > 0 && existing.body === body) return withUrl({ id: existing.id, created: true }, existing.url); // our earlier create went through
      const path = `/repos/${s.owner}/${s.repo}/issues/comments/${existing.id}`;
      const updated = await translateStatus(
        () =>
          s.call('PATCH', path, async (signal) => {
            const res = await s.octokit.rest.issues.updateComment({ owner: s.owner, repo: s.repo, comment_id: existing.id, body, request: { signal } });
            return res.data;
          }),
        map,
      );
      return withUrl({ id: updated.id, created: false }, updated.html_url);
    }
    const path = `/repos/${s.owner}/${s.repo}/issues/${q.issueNumber}/comments`;
    try {
      const created = await translateStatus(
        () =>
          s.call(
            'POST',
            path,
            async (signal) => {
              const res = await s.octokit.rest.issues.createComment({ owner: s.owner, repo: s.repo, issue_number: q.issueNumber, body, request: { signal } });
              return res.data;
            },
            { resend: 'if-not-processed' },
          ),
        map,
      );
      return withUrl({ id: created.id, created: true }, created.html_url);
    } catch (err) {
      // The create may have happened: look again before creating (bounded, then report the failure).
      if (err instanceof AmbiguousWriteError && round < 2) continue;
      if (err instanceof AmbiguousWriteError) throw toError(err.failure, 'POST', path);
      throw err;
    }
  }
}

async function findMarked(s: Session, issue: number, tag: string): Promise<FoundComment | undefined> {
  type Page = { comments: { id: number; body?: string | null; html_url?: string }[]; link: string | undefined };
  const toPage = (res: { data: unknown; headers: { link?: string } }): Page => ({
    comments: Array.isArray(res.data) ? (res.data as Page['comments']) : [],
    link: res.headers.link,
  });
  const first = `/repos/${s.owner}/${s.repo}/issues/${issue}/comments`;
  let page = await s.call('GET', first, async (signal) =>
    toPage(await s.octokit.rest.issues.listComments({ owner: s.owner, repo: s.repo, issue_number: issue, per_page: 100, request: { signal } })),
  );
  for (let n = 1; ; n++) {
    const hit = page.comments.find((c) => typeof c.body === 'string' && c.body.includes(tag));
    if (hit) return { id: hit.id, body: hit.body ?? '', ...(hit.html_url ? { url: hit.html_url } : {}) };
    const next = nextLink(page.link);
    if (!next) return undefined;
    if (n >= MAX_PAGES) throw new GitHubApiError(200, 'GET', first, `more than ${MAX_PAGES * 100} comments`, 'Not looking further for the sticky comment.');
    const nextUrl = sameOrigin(next, s.apiUrl, first);
    page = await s.call('GET', new URL(nextUrl).pathname, async (signal) => toPage(await s.octokit.request({ method: 'GET', url: nextUrl, request: { signal } })));
  }
}

/** The `rel="next"` URL of a Link header. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /^<([^<>]+)>\s*;(.*)$/.exec(part.trim());
    const rel = m ? /\brel="?([^";]*)"?/.exec(m[2]!)?.[1] : undefined;
    if (m && rel?.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

/** Follows a pagination link only to the API the token was meant for. */
function sameOrigin(next: string, baseUrl: string, path: string): string {
  let u: URL;
  try {
    u = new URL(next, baseUrl);
  } catch {
    throw new GitHubApiError(200, 'GET', path, 'unreadable pagination link');
  }
  if (u.origin !== new URL(baseUrl).origin) {
    throw new GitHubApiError(200, 'GET', path, `pagination link points to another host (${u.host})`, 'Not sending the token there.');
  }
  return u.toString();
}

function commentError(e: GitHubApiError, where: string): InputError | GitHubApiError | undefined {
  if (e.status === 403) {
    return new InputError(
      'github-token',
      `the token may not ${e.method === 'GET' ? 'read' : 'write'} comments on ${where} (403 ${e.serverMessage || 'Forbidden'}): give the job \`permissions: pull-requests: write\`; on pull requests from forks the token is read-only, so turn the comment off there.`,
    );
  }
  if (e.status === 404) {
    return new GitHubApiError(404, e.method, e.path, e.serverMessage, `Issue or pull request ${where} does not exist, or the token cannot see it.`);
  }
  return undefined;
}

function withUrl<T extends { id: number; created: boolean }>(r: T, url: string | undefined): T & { url?: string } {
  return url ? { ...r, url } : r;
}
