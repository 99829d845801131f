/**
 * Deployment approvals of the current workflow run: who reviewed the environment the job runs in,
 * and whether that is enough to promote.
 *
 * GitHub's review history endpoint gives reviewer, state, comment and environments, but no time;
 * `observedAt` is when this step read it, and the table says so.
 */
import { z } from '../zod.js';
import { InputError } from '../errors.js';
import { table } from '../action/markdown.js';
import { GitHubApiError, openSession, translateStatus, type GitHubTarget } from './client.js';

export interface ApprovalRecord {
  reviewer: string;
  /** `approved` or `rejected` (GitHub also documents `pending`). */
  state: string;
  comment: string;
  /** Environment name; '' when GitHub listed none for the review. */
  environment: string;
  /** ISO time this step read the review: GitHub gives no timestamp for approvals. */
  observedAt: string;
}

// Read only when a promotion requires approval, but loaded with every gate: built on first use.
const ReviewsSchema = z.lazy(() =>
  z.array(
    z.looseObject({
      environments: z.nullish(z.array(z.looseObject({ name: z.string() }))),
      state: z.string(),
      user: z.nullish(z.looseObject({ login: z.string() })),
      comment: z.nullish(z.string()),
    }),
  ),
);

const TOKEN_HELP =
  'Reading the approvals of this workflow run needs one: pass `github-token: ${{ github.token }}` and give the job `permissions: actions: read`.';

/**
 * GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals → one record per (review, environment),
 * keeping only `environment`'s (case-insensitive, as GitHub's environment names are) when given.
 */
export async function readRunApprovals(t: GitHubTarget, q: { runId: number; environment?: string; now?: () => Date }): Promise<ApprovalRecord[]> {
  if (!Number.isSafeInteger(q.runId) || q.runId <= 0) {
    throw new InputError('GITHUB_RUN_ID', `expected the numeric id of the current workflow run, got '${String(q.runId)}' — is this running in GitHub Actions?`);
  }
  const s = await openSession(t, TOKEN_HELP);
  const path = `/repos/${s.owner}/${s.repo}/actions/runs/${q.runId}/approvals`;
  const data = await translateStatus(
    () =>
      s.call('GET', path, async (signal) => {
        const res = await s.octokit.rest.actions.getReviewsForRun({ owner: s.owner, repo: s.repo, run_id: q.runId, request: { signal } });
        return res.data as unknown;
      }),
    (e) => approvalsError(e, `${s.owner}/${s.repo}`, q.runId),
  );
  const parsed = ReviewsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
    throw new GitHubApiError(200, 'GET', path, `unexpected response body (${where})`, 'Is GITHUB_API_URL a GitHub REST API?');
  }
  const observedAt = (q.now ?? (() => new Date()))().toISOString();
  const want = q.environment?.trim().toLowerCase();
  const records: ApprovalRecord[] = [];
  for (const review of parsed.data) {
    const base = { reviewer: review.user?.login ?? 'ghost', state: review.state, comment: review.comment ?? '', observedAt };
    const envs = review.environments?.map((e) => e.name) ?? [];
    if (envs.length === 0) {
      if (!want) records.push({ ...base, environment: '' });
      continue;
    }
    for (const environment of envs) {
      if (want && environment.toLowerCase() !== want) continue;
      records.push({ ...base, environment });
    }
  }
  return records;
}

function approvalsError(e: GitHubApiError, repository: string, runId: number): InputError | GitHubApiError | undefined {
  if (e.status === 403) {
    return new InputError(
      'github-token',
      `the token may not read the approvals of run ${runId} in ${repository} (403 ${e.serverMessage || 'Forbidden'}): give the job \`permissions: actions: read\`.`,
    );
  }
  if (e.status === 404) {
    return new GitHubApiError(
      404,
      e.method,
      e.path,
      e.serverMessage,
      `Run ${runId} has no deployment reviews GitHub will show this token: the run is not in ${repository}, or the token cannot see it (give the job \`permissions: actions: read\`).`,
    );
  }
  return undefined;
}

/**
 * Whether the approvals are enough: at least one `approved` record left after dropping
 * self-approvals (reviewer == actor, case-insensitive) when `refuseSelfApproval`. With
 * `refuseSelfApproval` and no actor known, nothing is counted (fail closed).
 */
export function judgeApprovals(
  records: ApprovalRecord[],
  opts: { actor?: string; refuseSelfApproval: boolean },
): { ok: boolean; problem?: string; counted: ApprovalRecord[] } {
  if (records.length === 0) {
    return {
      ok: false,
      problem: 'no deployment reviews were found for this workflow run: run the job in a GitHub environment with required reviewers (Settings → Environments).',
      counted: [],
    };
  }
  const actor = opts.actor?.trim().toLowerCase();
  const approved = records.filter((r) => r.state.toLowerCase() === 'approved');
  if (opts.refuseSelfApproval && !actor && approved.length > 0) {
    return { ok: false, problem: 'cannot tell self-approvals apart: the actor who triggered the run is unknown (GITHUB_ACTOR is not set).', counted: [] };
  }
  const self = opts.refuseSelfApproval ? approved.filter((r) => r.reviewer.toLowerCase() === actor) : [];
  const counted = approved.filter((r) => !self.includes(r));
  if (counted.length > 0) return { ok: true, counted };

  const others = records.filter((r) => r.state.toLowerCase() !== 'approved');
  const byState = new Map<string, string[]>();
  for (const r of others) byState.set(r.state, uniq([...(byState.get(r.state) ?? []), r.reviewer]));
  const otherText = [...byState].map(([state, who]) => `${state} by ${who.join(', ')}`).join('; ');
  if (self.length > 0) {
    const who = uniq(self.map((r) => r.reviewer)).join(', ');
    const rest = otherText ? `; the other reviews were ${otherText}` : '';
    return { ok: false, problem: `the only approval is a self-approval by ${who}, who triggered the run, and self-approval is refused${rest}.`, counted };
  }
  return { ok: false, problem: `no deployment review approved the run: ${otherText}.`, counted };
}

/** Markdown table of the records, with the footnote that GitHub gives no approval time. */
export function approvalsTable(records: ApprovalRecord[]): string {
  const note = 'GitHub records no time for a deployment review; "observed at" is when this step read it.';
  if (records.length === 0) return `_No deployment reviews recorded for this workflow run._\n\n_${note}_\n`;
  const rows = records.map((r) => [r.reviewer, stateLabel(r.state), r.environment, r.comment, r.observedAt]);
  return table(['Reviewer', 'State', 'Environment', 'Comment', 'Observed at ¹'], rows) + `\n_¹ ${note}_\n`;
}

function stateLabel(state: string): string {
  const s = state.toLowerCase();
  if (s === 'approved') return `✅ ${state}`;
  if (s === 'rejected') return `❌ ${state}`;
  return state;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
