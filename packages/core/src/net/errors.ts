/**
 * Failures shaped the way Node's fetch (undici) reports them, because the callers classify by
 * that shape (zenml/retry.ts `networkErrorCode`, zenml/http.ts `looksLikeNetworkFailure`, the
 * download interruption check in export/server-source.ts): a `TypeError('fetch failed')` with the
 * socket-level error, which carries `.code`, as its `cause`.
 */

/** No response: DNS, connect, TLS, a reset before the headers, a refused URL. */
export function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/** The response started but its body broke off. */
export function terminated(cause: unknown): TypeError {
  return new TypeError('terminated', { cause: describeCut(cause) });
}

/** An error with a `code`, as Node's own socket errors have. */
export function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * node:http reports a body cut short as the bare word "aborted", which reads as if we had aborted;
 * say what happened instead, keeping the code the retry layer reads.
 */
function describeCut(cause: unknown): unknown {
  const e = cause as { message?: unknown; code?: unknown } | null;
  if (e && typeof e === 'object' && e.message === 'aborted' && e.code === 'ECONNRESET') {
    return codedError('the connection closed before the response was complete', 'ECONNRESET');
  }
  return cause;
}
