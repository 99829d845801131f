/**
 * A response with fetch's reading API (`text`, `json`, `arrayBuffer`, `body` as a WHATWG stream).
 * The stream is made only when `body` is asked for: reading the whole answer with `text()` or
 * `arrayBuffer()` pulls straight from the socket, and Node's web-streams modules (a few ms to
 * load) are not loaded at all.
 */
import type { ReadableStream } from 'node:stream/web';
import { concatBytes, decodeText, isArrayBuffer, toArrayBuffer } from './body.js';
import { LiteHeaders, type HeadersSource } from './headers.js';

/** The body kinds a response can be built from; a Node stream is an async iterable of Buffers. */
export type ResponseBodySource = string | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array> | null;

export interface LiteResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersSource | null;
  /** The final URL, after redirects; '' for a response built in code. */
  url?: string;
  redirected?: boolean;
}

/** What this module reads from a response it did not make (undici's, or ours). */
export interface ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body: { cancel(reason?: unknown): Promise<void> } | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);
/** Marks a response made from a real exchange: its status is the server's, not checked against fetch's constructor rules. */
const FETCHED: unique symbol = Symbol('fetched');

export class LiteResponse implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LiteHeaders;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: 'basic' | 'default';
  readonly #source: Uint8Array | AsyncIterable<Uint8Array> | null;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  constructor(body: ResponseBodySource = null, init: LiteResponseInit = {}, origin?: typeof FETCHED) {
    const status = init.status ?? 200;
    this.#source = toSource(body);
    if (origin !== FETCHED) {
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive (got ${status}).`);
      }
      if (this.#source !== null && NULL_BODY_STATUSES.has(status)) throw new TypeError(`Response with status ${status} cannot have a body.`);
    }
    this.status = status;
    this.statusText = init.statusText ?? '';
    this.headers = new LiteHeaders(init.headers);
    this.url = init.url ?? '';
    this.redirected = init.redirected ?? false;
    this.type = origin === FETCHED ? 'basic' : 'default';
    if (typeof body === 'string' && !this.headers.has('content-type')) this.headers.set('content-type', 'text/plain;charset=UTF-8');
  }

  /** A response as received: the body streams from `body` (a Node stream, or bytes) when read. */
  static fromExchange(body: Uint8Array | AsyncIterable<Uint8Array> | null, init: LiteResponseInit & { status: number }): LiteResponse {
    return new LiteResponse(body, init, FETCHED);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    // A web stream handed in (a clone's half) is not watched for reads; a reader on it is.
    return this.#used || (this.#stream?.locked ?? false);
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#source === null) return null;
    this.#stream ??= toWebStream(this.#source, () => (this.#used = true));
    return this.#stream;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#used || this.#stream?.locked) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const source = this.#stream ?? this.#source;
    if (source === null) return new Uint8Array(0);
    if (source instanceof Uint8Array) return source;
    const parts: Uint8Array[] = [];
    for await (const chunk of source) parts.push(chunk);
    return concatBytes(parts);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return toArrayBuffer(await this.bytes());
  }

  async text(): Promise<string> {
    return decodeText(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }

  /** Multipart parsing is not needed by this suite, and would be most of undici again. */
  formData(): Promise<never> {
    return Promise.reject(new TypeError('formData() is not supported by the lite HTTP client'));
  }

  /**
   * The body's chunks for a reader that wants no web stream (a Node pipeline); the body counts as
   * read. Null when there is no body.
   */
  takeChunks(): AsyncIterable<Uint8Array> | null {
    if (this.#used || this.#stream?.locked) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const source = this.#stream ?? this.#source;
    if (source === null || !(source instanceof Uint8Array)) return source;
    return (async function* once(bytes: Uint8Array) {
      yield bytes;
    })(source);
  }

  /** Drops the body unread; a pending download's connection is closed. Never throws. */
  async discard(): Promise<void> {
    if (this.#used) return;
    this.#used = true;
    const source = this.#stream ?? this.#source;
    try {
      // Ending the iteration cancels a web stream and destroys a Node stream (see incoming.ts).
      if (source !== null && !(source instanceof Uint8Array)) await source[Symbol.asyncIterator]().return?.();
    } catch {
      // already failed or cancelled: nothing left to drop
    }
  }

  clone(): LiteResponse {
    if (this.#used || this.#stream?.locked) throw new TypeError('Response.clone: Body has already been consumed.');
    const init = { status: this.status, statusText: this.statusText, headers: this.headers, url: this.url, redirected: this.redirected };
    const origin = this.type === 'basic' ? FETCHED : undefined;
    if (this.#source === null || this.#source instanceof Uint8Array) return new LiteResponse(this.#source, init, origin);
    const [mine, theirs] = (this.body as ReadableStream<Uint8Array>).tee();
    this.#stream = mine;
    return new LiteResponse(theirs, init, origin);
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}

/** Bytes become a Uint8Array of this realm, so that the `instanceof` checks above hold. */
function toSource(body: ResponseBodySource): Uint8Array | AsyncIterable<Uint8Array> | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return new Uint8Array(new TextEncoder().encode(body));
  if (isArrayBuffer(body)) return new Uint8Array(body.slice(0));
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'object' && Symbol.asyncIterator in body) return body;
  throw new TypeError('Unsupported response body: pass a string, bytes or a stream of bytes');
}

/** By shape: a stream from another realm (a test runner's) is still a stream. */
function isWebStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof (x as { getReader?: unknown }).getReader === 'function' && typeof (x as { tee?: unknown }).tee === 'function';
}

/**
 * Pull-based, so nothing is read before the consumer asks; cancelling ends the source's iterator,
 * which destroys a Node stream and with it the socket (an unread body cannot be skipped on it).
 */
function toWebStream(source: Uint8Array | AsyncIterable<Uint8Array>, onRead: () => void): ReadableStream<Uint8Array> {
  if (isWebStream(source)) return source;
  const it = source instanceof Uint8Array ? [source][Symbol.iterator]() : source[Symbol.asyncIterator]();
  // The global, not an import of node:stream/web: it loads the web-streams modules on first use only.
  return new globalThis.ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onRead();
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel(reason) {
        await it.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Drops a response's body unread, whichever fetch made it. For ours no web stream is made just to
 * cancel it.
 */
export async function discardBody(res: ResponseLike): Promise<void> {
  if (res instanceof LiteResponse) return res.discard();
  await res.body?.cancel().catch(() => undefined);
}
