/**
 * API-key login (API.md §1). Failed logins are rate limited on servers that enable it, and every
 * login is a round trip, so a process logs in at most once per server and key: tokens live in a
 * module-level cache and concurrent callers share one in-flight login.
 */
import { createHash } from 'node:crypto';
import { ZenmlApiError } from '../errors.js';
import { discardBody, LiteHeaders, LiteRequest } from '../net/index.js';
import { apiErrorFromResponse } from './error-body.js';
import { readJson } from './read-json.js';
import type { FetchLike } from './http.js';
import { OAuthTokenResponseSchema, parseResponse, type OAuthTokenResponse } from './schemas.js';

/** Log in again when the token has less than this left (the terraform client uses the same). */
export const EXPIRY_MARGIN_MS = 5 * 60_000;
export const DEFAULT_PRO_API_URL = 'https://cloudapi.zenml.io';
/** Organization-level ZenML Pro keys; these may need the two-step exchange on older workspaces. */
export const PRO_KEY_PREFIX = 'ZENPROKEY_';

export interface AuthConfig {
  /** Normalised server URL (no trailing slash). */
  serverUrl: string;
  apiKey: string;
  /** A fetch that retries transient failures but adds no auth. */
  fetch: FetchLike;
  now: () => number;
  /** Called with every token the moment it arrives, so it is masked before anything can print it. */
  onSecret: (secret: string) => void;
  /** The Pro control-plane URL; only asked for when the two-step exchange is needed. */
  proApiUrl: () => Promise<string>;
}

interface CachedToken {
  token: string;
  /** When to stop using it (ms, injected clock); undefined = it does not expire. */
  refreshAt: number | undefined;
}

const tokens = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

/** Forget every cached token and pending login. For tests, and for a process that switches keys. */
export function resetTokenCache(): void {
  tokens.clear();
  inflight.clear();
}

/** The key is hashed so the cache never holds it, and two keys for one server do not collide. */
function cacheKey(serverUrl: string, apiKey: string): string {
  return `${serverUrl}\n${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}`;
}

export class ApiKeyAuth {
  private readonly key: string;
  /** Tokens this instance already reported via onSecret (a cached token still needs reporting once). */
  private readonly reported = new Set<string>();
  /** A login started by startLogin that no call has taken over yet, and how to give it up. */
  private early: { login: Promise<CachedToken>; abort: AbortController } | undefined;

  constructor(private readonly cfg: AuthConfig) {
    this.key = cacheKey(cfg.serverUrl, cfg.apiKey);
  }

