/**
 * Talking to GitHub's REST API through @actions/github, with the suite's retry policy and one-line
 * errors that never carry the token.
 *
 * @actions/github is imported lazily, inside the calls: actions that never talk to GitHub do not
 * pay for loading octokit, and importing it has side effects (it builds a `context` from
 * GITHUB_EVENT_PATH at module load). We never use that `context` — it is frozen at first import —
 * and always pass `baseUrl` ourselves, because the package's own default is read from
 * GITHUB_API_URL once, when the module is first loaded.
 *
 * Octokit's RequestError carries the request options (URL, headers); nothing here reads them: the
 * method and path in messages are the ones we built, and the server's message is scrubbed of the
 * token before it is shown.
 */
import type { getOctokit } from '@actions/github';
import { InputError, MlopsError, TransientError } from '../errors.js';
import {
  ATTEMPT_TIMEOUT_CODE,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_STATUSES,
  decideRetry,
  formatSeconds,
  mayResend,
  networkErrorCode,
  parseRetryAfter,
  resolveRetryOptions,
  retryOptionsFromEnv,
  systemClock,
  type Clock,
  type RetryOptions,
} from '../zenml/retry.js';

export interface GitHubTarget {
  /** `${{ github.token }}` or a PAT. Missing or empty → an InputError naming `github-token`. */
  token: string | undefined;
  /** `owner/repo`, usually GITHUB_REPOSITORY. */
  repository: string;
  /** Default: env GITHUB_API_URL, else https://api.github.com. */
  apiUrl?: string;
  /** Retry policy overrides (defaults: the suite's policy and its MLOPS_ACTIONS_* env knobs). */
  retry?: Partial<RetryOptions>;
  /** Injectable time, for tests. */
  clock?: Clock;
}

export type Octokit = ReturnType<typeof getOctokit>;

/** GitHub answered with an error status that retrying will not change (or a network failure). */
export class GitHubApiError extends MlopsError {
  readonly kind = 'api' as const;
  constructor(
    readonly status: number,
    readonly method: string,
    /** The route with its values filled in, as we built it (no query, no credentials). */
    readonly path: string,
    readonly serverMessage: string,
    readonly hint?: string,
  ) {
    const fix = hint ? ` ${hint}` : '';
    const what = status === 0 ? `failed (${serverMessage || 'no response'})` : `failed with ${status} (${serverMessage || 'no message'})`;
    super(`GitHub API ${method} ${path} ${what}.${fix}`);
    this.name = 'GitHubApiError';
  }
}

/** What a failed call looked like, read from octokit's error without touching its request options. */
export interface CallFailure {
  status?: number;
  code?: string;
  message: string;
  retryAfterMs?: number;
  rateLimited: boolean;
}

export interface Session {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The API base URL in use, without a trailing slash. */
  apiUrl: string;
  /**
   * Runs one logical request with retries. `resend: 'if-not-processed'` is for creating POSTs:
   * after an ambiguous failure (reset, timeout, 502/504) it throws `AmbiguousWriteError` instead of
   * sending again, so the caller can look before it re-creates.
   */
  call<T>(method: string, path: string, fn: (signal: AbortSignal) => Promise<T>, opts?: { resend?: 'always' | 'if-not-processed' }): Promise<T>;
  /** Replaces the token (and its usual encodings) in any text. */
  scrub(text: string): string;
}

/** A creating request failed in a way that may or may not have created the thing. */
export class AmbiguousWriteError extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.message);
    this.name = 'AmbiguousWriteError';
  }
}

const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Validates the target and builds an octokit on it. `missingTokenHelp` finishes the sentence
 * that says the token is missing (what it is needed for and which permission).
 */
export async function openSession(t: GitHubTarget, missingTokenHelp: string): Promise<Session> {
  const token = t.token?.trim();
  if (!token) throw new InputError('github-token', `no GitHub token was given. ${missingTokenHelp}`);
  if (!REPO_RE.test(t.repository ?? '')) {
    throw new InputError('GITHUB_REPOSITORY', `expected 'owner/repo', got '${String(t.repository ?? '').slice(0, 100)}' — is this running in GitHub Actions?`);
  }
  const [owner, repo] = t.repository.split('/') as [string, string];
  const apiUrl = apiBaseUrl(t.apiUrl);
  const scrub = (text: string) => scrubToken(text, token);
  const opts = resolveRetryOptions({ ...retryOptionsFromEnv(), ...(t.retry ?? {}) });
  const clock = t.clock ?? systemClock;

  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token, { baseUrl: apiUrl, userAgent: 'mlops-actions' });

  async function call<T>(method: string, path: string, fn: (signal: AbortSignal) => Promise<T>, o: { resend?: 'always' | 'if-not-processed' } = {}): Promise<T> {
    const startedAt = clock.now();
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.timeout(opts.attemptTimeoutMs);
      let failure: CallFailure;
      try {
        return await fn(signal);
      } catch (err) {
        failure = readFailure(err, scrub);
      }
      const retryable =
        (failure.status !== undefined && (RETRYABLE_STATUSES.has(failure.status) || failure.rateLimited)) ||
        (failure.code !== undefined && RETRYABLE_NETWORK_CODES.has(failure.code));
      if (!retryable) throw toError(failure, method, path);
      const rf: { code?: string; status?: number } = {};
      if (failure.code !== undefined) rf.code = failure.code;
      if (failure.status !== undefined) rf.status = failure.rateLimited ? 429 : failure.status;
      if (o.resend === 'if-not-processed' && !mayResend('POST', path, rf)) throw new AmbiguousWriteError(failure);
      const decision = decideRetry({ attempt, startedAt, now: clock.now(), opts, random: clock.random, retryAfterMs: failure.retryAfterMs });
      if (!decision.retry) {
        const why = decision.reason === 'attempts' ? `after ${attempt + 1} attempts` : `within ${formatSeconds(opts.deadlineMs)}`;
        throw new TransientError(`GitHub API ${method} ${path} kept failing ${why}: ${describe(failure)}.`, attempt + 1);
      }
      await clock.sleep(decision.delayMs);
    }
  }

  return { octokit, owner, repo, apiUrl, call, scrub };
}

