/**
 * A `fetch` that applies the retry policy and turns network failures into one line a user can act
 * on. Non-OK responses that retrying will not change are returned as they are: deciding what a
 * 404 means is the caller's business.
 */
import { InputError, TransientError } from '../errors.js';
import { PROXY_ERROR_CODE } from '../net/proxy.js';
import { discardBody, liteFetch, LiteRequest, LiteResponse, type FetchLike } from '../net/index.js';
import { parseErrorBody } from './error-body.js';
import { scrubSecrets } from './redact.js';
import {
  ATTEMPT_TIMEOUT_CODE,
  AttemptTimeoutError,
  type Clock,
  decideRetry,
  formatSeconds,
  mayResend,
  networkErrorCode,
  parseRetryAfter,
  resolveRetryOptions,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_STATUSES,
  type RetryOptions,
  systemClock,
} from './retry.js';

export type { FetchLike } from '../net/index.js';

export interface HttpOptions {
  fetch?: FetchLike | undefined;
  retry?: Partial<RetryOptions> | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  /** The input a user would fix when the host is wrong; named in DNS/TLS errors. */
  inputName?: string | undefined;
  /** Credentials to blank out of any server text quoted in an error (the request's own are added). */
  secrets?: (() => Iterable<string | undefined>) | undefined;
  /** Told before each wait between attempts, so a long retry is visible in the log as it happens. */
  onRetry?: ((retry: RetryNotice) => void) | undefined;
}

export interface RetryNotice {
  method: string;
  /** Path only: the query may carry a token. */
  path: string;
  /** What went wrong: a status ("HTTP 503") or a network code. */
  reason: string;
  /** The attempt that just failed, from 1. */
  attempt: number;
  delayMs: number;
}

/** Certificate problems: retrying cannot fix them, configuration can. Value = what to do. */
const TLS_FIXES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the server certificate has expired: renew it',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet: check its dates and the clocks',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not cover this host name: use the name it was issued for, or reissue it',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server uses a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain ends in a private CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is signed by a CA this runner does not trust (or the server omits the intermediate certificates)',
  UNABLE_TO_GET_ISSUER_CERT: 'the server certificate is signed by a CA this runner does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is signed by a CA this runner does not trust',
  CERT_UNTRUSTED: 'the server certificate is not trusted',
  CERT_REVOKED: 'the server certificate has been revoked: replace it',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port: use http:// or the HTTPS port',
};
const UNTRUSTED_CA_FIX = 'set NODE_EXTRA_CA_CERTS to the CA bundle that signed it, or fix the server certificate';
const NEEDS_CA_BUNDLE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

export function isTlsErrorCode(code: string | undefined): boolean {
  return code !== undefined && code in TLS_FIXES;
}

export function createRetryingFetch(opts: HttpOptions = {}): FetchLike {
  // Not Node's fetch: its first use loads undici, ~45 ms of every action's start (net/fetch.ts).
  const baseFetch: FetchLike = opts.fetch ?? liteFetch;
  const policy = resolveRetryOptions(opts.retry);
  const clock: Clock = {
    now: opts.now ?? systemClock.now,
    sleep: opts.sleep ?? systemClock.sleep,
    random: opts.random ?? systemClock.random,
  };
  const inputName = opts.inputName ?? 'server-url';
  const notify = (req: LiteRequest, reason: string, attempt: number, delayMs: number): void =>
    opts.onRetry?.({ method: req.method, path: new URL(req.url).pathname, reason, attempt: attempt + 1, delayMs });

  return async function retryingFetch(input, init) {
    // Read structurally: the input may be undici's Request (tests) or a URL.
    const template = new LiteRequest(input, init);
    const callerSignal = template.signal ?? undefined;
    // The bytes, not a stream: every attempt sends them again.
    const body = await template.bytes();
    const origin = new URL(template.url).origin;
    const startedAt = clock.now();

    for (let attempt = 0; ; attempt++) {
      const remaining = startedAt + policy.deadlineMs - clock.now();
      const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, remaining));
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new AttemptTimeoutError(timeoutMs)), timeoutMs);
      // A pending attempt timer must not keep a finished action's process alive.
      timer.unref?.();
      const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
      let response: Response;
      try {
        response = await buffered(
          await baseFetch(template.url, { method: template.method, headers: template.headers, body, redirect: template.redirect, signal }),
        );
      } catch (err) {
        clearTimeout(timer);
        if (callerSignal?.aborted) throw err;
        const code = timeout.signal.aborted ? ATTEMPT_TIMEOUT_CODE : networkErrorCode(err);
        if (code === undefined && !looksLikeNetworkFailure(err)) throw err;
        failFastOnConfigError(code, origin, inputName, err);
        const transient = code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
        const path = new URL(template.url).pathname;
        if (transient && !mayResend(template.method, path, { code })) {
          // The server was reached and may have done the work; "cannot reach" would send the user
          // to check a URL that is fine.
          throw notResent(origin, template.method, path, describeCode(code, timeoutMs, err), err);
        }
        const decision = transient ? decideRetry({ attempt, startedAt, now: clock.now(), opts: policy, random: clock.random }) : undefined;
        if (!decision?.retry) {
          throw exhausted(origin, describeCode(code, timeoutMs, err), attempt + 1, clock.now() - startedAt, err);
        }
        notify(template, describeCode(code, timeoutMs, err), attempt, decision.delayMs);
        await clock.sleep(decision.delayMs, callerSignal);
        continue;
      }
      // Headers are in: the attempt timeout covered connecting and waiting; reading a large body
      // (an artifact download) must not be cut off by it.
      clearTimeout(timer);

      if (!RETRYABLE_STATUSES.has(response.status)) return response;
      if (!mayResend(template.method, new URL(template.url).pathname, { status: response.status })) return response;

      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      const decision = decideRetry({ attempt, startedAt, now: clock.now(), opts: policy, random: clock.random, retryAfterMs });
      if (!decision.retry) {
        // Scrubbed before parsing, which cuts the message: a cut secret would no longer match.
        const secrets = [...requestSecrets(template), ...(opts.secrets?.() ?? [])];
        const parsed = parseErrorBody(scrubSecrets(await safeText(response), secrets), response.headers.get('content-type'));
        let what = `HTTP ${response.status}${parsed.message ? `: ${parsed.message}` : ''}`;
        if (decision.reason === 'deadline' && retryAfterMs !== undefined) {
          what += `; the server asked to wait ${formatSeconds(retryAfterMs)}, past the retry deadline`;
        }
        throw exhausted(origin, scrubSecrets(what, secrets), attempt + 1, clock.now() - startedAt);
      }
      await discardBody(response);
      notify(template, `HTTP ${response.status}`, attempt, decision.delayMs);
      await clock.sleep(decision.delayMs, callerSignal);
    }
  };
}

