/**
 * What a job needs to talk to the GitHub Actions artifact service (v4, the "results" service),
 * read from the runner's environment: where the service is, the bearer token, and the backend ids
 * of this run and job, which every request names.
 */
import { InputError } from '../errors.js';

export interface ArtifactRuntime {
  /** `ACTIONS_RUNTIME_TOKEN`: a secret, never to be printed. */
  token: string;
  /** Origin of `ACTIONS_RESULTS_URL`: the service lives at a fixed path under it. */
  origin: string;
  runBackendId: string;
  jobBackendId: string;
}

/**
 * The runtime of this job, or one InputError line on `input` saying why the artifact service
 * cannot be used from here. The caller has already checked that both variables are set.
 */
export function readArtifactRuntime(input: string, env: NodeJS.ProcessEnv = process.env): ArtifactRuntime {
  if (isGhes(env.GITHUB_SERVER_URL)) {
    throw new InputError(input, 'workflow artifacts of the v4 artifact service are not supported on GitHub Enterprise Server (GITHUB_SERVER_URL is not github.com)');
  }
  const token = env.ACTIONS_RUNTIME_TOKEN ?? '';
  let origin: string;
  try {
    origin = new URL(env.ACTIONS_RESULTS_URL ?? '').origin;
  } catch {
    throw new InputError(input, 'ACTIONS_RESULTS_URL is not a URL, so the artifact service cannot be reached (it is set by the runner: is this a GitHub Actions job?)');
  }
  const ids = resultsScope(token);
  if (!ids) {
    // The token itself stays out of the message: it is a credential even when malformed.
    throw new InputError(
      input,
      "the job's runtime token (ACTIONS_RUNTIME_TOKEN) grants no Actions.Results scope, so the artifact service cannot be used from this job (the token is set by the runner: is this a GitHub Actions job on github.com?)",
    );
  }
  return { token, origin, ...ids };
}

/**
 * The run and job ids from the token's `scp` claim (`Actions.Results:<run>:<job>`). The token is
 * decoded, never verified: verifying it is the service's business, and we hold no key.
 */
function resultsScope(token: string): { runBackendId: string; jobBackendId: string } | undefined {
  let scp: unknown;
  try {
    const payload = token.split('.')[1] ?? '';
    scp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: unknown }).scp;
  } catch {
    return undefined;
  }
  if (typeof scp !== 'string') return undefined;
  for (const scope of scp.split(/\s+/)) {
    const [kind, run, job, ...rest] = scope.split(':');
    if (kind === 'Actions.Results' && run && job && rest.length === 0) return { runBackendId: run, jobBackendId: job };
  }
  return undefined;
}

/** Anything but github.com and GitHub Enterprise Cloud with data residency (`*.ghe.com`) is GHES, which has no v4 artifact service. */
function isGhes(serverUrl: string | undefined): boolean {
  if (!serverUrl) return false; // the runner always sets it; unset means a local run that targets github.com
  let host: string;
  try {
    host = new URL(serverUrl).hostname.toLowerCase();
  } catch {
    return true;
  }
  return !(host === 'github.com' || host.endsWith('.ghe.com'));
}
