/**
 * `liteFetch`: the subset of fetch this suite uses, over node:http/node:https. Node's global fetch
 * loads undici on first use, about 45 ms of every action's start on a CI runner; this loads only
 * node:http, node:https and (when a body is streamed) node:stream/web.
 *
 * Behaves as fetch where the suite can tell: redirects (`follow`, `manual`, `error`), abort with
 * `signal.reason`, network failures as `TypeError('fetch failed', { cause })`, refused ports and
 * schemes. Differs where it does not matter here: request bodies are buffered, no cookies, no
 * cache, no CORS, no HTTP/2, and no Accept-Encoding is sent (a compressed answer is still decoded).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { exchange } from './exchange.js';
import { fetchFailed } from './errors.js';
import { bodyChunks, decodedBody } from './incoming.js';
import { nextHop, REDIRECT_STATUSES, type Hop } from './redirect.js';
import { LiteRequest, type LiteRequestInit, type RequestLike } from './request.js';
import { LiteResponse } from './response.js';
import { checkFetchable } from './url-policy.js';

/**
 * A fetch as the suite's HTTP layers take it: Node's own fits, and so does `liteFetch`. Typed
 * with the global names because tests inject undici's fetch and Responses.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Statuses whose answer has no body, whatever the headers say. */
const NO_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);
/** Node's fetch announces itself the same way; some servers refuse requests without a user agent. */
const USER_AGENT = 'node';

export async function liteFetch(input: string | URL | RequestLike, init?: LiteRequestInit): Promise<LiteResponse> {
  const request = new LiteRequest(input, init);
  const { signal } = request;
  if (signal?.aborted) throw signal.reason;
  let hop: Hop = { url: new URL(request.url), method: request.method, headers: request.headers, body: await request.bytes() };
  checkFetchable(hop.url);
  for (let redirects = 0; ; redirects++) {
    const res = await exchange({ url: hop.url, method: hop.method, headers: wireHeaders(hop), body: hop.body, signal });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECT_STATUSES.has(status) && location !== undefined && request.redirect !== 'manual') {
      // Read to the end (not destroyed), so the connection goes back to the pool.
      res.resume();
      if (request.redirect === 'error') throw fetchFailed(new Error('unexpected redirect'));
      hop = nextHop(hop, status, location, redirects);
      continue;
    }
    return respond(res, hop, redirects > 0, signal);
  }
}

async function respond(res: IncomingMessage, hop: Hop, redirected: boolean, signal: AbortSignal | null): Promise<LiteResponse> {
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage ?? '', headers: pairs(res.rawHeaders), url: hop.url.href, redirected };
  if (hop.method === 'HEAD' || NO_BODY_STATUSES.has(status)) {
    res.resume();
    return LiteResponse.fromExchange(null, init);
  }
  return LiteResponse.fromExchange(bodyChunks(await decodedBody(res), signal), init);
}

/** The headers as sent: the caller's, plus what fetch adds when they are missing. */
function wireHeaders(hop: Hop): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = hop.headers.toNodeHeaders();
  out.accept ??= '*/*';
  out['user-agent'] ??= USER_AGENT;
  // Set from the bytes, never taken from the caller; POST and PUT say 0 when empty, as fetch does.
  if (hop.body !== undefined) out['content-length'] = String(hop.body.byteLength);
  else if (hop.method === 'POST' || hop.method === 'PUT') out['content-length'] = '0';
  else delete out['content-length'];
  return out;
}

/** node:http's flat [name, value, name, value, ...] list, duplicates kept. */
function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
