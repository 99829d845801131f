/**
 * Test doubles injected into the client: a fake `fetch` that records every request and answers
 * with bodies shaped like API.md / the real 0.60 captures (as undici `Response`s, so the client is
 * also tested against fetch's own objects), and a fake clock whose sleep advances time instantly.
 * No module mocking: the code under test is the code that ships.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiteRequest } from '../../net/index.js';
import type { FetchLike } from '../http.js';

export interface Recorded {
  method: string;
  url: URL;
  /** path + query as sent */
  path: string;
  headers: Headers;
  body: string;
}

export type Handler = (req: Recorded, n: number) => Response | Error | Promise<Response | Error>;

export function fakeFetch(handler: Handler): { fetch: FetchLike; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const fetch: FetchLike = async (input, init) => {
    // The client hands over URLs and plain inits (never undici objects): read them as it sends them.
    const r = new LiteRequest(input, init);
    const url = new URL(r.url);
    const rec: Recorded = { method: r.method, url, path: url.pathname + url.search, headers: r.headers, body: await r.text() };
    calls.push(rec);
    const out = await handler(rec, calls.length);
    if (out instanceof Error) throw out;
    return out;
  };
  return { fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** What undici's fetch throws for a socket-level failure: the code sits on `cause`. */
export function netError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

export function fakeClock(start = 1_700_000_000_000, randomValue = 0.5) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
    random: () => randomValue,
  };
  return clock;
}

// Vendored copy of ../shared/zenml/real-0.60 (real ZenML 0.60 request/response pairs).
const REAL = join(import.meta.dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'zenml-real-0.60');

/** The recorded response body of a real ZenML 0.60 exchange (wire formats unchanged since). */
export function realBody(file: string): unknown {
  return (JSON.parse(readFileSync(`${REAL}/${file}`, 'utf8')) as { response: { body: unknown } }).response.body;
}

export const SERVER = 'https://zenml.example.com';
export const API_KEY = 'ZENKEY_eyJpZCI6InNlY3JldC1rZXktZm9yLXRlc3RzIn0=';
export const TOKEN_1 = 'eyJhbGciOiJIUzI1NiJ9.first-token-payload.sig1';
export const TOKEN_2 = 'eyJhbGciOiJIUzI1NiJ9.second-token-payload.sig2';

export const ids = {
  project: '8408e467-aea0-4eec-baff-a62f2c1c7bfa',
  user: '9ade4550-f98e-4751-ab19-30be1f0b828b',
  model: 'e38cf477-2245-4d17-a6e6-b67e2ffc38e9',
  stack: '3b1a7a58-6f2a-4c39-9d0e-0d7c9f6b2c11',
  store: '5c0e9d11-2f6b-4b8e-8f61-0a4f2f1d9e22',
};

export function info(version = '0.97.0', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(realBody('01-info.json') as Record<string, unknown>), version, ...extra };
}

export function token(access_token: string, expires_in: number | null = null): Record<string, unknown> {
  return { access_token, token_type: 'bearer', expires_in, refresh_token: null, csrf_token: null, scope: null };
}

const ts = '2026-11-25T11:37:18.033451';

export function entity(id: string, name: string | null, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    permission_denied: false,
    body: { created: ts, updated: ts, user_id: ids.user, ...body },
    metadata: null,
    resources: null,
    ...extra,
  };
}

export function page(items: unknown[], index = 1, totalPages = 1, size = 100, total = items.length) {
  return { index, max_size: size, total_pages: totalPages, total, items };
}

export function userBody(name = 'ci-bot') {
  return entity(ids.user, name, { active: true, is_service_account: true, is_admin: false, full_name: '' });
}

export function modelBody(name = 'churn', extraResources: Record<string, unknown> = {}) {
  return entity(ids.model, name, { project_id: ids.project }, {
    resources: { tags: [], latest_version_id: null, latest_version_name: null, ...extraResources },
  });
}

/** A fake ZenML server: login + a route table; anything else is the catch-all 404 (no body). */
export function zenmlServer(routes: Record<string, (req: Recorded) => Response | Error>, opts: { tokens?: string[] } = {}) {
  const issued = [...(opts.tokens ?? [TOKEN_1, TOKEN_2])];
  let logins = 0;
  const f = fakeFetch((req) => {
    const key = `${req.method} ${req.url.pathname}`;
    if (req.method === 'POST' && req.url.pathname.endsWith('/api/v1/login')) {
      logins++;
      const t = issued[Math.min(logins - 1, issued.length - 1)] as string;
      return json(200, token(t));
    }
    const route = routes[key];
    if (route) return route(req);
    return new Response(null, { status: 404 });
  });
  return { ...f, logins: () => logins };
}
