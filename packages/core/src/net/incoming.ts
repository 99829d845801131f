/**
 * The body of a received response as a stream of byte chunks: content codings undone, failures
 * reported as fetch reports them, and reading stopped by the request's abort signal.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { codedError, terminated } from './errors.js';

/**
 * We never send Accept-Encoding, so a conforming server answers in identity; a proxy may still
 * compress, and fetch would undo it. zlib is loaded only then.
 */
export async function decodedBody(res: IncomingMessage): Promise<Readable> {
  const codings = (res.headers['content-encoding'] ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return res;
  const zlib = await import('node:zlib');
  const { pipeline } = await import('node:stream');
  const decoders: Readable[] = [];
  // Codings are listed in the order they were applied: undo them last to first.
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    else if (coding === 'deflate') decoders.push(zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    else {
      res.destroy();
      throw codedError(`the server answered with content coding '${coding.slice(0, 40)}', which this client cannot decode`, 'ERR_UNSUPPORTED_CONTENT_ENCODING');
    }
  }
  const last = decoders[decoders.length - 1] as Readable;
  // pipeline destroys every stage when one fails, so the socket is not left half-read.
  pipeline([res, ...decoders], () => undefined);
  return last;
}

/**
 * Byte chunks of `source`. An abort of `signal` destroys the stream (and so the connection) at
 * once, even if nobody is reading, and a read then fails with `signal.reason`. Ending the
 * iteration early (`return()`, also before the first read) destroys it too: a connection with an
 * unread body cannot go back to the pool.
 */
export function bodyChunks(source: Readable, signal: AbortSignal | null): AsyncIterableIterator<Uint8Array> {
  const onAbort = (): void => {
    source.destroy();
  };
  const detach = (): void => signal?.removeEventListener('abort', onAbort);
  if (signal?.aborted) source.destroy();
  else if (signal) {
    signal.addEventListener('abort', onAbort, { once: true });
    // Ended or destroyed: a long-lived signal must not keep a listener per response.
    source.once('close', detach);
  }
  const inner = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const chunks: AsyncIterableIterator<Uint8Array> = {
    async next() {
      try {
        if (signal?.aborted) throw signal.reason;
        return await inner.next();
      } catch (err) {
        detach();
        source.destroy();
        if (signal?.aborted) throw signal.reason;
        throw terminated(err);
      }
    },
    async return() {
      detach();
      source.destroy();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return chunks;
    },
  };
  return chunks;
}
