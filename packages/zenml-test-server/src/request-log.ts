/**
 * What the server saw, for tests to assert on (call counts, retries, which
 * requests carried a Bearer token). Header values are never stored, and the
 * `token` query param of artifact downloads is redacted: the log must be safe
 * to print.
 */

export type AuthKind = 'bearer' | 'none' | 'other';

export interface RequestLogEntry {
  method: string;
  /** Pathname without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** 0 when the connection was reset before a status was sent. */
  status: number;
  /** Which kind of Authorization header was sent (never its value). */
  auth: AuthKind;
  /** ISO timestamp when the request arrived. */
  at: string;
  /** Route template that handled it, e.g. `/api/v1/models/{model_id}`; null if no route matched. */
  route: string | null;
  /** True when an injected fault shaped this response. */
  faulted: boolean;
}

/** A full response, kept only with `recordResponses: true` (the contract test uses it). */
export interface Exchange {
  method: string;
  path: string;
  route: string | null;
  status: number;
  contentType: string | null;
  /** Raw response body; null when none was sent. */
  body: Buffer | null;
  faulted: boolean;
}

const REDACTED_PARAMS = new Set(['token', 'password', 'api_key']);

export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).map((v) => (REDACTED_PARAMS.has(key) ? '<redacted>' : v));
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

export function authKind(header: string | undefined): AuthKind {
  if (header === undefined || header === '') return 'none';
  return /^bearer\s/i.test(header) ? 'bearer' : 'other';
}
