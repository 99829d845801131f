/**
 * The typed OpenAPI client (`client.api.GET('/api/v1/...')`) without openapi-fetch's request
 * runtime. That runtime builds every request's headers with `new Headers()` and checks each body
 * with `instanceof FormData`: both globals load undici on first touch, and neither can be avoided
 * through its options. Its types and its URL serializers (pure functions) are used as they are,
 * so call sites, URLs and results stay exactly what openapi-fetch gives.
 *
 * Not supported, as nothing here uses them: middleware, FormData bodies.
 */
import { createFinalURL, createQuerySerializer, defaultPathSerializer, type Client, type PathSerializer, type QuerySerializerOptions } from 'openapi-fetch';
import type { FetchLike } from './fetch.js';
import { LiteHeaders, type HeadersLike } from './headers.js';

type HeaderValue = string | number | boolean | (string | number | boolean)[] | null | undefined;
/** A record (null removes a header set by an earlier source, arrays repeat it) or a header list. */
export type HeaderValues = Readonly<Record<string, HeaderValue>> | HeadersLike | Iterable<readonly [string, string]>;

type QuerySerializer = (query: Record<string, unknown>) => string;
type BodySerializer = (body: unknown, headers: LiteHeaders) => unknown;
export type ParseAs = 'json' | 'text' | 'blob' | 'arrayBuffer' | 'stream';

export interface TypedClientOptions {
  baseUrl: string;
  fetch: FetchLike;
  headers?: HeaderValues;
  querySerializer?: QuerySerializer | QuerySerializerOptions;
  bodySerializer?: BodySerializer;
  pathSerializer?: PathSerializer;
}

/** One call's options, as openapi-fetch takes them; anything else is passed to fetch as RequestInit. */
interface CallOptions extends Omit<RequestInit, 'body' | 'headers' | 'method'> {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown>; header?: Record<string, unknown> };
  body?: unknown;
  headers?: HeaderValues;
  parseAs?: ParseAs;
  baseUrl?: string;
  querySerializer?: QuerySerializer | QuerySerializerOptions;
  bodySerializer?: BodySerializer;
  pathSerializer?: PathSerializer;
  fetch?: FetchLike;
  middleware?: unknown[];
}

type Outcome = { data: unknown; response: Response } | { error: unknown; response: Response };

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;

export function createTypedClient<Paths extends {}>(options: TypedClientOptions): Client<Paths> {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const globalQuery = serializerOf(options.querySerializer);

  async function call(method: string, path: string, init: CallOptions = {}): Promise<Outcome> {
    const {
      params = {},
      body,
      headers,
      parseAs = 'json',
      baseUrl: callBaseUrl,
      querySerializer,
      bodySerializer = options.bodySerializer,
      pathSerializer = options.pathSerializer ?? defaultPathSerializer,
      fetch = options.fetch,
      middleware,
      ...rest
    } = init;
    if (middleware?.length) throw new Error('typed client: middleware is not supported');
    const url = createFinalURL(path, {
      baseUrl: callBaseUrl ? callBaseUrl.replace(/\/$/, '') : baseUrl,
      params,
      querySerializer: querySerializer ? serializerOf(querySerializer) : globalQuery,
      pathSerializer,
    });
    const callerHeaders = [options.headers, headers, params.header as HeaderValues | undefined];
    let payload: unknown;
    if (body !== undefined) {
      const given = mergeHeaders(...callerHeaders);
      payload = bodySerializer ? bodySerializer(body, given) : serializeBody(body, given);
    }
    // The body's default type goes first, so that the caller's headers override (or remove) it.
    const sent = mergeHeaders(payload === undefined ? undefined : { 'content-type': 'application/json' }, ...callerHeaders);
    const response = await fetch(url, { redirect: 'follow', ...rest, method, headers: sent, body: payload as RequestInit['body'] });
    return read(response, method, parseAs);
  }

  const client: Record<string, unknown> = {
    request: (method: string, path: string, init?: CallOptions) => call(method.toUpperCase(), path, init),
    use: (...middleware: unknown[]) => {
      if (middleware.some(Boolean)) throw new Error('typed client: middleware is not supported');
    },
    eject: () => undefined,
  };
  for (const m of METHODS) client[m] = (path: string, init?: CallOptions) => call(m, path, init);
  // openapi-fetch's method types are generic over each path's schema; at run time every path is
  // handled the same way, so the object is built untyped and given the client's type once.
  return client as unknown as Client<Paths>;
}

/** As openapi-fetch decides: no body, an empty declared body, JSON, or the `parseAs` reading. */
async function read(response: Response, method: string, parseAs: ParseAs): Promise<Outcome> {
  const length = response.headers.get('content-length');
  const chunked = response.headers.get('transfer-encoding')?.includes('chunked') ?? false;
  if (response.status === 204 || method === 'HEAD' || (length === '0' && !chunked)) {
    return response.ok ? { data: undefined, response } : { error: undefined, response };
  }
  if (!response.ok) {
    const text = await response.text();
    let error: unknown = text;
    try {
      error = JSON.parse(text);
    } catch {
      // not JSON: the text is the error
    }
    return { error, response };
  }
  if (parseAs === 'stream') return { data: response.body, response };
  if (parseAs === 'json' && !length) {
    const text = await response.text();
    return { data: text ? (JSON.parse(text) as unknown) : undefined, response };
  }
  return { data: await response[parseAs](), response };
}

function serializerOf(s: QuerySerializer | QuerySerializerOptions | undefined): QuerySerializer {
  return typeof s === 'function' ? s : (createQuerySerializer(s) as QuerySerializer);
}

/** JSON, or a form when the caller declared one. */
function serializeBody(body: unknown, headers: LiteHeaders): string {
  if (headers.get('content-type') === 'application/x-www-form-urlencoded') {
    return new URLSearchParams(body as Record<string, string>).toString();
  }
  return JSON.stringify(body);
}

/** Later sources win; a null value removes the header, an array sends it once per element. */
function mergeHeaders(...sources: (HeaderValues | undefined)[]): LiteHeaders {
  const out = new LiteHeaders();
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    const entries: Iterable<readonly [string, HeaderValue]> = isHeaderList(source)
      ? new LiteHeaders(source)
      : Object.entries(source as Readonly<Record<string, HeaderValue>>);
    for (const [name, value] of entries) {
      if (value === null) out.delete(name);
      else if (Array.isArray(value)) for (const v of value) out.append(name, String(v));
      else if (value !== undefined) out.set(name, String(value));
    }
  }
  return out;
}

function isHeaderList(x: object): x is HeadersLike | Iterable<readonly [string, string]> {
  return typeof (x as Partial<HeadersLike>).get === 'function' || Symbol.iterator in x;
}