export function apiBaseUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = (explicit?.trim() || env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InputError('GITHUB_API_URL', `expected an http(s) URL such as https://api.github.com, got '${raw.slice(0, 100)}'`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new InputError('GITHUB_API_URL', `expected an http(s) URL such as https://api.github.com, got '${raw.slice(0, 100)}'`);
  }
  if (u.username || u.password) throw new InputError('GITHUB_API_URL', 'must not carry credentials; pass the token as github-token');
  return raw;
}

export function scrubToken(text: string, token: string): string {
  if (token.length < 4) return text;
  let out = text;
  for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64'), Buffer.from(`x-access-token:${token}`).toString('base64')]) {
    out = out.split(form).join('***');
  }
  return out;
}

/** Reads status, network code, server message and rate-limit hints; never the request options. */
export function readFailure(err: unknown, scrub: (s: string) => string): CallFailure {
  const e = err as { status?: unknown; response?: { status?: unknown; data?: unknown; headers?: Record<string, unknown> } } | null;
  const response = e && typeof e === 'object' ? e.response : undefined;
  if (response && typeof response === 'object' && typeof response.status === 'number') {
    const headers = response.headers ?? {};
    const header = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
    const status = response.status;
    const message = scrub(serverMessage(response.data)).replace(/\s+/g, ' ').trim().slice(0, 300);
    const retryAfterMs = parseRetryAfter(header('retry-after'), Date.now()) ?? rateLimitResetMs(header('x-ratelimit-reset'), header('x-ratelimit-remaining'));
    const rateLimited = (status === 403 || status === 429) && (header('retry-after') !== undefined || header('x-ratelimit-remaining') === '0' || /rate limit/i.test(message));
    const f: CallFailure = { status, message, rateLimited };
    if (retryAfterMs !== undefined) f.retryAfterMs = retryAfterMs;
    return f;
  }
  const code = hasTimeout(err) ? ATTEMPT_TIMEOUT_CODE : networkErrorCode(err);
  const detail = code ? '' : innermostMessage(err, scrub);
  const f: CallFailure = { message: code ? `network error ${code}` : `network error${detail ? `: ${detail}` : ''}`, rateLimited: false };
  if (code) f.code = code;
  return f;
}

function serverMessage(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; errors?: unknown };
    let msg = typeof d.message === 'string' ? d.message : '';
    if (Array.isArray(d.errors)) {
      const details = d.errors
        .map((x) => (x && typeof x === 'object' && typeof (x as { message?: unknown }).message === 'string' ? (x as { message: string }).message : ''))
        .filter(Boolean);
      if (details.length) msg += `: ${details.join('; ')}`;
    }
    return msg;
  }
  return '';
}

function rateLimitResetMs(reset: string | undefined, remaining: string | undefined): number | undefined {
  if (remaining !== '0' || !reset || !/^\d+$/.test(reset)) return undefined;
  return Math.max(0, Number(reset) * 1000 - Date.now());
}

function innermostMessage(err: unknown, scrub: (s: string) => string): string {
  let e: unknown = err;
  let msg = '';
  for (let i = 0; i < 8 && e && typeof e === 'object'; i++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m) msg = m;
    e = (e as { cause?: unknown }).cause;
  }
  return scrub(msg).replace(/\s+/g, ' ').trim().slice(0, 200);
}

function hasTimeout(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 8 && e && typeof e === 'object'; i++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function describe(f: CallFailure): string {
  if (f.status !== undefined) return `${f.status}${f.message ? ` ${f.message}` : ''}`;
  return f.code === ATTEMPT_TIMEOUT_CODE ? 'no response in time' : f.message;
}

/** The generic mapping; callers translate 401/403/404 into sentences that say what to fix first. */
export function toError(f: CallFailure, method: string, path: string): MlopsError {
  if (f.status === 401) {
    return new InputError('github-token', `GitHub rejected the token for ${method} ${path} (401 ${f.message || 'Bad credentials'}): pass \${{ github.token }} or a valid token.`);
  }
  if (f.status === undefined) return new GitHubApiError(0, method, path, f.code === ATTEMPT_TIMEOUT_CODE ? 'no response in time' : f.message);
  return new GitHubApiError(f.status, method, path, f.message);
}

/** Runs `fn` and turns its HTTP status into a caller-specific error; anything else passes through. */
export async function translateStatus<T>(fn: () => Promise<T>, map: (e: GitHubApiError) => MlopsError | undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GitHubApiError) throw map(err) ?? err;
    throw err;
  }
}