/**
 * API answers (JSON, text, HTML error pages) are small: reading them inside the attempt makes a
 * connection cut mid-body a network failure that the policy handles, instead of a stray
 * "terminated" error after the response was handed over. Downloads (archives) stay streamed.
 */
async function buffered(response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (type !== '' && !/json|text|html|xml/i.test(type)) return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const nullBody = [101, 204, 205, 304].includes(response.status);
  const init = { status: response.status, statusText: response.statusText, headers: response.headers, url: response.url, redirected: response.redirected };
  return LiteResponse.fromExchange(nullBody ? null : bytes, init);
}

/** Credentials this request itself carries: its Bearer token and any token-like query values. */
function requestSecrets(req: LiteRequest): string[] {
  const out: string[] = [];
  const auth = req.headers.get('authorization');
  if (auth) out.push(auth.replace(/^\s*bearer\s+/i, ''));
  for (const [k, v] of new URL(req.url).searchParams) if (/token|key|password/i.test(k)) out.push(v);
  return out;
}

/** undici's generic wrapper, or anything carrying a socket-level code. */
function looksLikeNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed|network/i.test(err.message);
}

function failFastOnConfigError(code: string | undefined, origin: string, inputName: string, cause: unknown): void {
  if (code === 'ENOTFOUND') {
    const host = new URL(origin).hostname;
    throw new InputError(inputName, `the host name '${host}' does not resolve (ENOTFOUND): check the URL for typos, and that the runner can resolve it.`);
  }
  if (isTlsErrorCode(code)) {
    const c = code as string;
    const problem = TLS_FIXES[c] ?? 'the server certificate was rejected';
    const fix = NEEDS_CA_BUNDLE.has(c) ? `: ${UNTRUSTED_CA_FIX}` : '';
    const err = new InputError(inputName, `TLS connection to ${origin} failed (${c}): ${problem}${fix}.`);
    (err as Error).cause = cause;
    throw err;
  }
}

function describeCode(code: string | undefined, timeoutMs: number, err: unknown): string {
  if (code === ATTEMPT_TIMEOUT_CODE) return `no response within ${formatSeconds(timeoutMs)}`;
  // A proxy's refusal says which proxy and what it answered (never its credentials: net/proxy.ts).
  if (code === PROXY_ERROR_CODE && err instanceof Error && err.cause instanceof Error) return err.cause.message.split('\n')[0] ?? code;
  if (code) return code;
  // undici refuses some URLs before connecting (e.g. "bad port") and says why only in the cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `network error: ${cause.split('\n')[0]}` : 'network error';
}

/** A write that failed mid-way and is deliberately not sent again (see mayResend). */
function notResent(origin: string, method: string, path: string, what: string, cause: unknown): TransientError {
  return new TransientError(
    `${method} ${path} to the ZenML server at ${origin} got no complete answer (${what}); it was not sent again, since the server may ` +
      'already have carried it out. Re-running an idempotent step (export-model, import-model, promote) completes it.',
    1,
    { cause },
  );
}

function exhausted(origin: string, what: string, attempts: number, elapsedMs: number, cause?: unknown): TransientError {
  const n = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return new TransientError(
    `Cannot reach ZenML server at ${origin} (${what}) after ${n} in ${formatSeconds(elapsedMs)}. Check server-url and that the server is running.`,
    attempts,
    cause === undefined ? undefined : { cause },
  );
}

async function safeText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}
