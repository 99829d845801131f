/**
 * fetch's redirect rules for `redirect: 'follow'`, as a pure step: given the request just sent and
 * the redirect answer, the request to send next (or the network error fetch would raise).
 */
import { fetchFailed } from './errors.js';
import { LiteHeaders } from './headers.js';
import { checkFetchable } from './url-policy.js';

export const MAX_REDIRECTS = 20;
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface Hop {
  url: URL;
  method: string;
  headers: LiteHeaders;
  body: Uint8Array | undefined;
}

/** Headers that describe the body: dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
/** Credentials meant for the first origin only. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * The next hop after a redirect `status` with `location`, following fetch: at most 20 redirects;
 * 303 (and 301/302 after a POST) becomes a body-less GET; a different origin does not get the
 * credentials. `redirects` counts the redirects followed before this one.
 */
export function nextHop(current: Hop, status: number, location: string, redirects: number): Hop {
  if (redirects >= MAX_REDIRECTS) throw fetchFailed(new Error('redirect count exceeded'));
  let url: URL;
  try {
    url = new URL(location, current.url);
  } catch (cause) {
    throw fetchFailed(cause);
  }
  checkFetchable(url);
  const headers = new LiteHeaders(current.headers);
  let { method, body } = current;
  if ((status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    for (const h of BODY_HEADERS) headers.delete(h);
  }
  if (url.origin !== current.url.origin) for (const h of ORIGIN_BOUND_HEADERS) headers.delete(h);
  return { url, method, headers, body };
}
