/**
 * Request bodies, held as bytes. Every body this suite sends is small (JSON, a form, one
 * manifest), and bytes can be sent again on a redirect or a retry, which a stream cannot.
 */
/** A body resolved now, or later for sources that can only be read asynchronously. */
export interface BodyBytes {
  bytes: Uint8Array | Promise<Uint8Array>;
  /** The type fetch would default to for this kind of body, if the caller set none. */
  contentType?: string;
}

const encoder = new TextEncoder();

/**
 * Reads fetch's body kinds: string, bytes, URLSearchParams, Blob, and (async) iterables of byte
 * chunks such as a ReadableStream or a Node stream. Anything else (FormData among it) is refused:
 * it would need multipart encoding, and is detected without naming the undici-backed global.
 */
export function bodyBytes(body: unknown): BodyBytes | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return { bytes: encoder.encode(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    return { bytes: encoder.encode(body.toString()), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (isArrayBuffer(body)) return { bytes: new Uint8Array(body.slice(0)) };
  if (ArrayBuffer.isView(body)) {
    // Copied: the caller may reuse its buffer while a retry still needs these bytes.
    return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice() };
  }
  if (body instanceof Blob) {
    const out: BodyBytes = { bytes: body.arrayBuffer().then((b) => new Uint8Array(b)) };
    if (body.type) out.contentType = body.type;
    return out;
  }
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    return { bytes: collect(body as AsyncIterable<unknown>) };
  }
  if (typeof body === 'object' && Symbol.iterator in body) {
    return { bytes: collect(body as Iterable<unknown>) };
  }
  throw new TypeError(`Unsupported request body (${describe(body)}): send a string, bytes, URLSearchParams or a Blob`);
}

async function collect(chunks: AsyncIterable<unknown> | Iterable<unknown>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') parts.push(encoder.encode(chunk));
    else if (ArrayBuffer.isView(chunk)) parts.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // FormData iterates [name, value] pairs: refused here, by shape.
    else throw new TypeError(`Unsupported request body: a stream or iterable of ${describe(chunk)}, not of bytes`);
  }
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * By tag, not `instanceof`: buffers made by Node itself belong to another realm under a test
 * runner's VM context, where `instanceof` says no.
 */
export function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

/** A standalone ArrayBuffer holding exactly these bytes (a Buffer may be a view into a shared pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && isArrayBuffer(bytes.buffer)) return bytes.buffer;
  return new Uint8Array(bytes).buffer;
}

/** UTF-8, with a leading BOM dropped, as fetch's `text()` does. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as { constructor?: { name?: unknown } }).constructor?.name?.toString() || 'object';
}
