/**
 * One HTTP exchange with the artifact service or its blob store, retried on transient failures
 * (5xx, 429, network) with the suite's retry decisions (zenml/retry.ts). zenml/http.ts is not
 * reused: its errors speak of the ZenML server, and its re-send rules are keyed to ZenML paths.
 * Every body here is small (twirp JSON, one manifest), so each answer is read whole inside the
 * attempt, which makes a connection cut mid-body a retryable failure like any other.
 */
import { liteFetch } from '../net/index.js';
import {
  ATTEMPT_TIMEOUT_CODE,
  type Clock,
  decideRetry,
  formatSeconds,
  networkErrorCode,
  parseRetryAfter,
  resolveRetryOptions,
  retryOptionsFromEnv,
  RETRYABLE_NETWORK_CODES,
  type RetryOptions,
  systemClock,
} from '../zenml/retry.js';

/**
 * Shorter than the ZenML client's policy: a job waits on this with nothing else to do, and the
 * service is either up or in an outage no retry rides out. MLOPS_ACTIONS_RETRY_DEADLINE and
 * MLOPS_ACTIONS_REQUEST_TIMEOUT apply here too.
 */
const ARTIFACT_RETRY: Partial<RetryOptions> = { baseMs: 500, capMs: 8_000, maxAttempts: 5, attemptTimeoutMs: 30_000, deadlineMs: 60_000 };

export interface TransportOptions {
  /** Told before each wait, so a retry shows in the step log. Names what failed, never a URL. */
  onRetry?: (what: string, reason: string, attempt: number, delayMs: number) => void;
  retry?: Partial<RetryOptions>;
  clock?: Clock;
}

export interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  attempts: number;
}

/** No answer at all: the request never completed, not even after the retries. */
export class NoAnswerError extends Error {
  constructor(
    /** A network code (ECONNREFUSED) or a short description; never a URL. */
    readonly reason: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'NoAnswerError';
  }
}

/**
 * Sends the request, retrying while the policy allows, and returns the last answer (possibly an
 * error status: what it means is the caller's business). `what` names the operation in retry
 * notices (`CreateArtifact`, `blob upload`).
 */
export async function send(what: string, url: string, init: { method: string; headers: Record<string, string>; body?: Buffer | string }, opts: TransportOptions = {}): Promise<Answer> {
  const policy = resolveRetryOptions({ ...ARTIFACT_RETRY, ...retryOptionsFromEnv(), ...opts.retry });
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    let answer: Answer | undefined;
    let failure: unknown;
    try {
      // Not Node's fetch: its first use loads undici, ~45 ms of the action's start (net/fetch.ts).
      const res = await liteFetch(url, { ...init, signal: AbortSignal.timeout(Math.max(1, policy.attemptTimeoutMs)) });
      answer = { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()), attempts: attempt + 1 };
      if (!isRetryableStatus(res.status)) return answer;
      reason = `HTTP ${res.status}`;
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), clock.now());
    } catch (err) {
      failure = err;
      const code = timedOut(err) ? ATTEMPT_TIMEOUT_CODE : networkErrorCode(err);
      reason = code === ATTEMPT_TIMEOUT_CODE ? `no response within ${formatSeconds(policy.attemptTimeoutMs)}` : (code ?? describe(err));
      if (code === undefined || !RETRYABLE_NETWORK_CODES.has(code)) throw new NoAnswerError(reason, attempt + 1, { cause: err });
    }
    const decision = decideRetry({ attempt, startedAt, now: clock.now(), opts: policy, random: clock.random, retryAfterMs });
    if (!decision.retry) {
      if (answer) return answer;
      throw new NoAnswerError(reason, attempt + 1, { cause: failure });
    }
    opts.onRetry?.(what, reason, attempt + 1, decision.delayMs);
    await clock.sleep(decision.delayMs);
  }
}

/** Every 5xx (twirp's `internal` and `unavailable` included) and 429: the request was not served. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Duck-typed: under test runners the error may come from another realm, where instanceof fails. */
function timedOut(err: unknown): boolean {
  return (err as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

/** undici hides the reason for refusing a URL (a "bad port") in `cause`; the URL itself is left out. */
function describe(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } } | undefined;
  const text = typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
  return `network error: ${text.split('\n')[0]}`;
}
