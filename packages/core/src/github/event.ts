/** What the triggering event says, read from the payload file the runner writes. */
import { readFileSync } from 'node:fs';

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

/**
 * The pull request number on `pull_request` / `pull_request_target` events, from the payload at
 * GITHUB_EVENT_PATH; undefined on other events or when the payload cannot be read. Reads the file
 * itself rather than @actions/github's `context`, which is fixed when that module is first loaded.
 */
export function pullRequestNumber(env: NodeJS.ProcessEnv): number | undefined {
  if (!PR_EVENTS.has(env.GITHUB_EVENT_NAME ?? '')) return undefined;
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const p = payload as { pull_request?: { number?: unknown }; number?: unknown } | null;
  const n = p?.pull_request?.number ?? p?.number;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
