import { InputError } from '../errors.js';
import {
  AttemptTimeoutError,
  backoffDelay,
  decideRetry,
  DEFAULT_RETRY_OPTIONS,
  isRetryableNetworkError,
  networkErrorCode,
  parseRetryAfter,
  resolveRetryOptions,
  retryOptionsFromEnv,
  systemClock,
} from './retry.js';
import { netError } from './__fixtures__/fake.js';

describe('backoff', () => {
  it('is full jitter under min(cap, base * 2**attempt)', () => {
    const o = { baseMs: 500, capMs: 10_000 };
    expect(backoffDelay(0, o, () => 0.999)).toBeLessThan(500);
    expect(backoffDelay(3, o, () => 0.999)).toBeLessThan(4000);
    expect(backoffDelay(3, o, () => 0.999)).toBeGreaterThan(3900);
    expect(backoffDelay(10, o, () => 0.999)).toBeLessThan(10_000);
    expect(backoffDelay(10, o, () => 0)).toBe(0);
  });

  it('stops at max attempts and before the deadline', () => {
    const opts = resolveRetryOptions({ maxAttempts: 3, deadlineMs: 5000 });
    const base = { startedAt: 0, opts, random: () => 0.5 };
    expect(decideRetry({ ...base, attempt: 0, now: 0 })).toEqual({ retry: true, delayMs: 250 });
    expect(decideRetry({ ...base, attempt: 2, now: 0 })).toEqual({ retry: false, reason: 'attempts' });
    expect(decideRetry({ ...base, attempt: 1, now: 4900 })).toEqual({ retry: false, reason: 'deadline' });
    // A server-requested wait replaces the backoff, and is refused when it ends past the deadline.
    expect(decideRetry({ ...base, attempt: 0, now: 0, retryAfterMs: 2000 })).toEqual({ retry: true, delayMs: 2000 });
    expect(decideRetry({ ...base, attempt: 0, now: 0, retryAfterMs: 9000 })).toEqual({ retry: false, reason: 'deadline' });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP-dates', () => {
    const now = Date.parse('Wed, 25 Nov 2026 11:37:16 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:37:21 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:37:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('retryOptionsFromEnv', () => {
  it('reads seconds, ignores unset', () => {
    expect(retryOptionsFromEnv({})).toEqual({});
    expect(retryOptionsFromEnv({ MLOPS_ACTIONS_RETRY_DEADLINE: '120', MLOPS_ACTIONS_REQUEST_TIMEOUT: '2.5' })).toEqual({
      deadlineMs: 120_000,
      attemptTimeoutMs: 2500,
    });
    expect(resolveRetryOptions(retryOptionsFromEnv({ MLOPS_ACTIONS_RETRY_DEADLINE: '' }))).toEqual(DEFAULT_RETRY_OPTIONS);
  });

  it.each(['abc', '-1', '0', '1e3', '10s'])('rejects %p naming the variable', (v) => {
    expect(() => retryOptionsFromEnv({ MLOPS_ACTIONS_REQUEST_TIMEOUT: v })).toThrow(InputError);
    expect(() => retryOptionsFromEnv({ MLOPS_ACTIONS_REQUEST_TIMEOUT: v })).toThrow(/MLOPS_ACTIONS_REQUEST_TIMEOUT/);
  });
});

describe('network error classification', () => {
  it('walks the cause chain that undici builds', () => {
    expect(networkErrorCode(netError('ECONNRESET'))).toBe('ECONNRESET');
    expect(isRetryableNetworkError(netError('UND_ERR_SOCKET'))).toBe(true);
    expect(isRetryableNetworkError(netError('ENOTFOUND'))).toBe(false);
    expect(isRetryableNetworkError(netError('CERT_HAS_EXPIRED'))).toBe(false);
    const agg = new TypeError('fetch failed', {
      cause: Object.assign(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]), { code: 'ECONNREFUSED' }),
    });
    expect(isRetryableNetworkError(agg)).toBe(true);
    expect(isRetryableNetworkError(new AttemptTimeoutError(100))).toBe(true);
    expect(networkErrorCode(new Error('plain'))).toBeUndefined();
  });
});

describe('systemClock.sleep', () => {
  it('stops waiting when its signal aborts, with the abort reason', async () => {
    const abort = new AbortController();
    const waiting = systemClock.sleep(600_000, abort.signal);
    abort.abort(new Error('the run ended'));
    await expect(waiting).rejects.toThrow('the run ended');
  });

  it('waits out its time without a signal', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
  });
});
