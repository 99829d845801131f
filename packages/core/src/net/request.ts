/**
 * A request as fetch's `new Request(input, init)` would build it (absolute URL, normalised method,
 * copied headers, default content type), without the undici-backed global. Unlike fetch's, its
 * body is bytes that can be read any number of times: retries and redirects send it again.
 */
import { bodyBytes, decodeText, toArrayBuffer } from './body.js';
import { LiteHeaders, type HeadersLike, type HeadersSource } from './headers.js';
import { checkConstructible, parseUrl } from './url-policy.js';

export type RedirectMode = 'follow' | 'manual' | 'error';

/** What is read from a request this module did not make: undici's `Request`, or a `LiteRequest`. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: HeadersLike;
  readonly signal?: AbortSignal | null;
  readonly redirect?: string;
  /** A stream on fetch's Request; only its presence is looked at. */
  readonly body?: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** fetch's RequestInit, as far as this client honours it (the global type is assignable to it). */
export interface LiteRequestInit {
  method?: string;
  headers?: HeadersSource | null;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}

/** Methods fetch upper-cases whatever case they come in (others are sent as given, e.g. `patch`). */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REDIRECT_MODES: ReadonlySet<string> = new Set(['follow', 'manual', 'error']);

/** Structural, so that requests from undici (another class, possibly another realm) qualify. */
export function isRequestLike(x: unknown): x is RequestLike {
  if (typeof x !== 'object' || x === null || x instanceof URL) return false;
  const r = x as Partial<RequestLike>;
  return typeof r.url === 'string' && typeof r.method === 'string' && typeof r.headers === 'object' && r.headers !== null;
}

export class LiteRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: LiteHeaders;
  readonly signal: AbortSignal | null;
  readonly redirect: RedirectMode;
  readonly #body: Promise<Uint8Array> | Uint8Array | undefined;

  constructor(input: string | URL | RequestLike, init: LiteRequestInit = {}) {
    const from = isRequestLike(input) ? input : undefined;
    const url = parseUrl(from ? from.url : (input as string | URL));
    checkConstructible(url);
    this.url = url.href;
    this.method = normaliseMethod(init.method ?? from?.method ?? 'GET');
    this.headers = new LiteHeaders(init.headers ?? from?.headers);
    this.signal = init.signal !== undefined ? init.signal : (from?.signal ?? null);
    const redirect = init.redirect ?? from?.redirect ?? 'follow';
    if (!REDIRECT_MODES.has(redirect)) throw new TypeError(`Invalid redirect mode '${redirect}'`);
    this.redirect = redirect as RedirectMode;

    if (init.body !== undefined) {
      const b = bodyBytes(init.body);
      this.#body = b?.bytes;
      if (b?.contentType && !this.headers.has('content-type')) this.headers.set('content-type', b.contentType);
    } else if (from instanceof LiteRequest) {
      this.#body = from.#body;
    } else if (from && from.body !== null && from.body !== undefined) {
      this.#body = from.arrayBuffer().then((b) => new Uint8Array(b));
    }
    if (this.#body !== undefined && (this.method === 'GET' || this.method === 'HEAD')) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
  }

  get hasBody(): boolean {
    return this.#body !== undefined;
  }

  /** The body's bytes, or undefined when there is none. */
  async bytes(): Promise<Uint8Array | undefined> {
    return this.#body === undefined ? undefined : await this.#body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return toArrayBuffer((await this.bytes()) ?? new Uint8Array(0));
  }

  async text(): Promise<string> {
    return decodeText((await this.bytes()) ?? new Uint8Array(0));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  clone(): LiteRequest {
    return new LiteRequest(this);
  }

  /** What to hand a `fetch` (ours or Node's) so that it sends this same request. */
  async toInit(): Promise<{ method: string; headers: LiteHeaders; body: Uint8Array | undefined; redirect: RedirectMode; signal: AbortSignal | null }> {
    return { method: this.method, headers: new LiteHeaders(this.headers), body: await this.bytes(), redirect: this.redirect, signal: this.signal };
  }

  get [Symbol.toStringTag](): string {
    return 'Request';
  }
}

function normaliseMethod(method: string): string {
  if (!TOKEN.test(method)) throw new TypeError(`'${method.slice(0, 40)}' is not a valid HTTP method.`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`'${method}' HTTP method is unsupported.`);
  return NORMALISED_METHODS.has(upper) ? upper : method;
}
