/**
 * The suite's one retry policy for transient failures. It only decides (is this retryable, how
 * long to wait, is there time left); `http.ts` runs the loop. Keeping the decisions here, free of
 * I/O, is what lets the tests pin down the timing with a fake clock.
 */
import { InputError } from '../errors.js';

export interface RetryOptions {
  /** First backoff ceiling, ms: attempt n waits random() * min(capMs, baseMs * 2**n). */
  baseMs: number;
  /** Largest backoff ceiling, ms. */
  capMs: number;
  /** Longest a single attempt may take until response headers arrive, ms. */
  attemptTimeoutMs: number;
  /** Overall budget for one logical request, all attempts and waits included, ms. */
  deadlineMs: number;
  /** Attempts in total, the first one included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  baseMs: 500,
  capMs: 10_000,
  attemptTimeoutMs: 30_000,
  deadlineMs: 60_000,
  maxAttempts: 8,
});

/** Time and randomness, injected so tests control them; defaults are the real ones. */
export interface Clock {
  now(): number;
  /** Rejects as soon as `signal` aborts, and the real one then leaves no timer holding the process. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: () => Math.random(),
};

export function resolveRetryOptions(partial: Partial<RetryOptions> | undefined): RetryOptions {
  const o = { ...DEFAULT_RETRY_OPTIONS, ...dropUndefined(partial ?? {}) };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`retry option ${k} must be a non-negative number, got ${v}`);
  }
  if (o.maxAttempts < 1) throw new RangeError('retry option maxAttempts must be at least 1');
  return o;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reads the suite-wide knobs: MLOPS_ACTIONS_RETRY_DEADLINE (overall budget) and
 * MLOPS_ACTIONS_REQUEST_TIMEOUT (per attempt), both in seconds. Unset or empty means default.
 */
export function retryOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Partial<RetryOptions> {
  const out: Partial<RetryOptions> = {};
  const deadline = seconds(env, 'MLOPS_ACTIONS_RETRY_DEADLINE');
  if (deadline !== undefined) out.deadlineMs = deadline;
  const timeout = seconds(env, 'MLOPS_ACTIONS_REQUEST_TIMEOUT');
  if (timeout !== undefined) out.attemptTimeoutMs = timeout;
  return out;
}

function seconds(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new InputError(name, `expected a number of seconds between 0 and 86400 (e.g. 60), got '${raw.slice(0, 40)}'`);
  }
  return Math.round(n * 1000);
}

/** The code our own per-attempt timeout carries. */
export const ATTEMPT_TIMEOUT_CODE = 'ATTEMPT_TIMEOUT';

/** Statuses that mean "the server did not handle this request, try again later" (502/504 only probably: see mayResend). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Network failures worth another attempt. Whether a *write* may be re-sent after one of them is
 * decided by `mayResend`: ECONNREFUSED means nothing was sent, but a reset or timeout mid-request
 * means the server may have processed it.
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // Not in every list of "transient" codes, but on CI runners they are: a route or host that is
  // briefly gone (server restarting behind a load balancer, VPN reconnecting).
  'ENETUNREACH',
  'EHOSTUNREACH',
  ATTEMPT_TIMEOUT_CODE,
]);

/** What aborts an attempt that took longer than `attemptTimeoutMs`. */
export class AttemptTimeoutError extends Error {
  readonly code = ATTEMPT_TIMEOUT_CODE;
  constructor(readonly timeoutMs: number) {
    super(`no response within ${formatSeconds(timeoutMs)}`);
    this.name = 'AttemptTimeoutError';
  }
}

/**
 * The most specific error code in an error's cause chain. undici reports network failures as
 * `TypeError('fetch failed')` with the real error (or an AggregateError of one per address) as
 * `cause`, so the code is never on the top-level error.
 */
export function networkErrorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let found: string | undefined;
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || e === null || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) found = code; // deeper wins: it is closer to the socket
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(err, 0);
  if (found === undefined && err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return err.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined;
  }
  return found;
}

export function isRetryableNetworkError(err: unknown): boolean {
  const code = networkErrorCode(err);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)). `attempt` is 0-based. */
export function backoffDelay(attempt: number, opts: Pick<RetryOptions, 'baseMs' | 'capMs'>, random: () => number): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as ms from now: delta-seconds or an HTTP-date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'attempts' | 'deadline' };

/**
 * Whether to try again after failed attempt number `attempt` (0-based), and after how long.
 * A server-requested wait (Retry-After) replaces the backoff; if it would end past the deadline
 * we stop now rather than wait for a refusal we already know about.
 */
export function decideRetry(args: {
  attempt: number;
  startedAt: number;
  now: number;
  opts: RetryOptions;
  random: () => number;
  retryAfterMs?: number | undefined;
}): RetryDecision {
  const { attempt, startedAt, now, opts } = args;
  if (attempt + 1 >= opts.maxAttempts) return { retry: false, reason: 'attempts' };
  const delayMs = args.retryAfterMs ?? backoffDelay(attempt, opts, args.random);
  if (now + delayMs >= startedAt + opts.deadlineMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
}

/** Failures after which the server cannot have processed the request. */
const NOT_PROCESSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * POSTs that are safe to send twice: the login exchange, links that return the existing link,
 * append-only metadata whose latest value wins, and tag attachments.
 */
const IDEMPOTENT_POST = /^\/api\/v1\/(login|model_version_artifacts|model_version_pipeline_runs|run-metadata|tag_resources(\/batch)?)$|^\/auth\/login$/;

/**
 * May a request that failed this way be sent again? Reads, PUTs (absolute values) and DELETEs
 * always may. A creating POST after an ambiguous failure (reset, timeout, 502/504) may not:
 * the server may already have created the entity, and a second one (a duplicate model version)
 * is worse than a failed step that a re-run completes — the actions look up before they create.
 */
export function mayResend(method: string, path: string, failure: { code?: string; status?: number }): boolean {
  const m = method.toUpperCase();
  if (m !== 'POST' && m !== 'PATCH') return true;
  if (IDEMPOTENT_POST.test(path)) return true;
  if (failure.code !== undefined) return NOT_PROCESSED_CODES.has(failure.code);
  return failure.status !== undefined && NOT_PROCESSED_STATUSES.has(failure.status);
}
