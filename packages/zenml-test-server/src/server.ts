/**
 * The HTTP layer: `node:http` only. For each request: injected faults first,
 * then the catch-all rules (trailing slash / unknown path → 404 without a body),
 * then authentication, then the route. Everything is logged.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, httpDetail, invalid, notAuthenticated, notFoundNoBody, zenError } from './errors.js';
import type { FaultInjector, FaultSpec } from './faults.js';
import { defaultFaultBody } from './faults.js';
import { Query } from './query.js';
import type { Exchange, RequestLogEntry } from './request-log.js';
import { authKind, queryRecord } from './request-log.js';
import type { AppState, Reply, RouteContext, Router } from './router.js';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface Wire {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
}

function toWire(reply: Reply): Wire {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.kind === 'json') {
    headers['content-type'] = 'application/json';
    return { status: reply.status, headers, body: Buffer.from(JSON.stringify(reply.value ?? null)) };
  }
  if (reply.kind === 'raw') {
    headers['content-type'] = reply.contentType;
    return { status: reply.status, headers, body: reply.body };
  }
  return { status: reply.status, headers, body: null };
}

function errorWire(e: ApiError): Wire {
  if (e.body === undefined) return { status: e.status, headers: { ...e.headers }, body: null };
  return toWire({ kind: 'json', status: e.status, value: e.body, headers: e.headers });
}

function faultWire(f: FaultSpec): Wire {
  const status = f.status ?? 200;
  if (f.rawBody !== undefined) {
    return { status, headers: { 'content-type': f.contentType ?? 'text/plain' }, body: Buffer.from(f.rawBody) };
  }
  const body = f.body !== undefined ? f.body : defaultFaultBody(status);
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(httpDetail(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Told of each request after its body was read, before any fault or route runs; may hold it (see index.ts). */
export type RequestHook = (req: { method: string; path: string; route: string | null }) => void | Promise<void>;

export interface HttpServerDeps {
  app: AppState;
  router: Router;
  faults: FaultInjector;
  requests: RequestLogEntry[];
  exchanges: Exchange[] | null;
  /** Request hooks, called in order and awaited. */
  hooks: RequestHook[];
}

export function createHttpServer(deps: HttpServerDeps): Server {
  return createServer((req, res) => {
    void handle(deps, req, res).catch((e: unknown) => {
      // Last resort: never leave a request hanging.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: ['RuntimeError', String(e)] }));
      } else {
        res.destroy();
      }
    });
  });
}

async function dispatch(deps: HttpServerDeps, req: IncomingMessage, url: URL, raw: Buffer): Promise<{ wire: Wire; route: string | null }> {
  const { app, router } = deps;
  const method = (req.method ?? 'GET').toUpperCase();
  const pathname = url.pathname;
  // Routes are defined without trailing slashes; the catch-all answers 404 with no body (API.md §2.5).
  if (pathname.length > 1 && pathname.endsWith('/')) return { wire: errorWire(notFoundNoBody()), route: null };
  const match = router.match(method, pathname, app.config.mode === 'pro');
  if (!match) {
    const e = pathname.startsWith('/api/') ? notFoundNoBody() : httpDetail(404, 'Not Found');
    return { wire: errorWire(e), route: null };
  }
  const route = match.route.template;
  try {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    const isForm = contentType.includes('application/x-www-form-urlencoded') || contentType.includes('multipart/form-data');
    let parsed: { value: unknown } | null = null;
    const ctx: RouteContext = {
      app,
      req,
      params: match.params,
      query: new Query(url.searchParams),
      auth: null,
      userId: null,
      json() {
        if (parsed) return parsed.value;
        if (raw.length === 0) {
          parsed = { value: undefined };
        } else if (isForm) {
          throw invalid(['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', raw.toString('utf8'));
        } else {
          try {
            parsed = { value: JSON.parse(raw.toString('utf8')) };
          } catch {
            throw invalid(['body', 0], 'JSON decode error', 'json_invalid', {});
          }
        }
        return parsed.value;
      },
      form() {
        return contentType.includes('application/x-www-form-urlencoded') ? new URLSearchParams(raw.toString('utf8')) : new URLSearchParams();
      },
    };
    if (match.route.auth) {
      // OAuth2PasswordBearer: anything but `Bearer <token>` is "Not authenticated".
      const header = req.headers.authorization ?? '';
      const m = /^bearer\s+(.+)$/i.exec(header.trim());
      if (!m || !m[1]) throw notAuthenticated();
      ctx.auth = app.auth.authenticate(m[1].trim());
      ctx.userId = ctx.auth.user.id;
    }
    const reply = await match.route.handler(ctx);
    return { wire: toWire(reply), route };
  } catch (e) {
    if (e instanceof ApiError) return { wire: errorWire(e), route };
    // An unmapped exception is a 500 RuntimeError on the real server too.
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`zenml-test-server: unhandled error on ${method} ${pathname}: ${e instanceof Error ? (e.stack ?? message) : message}\n`);
    return { wire: errorWire(zenError(500, 'RuntimeError', message)), route };
  }
}

async function handle(deps: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = new Date().toISOString();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const entry: RequestLogEntry = {
    method,
    path: url.pathname,
    query: queryRecord(url.searchParams),
    status: 0,
    auth: authKind(req.headers.authorization),
    at,
    route: deps.router.match(method, url.pathname, deps.app.config.mode === 'pro')?.route.template ?? null,
    faulted: false,
  };
  const record = (wire: Wire | null) => {
    deps.requests.push(entry);
    deps.exchanges?.push({
      method,
      path: url.pathname,
      route: entry.route,
      status: entry.status,
      contentType: wire?.headers['content-type'] ?? null,
      body: wire?.body ?? null,
      faulted: entry.faulted,
    });
  };

  const fault = deps.faults.take(method, url.pathname);
  if (fault) entry.faulted = true;
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (e) {
    const wire = errorWire(e instanceof ApiError ? e : httpDetail(400, 'Bad request body'));
    entry.status = wire.status;
    send(res, wire);
    record(wire);
    return;
  }
  // Hooks run once the whole request is in, so a test that kills the client here knows the
  // server has what it needs to process the request (the response may still never arrive).
  for (const hook of deps.hooks) await hook({ method, path: url.pathname, route: entry.route });
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.reset) {
    // Connection reset before any byte of the response.
    req.socket.destroy();
    record(null);
    return;
  }

  let wire: Wire;
  if (fault && fault.status !== undefined) {
    wire = faultWire(fault);
  } else {
    const out = await dispatch(deps, req, url, raw);
    wire = out.wire;
  }
  if (fault?.headers) wire.headers = { ...wire.headers, ...lowerKeys(fault.headers) };
  entry.status = wire.status;

  if (fault?.resetMidBody) {
    // Status line, headers (with the full length) and half the body, then the socket dies.
    const body = wire.body ?? Buffer.from('{}');
    res.writeHead(wire.status, { ...wire.headers, 'content-length': String(body.length) });
    const part = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.write(part, () => setImmediate(() => req.socket.destroy()));
    record(wire);
    return;
  }
  send(res, wire);
  record(wire);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function send(res: ServerResponse, wire: Wire): void {
  const headers = { ...wire.headers, 'content-length': String(wire.body?.length ?? 0) };
  res.writeHead(wire.status, headers);
  res.end(wire.body ?? undefined);
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
