/**
 * One request/response exchange over node:http or node:https, up to the response headers. The
 * body is left on the returned message for the caller to read (or destroy).
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { transportFor, tunnelTransport, type Transport } from './agents.js';
import { CONNECT_TIMEOUT_CODE, CONNECT_TIMEOUT_MS } from './connect-limit.js';
import { codedError, fetchFailed } from './errors.js';
import { proxyFor, type ProxyRoute } from './proxy.js';

export interface Outgoing {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body: Uint8Array | undefined;
  signal: AbortSignal | null;
}

/**
 * Longest silence allowed from the server, while waiting for the headers or for more of the body:
 * the 300 s Node's fetch allows for each. The callers' own attempt timeouts are usually shorter.
 */
export const IDLE_RESPONSE_MS = 300_000;

export { CONNECT_TIMEOUT_CODE, CONNECT_TIMEOUT_MS } from './connect-limit.js';

/** Methods whose request may be written again after a pooled connection turned out to be closed. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** What writing into a connection that the server has just closed looks like. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** Pooled connections tried before a fresh one is certain: the pool holds few per host. */
const MAX_STALE_RETRIES = 3;

/** Rejects with `signal.reason` on abort (as fetch does), otherwise with fetch's network error. */
export async function exchange(out: Outgoing): Promise<IncomingMessage> {
  const secure = out.url.protocol === 'https:';
  const proxy = proxyFor(out.url);
  // https through a proxy: a tunnel per pooled connection (agents.ts); http: the proxy's own pool.
  const transport = proxy && secure ? await tunnelTransport(proxy) : await transportFor(secure);
  const forward = proxy && !secure ? proxy : undefined;
  for (let stale = 0; ; stale++) {
    const outcome = await attempt(out, transport, forward);
    if ('res' in outcome) return outcome.res;
    const code = (outcome.err as { code?: unknown }).code;
    // The server closed an idle pooled connection just as we wrote into it: it cannot have read
    // the request, yet only an idempotent one is sent again (a creating POST is the retry
    // layer's call, which knows which writes are safe to repeat).
    const retry = outcome.reusedSocket && typeof code === 'string' && STALE_CONNECTION_CODES.has(code) && IDEMPOTENT.has(out.method) && stale < MAX_STALE_RETRIES;
    if (!retry || out.signal?.aborted) throw out.signal?.aborted ? out.signal.reason : fetchFailed(outcome.err);
  }
}

type Outcome = { res: IncomingMessage } | { err: unknown; reusedSocket: boolean };

/**
 * `forward`: an http:// target sent to that proxy, with the absolute URL as the request target
 * (the URL has no credentials: the Request constructor refuses them).
 */
function attempt(out: Outgoing, transport: Transport, forward?: ProxyRoute): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { signal } = out;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let req: ClientRequest;
    try {
      req = forward
        ? transport.request({
            host: forward.host,
            port: forward.port,
            path: `${out.url.origin}${out.url.pathname}${out.url.search}`,
            method: out.method,
            headers: { ...out.headers, host: out.url.host, ...(forward.authorization ? { 'proxy-authorization': forward.authorization } : {}) },
            agent: transport.agent,
          })
        : transport.request(out.url, { method: out.method, headers: out.headers, agent: transport.agent });
    } catch (err) {
      // node:http validates headers and the method synchronously.
      reject(fetchFailed(err));
      return;
    }
    let response: IncomingMessage | undefined;
    const onAbort = (): void => {
      reject(signal?.reason);
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // A new socket starts with the pool's idle timeout; while it connects, the connect limit
    // applies instead (node:http switches to the request's own timeout once connected).
    req.once('socket', (socket) => {
      if (socket.connecting) socket.setTimeout(CONNECT_TIMEOUT_MS);
    });
    req.setTimeout(IDLE_RESPONSE_MS, () => {
      if (req.socket?.connecting) {
        req.destroy(codedError(`could not connect within ${CONNECT_TIMEOUT_MS / 1000}s`, CONNECT_TIMEOUT_CODE));
        return;
      }
      const err = codedError(`the server sent nothing for ${IDLE_RESPONSE_MS / 1000}s`, 'ETIMEDOUT');
      // Once the headers are in, the body reader must see why the stream ended.
      if (response) response.destroy(err);
      else req.destroy(err);
    });
    // Stays attached after the response: a socket error during the body is reported here too,
    // and an 'error' event without a listener would crash the process.
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ err, reusedSocket: req.reusedSocket });
    });
    req.on('response', (res) => {
      signal?.removeEventListener('abort', onAbort);
      response = res;
      resolve({ res });
    });
    req.end(out.body);
  });
}
