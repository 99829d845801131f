/**
 * Who and what is running, from the variables the runner sets: recorded on every promotion hop so
 * that a model version says which workflow run, actor and commit moved it.
 */
export interface RunContext {
  actor?: string;
  repository?: string;
  commit?: string;
  workflowRunUrl?: string;
  eventName?: string;
  /** ISO time the step observed, injectable for tests. */
  at: string;
}

export function runContextFromEnv(env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): RunContext {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repo = env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID || undefined;
  const attempt = env.GITHUB_RUN_ATTEMPT;
  const runUrl = repo && runId ? `${server}/${repo}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}` : undefined;
  return {
    actor: env.GITHUB_ACTOR || undefined,
    repository: repo,
    commit: env.GITHUB_SHA || undefined,
    workflowRunUrl: runUrl,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    at: now().toISOString(),
  };
}