  /**
   * Starts the login now, ahead of the first call that needs a token, so that its round trip
   * overlaps local work (loading code, reading files). That first call takes the result over,
   * failure included: a refused or unreachable login is reported by it, as if it had logged in
   * itself, and never tried twice in a row. Resolves when the login has settled; never rejects.
   */
  startLogin(): Promise<void> {
    const cached = tokens.get(this.key);
    if (cached && this.fresh(cached)) return Promise.resolve();
    if (!this.early) {
      const abort = new AbortController();
      this.early = { login: this.loginShared(abort.signal), abort };
    }
    return this.early.login.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Gives up a login startLogin sent that no call has taken over: its request and retry waits stop,
   * so a run that failed before its first call ends now, not when the login's retries run out.
   */
  abandonLogin(): void {
    const early = this.early;
    this.early = undefined;
    early?.abort.abort(new Error('the run ended before it needed this login'));
  }

  /** A token that is valid for at least the expiry margin, logging in if needed. */
  async token(): Promise<string> {
    const early = this.early;
    if (early) {
      this.early = undefined;
      const t = await early.login; // a failed early login is this call's failure
      if (this.fresh(t)) return this.report(t.token);
    }
    const cached = tokens.get(this.key);
    if (cached && this.fresh(cached)) return this.report(cached.token);
    return this.report((await this.loginShared()).token);
  }

  /**
   * The server refused `stale` (401): drop it, unless a concurrent caller already replaced it,
   * and return a new token.
   */
  async refresh(stale: string): Promise<string> {
    if (tokens.get(this.key)?.token === stale) tokens.delete(this.key);
    return this.token();
  }

  /** Every token this instance has seen: for scrubbing messages built from server replies. */
  secrets(): string[] {
    return [this.cfg.apiKey, ...this.reported];
  }

  private fresh(t: CachedToken): boolean {
    return t.refreshAt === undefined || this.cfg.now() < t.refreshAt;
  }

  private report(token: string): string {
    if (!this.reported.has(token)) {
      this.cfg.onSecret(token);
      this.reported.add(token);
    }
    return token;
  }

  /** `signal` stops a login this call starts; one already in flight for the key is shared as it is. */
  private loginShared(signal?: AbortSignal): Promise<CachedToken> {
    let p = inflight.get(this.key);
    if (!p) {
      p = this.login(signal).then(
        (t) => {
          tokens.set(this.key, t);
          inflight.delete(this.key);
          return t;
        },
        (err: unknown) => {
          inflight.delete(this.key);
          throw err;
        },
      );
      inflight.set(this.key, p);
    }
    return p;
  }

  private async login(signal?: AbortSignal): Promise<CachedToken> {
    const started = this.cfg.now();
    let res: OAuthTokenResponse;
    try {
      res = await this.post(`${this.cfg.serverUrl}/api/v1/login`, { grant_type: 'zenml-api-key', password: this.cfg.apiKey }, undefined, signal);
    } catch (err) {
      const proFallback =
        err instanceof ZenmlApiError && (err.status === 400 || err.status === 401) && this.cfg.apiKey.startsWith(PRO_KEY_PREFIX);
      if (!proFallback) throw err;
      res = await this.proExchange(signal);
    }
    return { token: res.access_token, refreshAt: refreshAt(started, res.expires_in) };
  }

  /**
   * Older Pro workspaces do not accept organization keys at /api/v1/login (API.md §1.4): trade
   * the key for a control-plane token, then that token for a workspace token (external grant:
   * Bearer header, no form fields).
   */
  private async proExchange(signal?: AbortSignal): Promise<OAuthTokenResponse> {
    const controlPlane = (await this.cfg.proApiUrl()).replace(/\/+$/, '');
    const cp = await this.post(`${controlPlane}/auth/login`, { password: this.cfg.apiKey }, undefined, signal);
    return this.post(`${this.cfg.serverUrl}/api/v1/login`, {}, cp.access_token, signal);
  }

  private async post(url: string, form: Record<string, string>, bearer?: string, signal?: AbortSignal): Promise<OAuthTokenResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const res = await this.cfg.fetch(url, { method: 'POST', headers, body: new URLSearchParams(form).toString(), ...(signal ? { signal } : {}) });
    if (!res.ok) throw await apiErrorFromResponse(res, 'POST', url, this.secrets());
    const what = `POST ${new URL(url).pathname}`;
    const json = await readJson(res, what);
    // Mask first: nothing below may see an unmasked token, including a schema error.
    const token = typeof json === 'object' && json !== null ? (json as { access_token?: unknown }).access_token : undefined;
    if (typeof token === 'string' && token) this.report(token);
    return parseResponse(OAuthTokenResponseSchema, json, what);
  }
}

/**
 * Refresh `EXPIRY_MARGIN_MS` before expiry, but never sooner than half-way through the token's
 * life: a server configured with very short tokens must not make every request log in.
 */
function refreshAt(obtainedAt: number, expiresIn: number | null | undefined): number | undefined {
  if (expiresIn === null || expiresIn === undefined) return undefined;
  const lifeMs = expiresIn * 1000;
  return obtainedAt + Math.max(lifeMs - EXPIRY_MARGIN_MS, lifeMs / 2);
}

/**
 * Sends requests with the cached token; on 401 logs in again once and retries once. A second 401
 * is returned as is: the key itself was refused, and the caller reports it with the key hint.
 */
export function createAuthedFetch(auth: ApiKeyAuth, base: FetchLike): FetchLike {
  return async (input, init) => {
    // Read structurally: the input may be undici's Request (tests) or a URL.
    const template = new LiteRequest(input, init);
    // The body may have to be sent twice; keep the bytes.
    const body = await template.bytes();
    const send = (token: string): Promise<Response> => {
      const headers = new LiteHeaders(template.headers);
      headers.set('authorization', `Bearer ${token}`);
      return base(template.url, { method: template.method, headers, body, redirect: template.redirect, signal: template.signal });
    };
    const first = await auth.token();
    const res = await send(first);
    if (res.status !== 401) return res;
    await discardBody(res);
    return send(await auth.refresh(first));
  };
}
