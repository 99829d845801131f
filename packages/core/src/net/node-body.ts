/** A response body as a Node stream, for pipelines (gunzip, tar) that read large downloads. */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { LiteResponse, type ResponseLike } from './response.js';

/**
 * Ours is read straight from the socket, with no web stream in between; any other (undici's, in
 * tests) through its web stream. Destroying the result closes the download's connection.
 */
export function readableBody(res: ResponseLike): Readable | null {
  if (res instanceof LiteResponse) {
    const chunks = res.takeChunks();
    return chunks && Readable.from(chunks, { objectMode: false });
  }
  // ResponseLike only promises `cancel()`; a fetch Response's body is a full web stream.
  return res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) : null;
}
