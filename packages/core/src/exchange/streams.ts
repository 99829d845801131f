/**
 * Streaming with digests: one pass over the bytes computes sha256 and size while they flow to
 * their destination, with backpressure, so memory stays constant whatever the object's size.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { IntegrityError } from '../errors.js';

const BUFFER_SLICE = 1024 * 1024;
/**
 * Chunk size for local file reads and writes. Node's 64 KiB default costs a threadpool round trip
 * and a hash.update per 64 KiB; 1 MiB chunks keep per-chunk overhead far below the cost of the
 * bytes themselves while a few of them in flight stay well inside the memory budget.
 */
export const IO_CHUNK = 1024 * 1024;

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Checks an `expectedSha256` option: 64 lowercase hex characters (uppercase is accepted and lowered). */
export function normaliseSha256(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (!SHA256_HEX.test(v)) throw new IntegrityError(`${what}: expected sha256 '${value}' is not 64 hex characters.`);
  return v;
}

export function checkExpectedSize(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new IntegrityError(`${what}: expected size ${String(value)} is not a non-negative integer.`);
  }
  return value;
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | null): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`exchange sources must produce bytes, got ${typeof chunk}`);
}

/** The chunks of a source: a Buffer in 1 MiB slices (no copies), a stream as it reads. */
export async function* chunksOf(source: Readable | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let i = 0; i < source.length; i += BUFFER_SLICE) yield source.subarray(i, i + BUFFER_SLICE);
    return;
  }
  const encoding = source.readableEncoding;
  for await (const chunk of source) yield toBuffer(chunk, encoding);
}

export interface StreamIntoOptions {
  expectedSha256?: string;
  expectedSize?: number;
  onProgress?: (bytes: number) => void;
  /** For messages: what is being written, e.g. `gs://b/p/key`. */
  what: string;
  /**
   * A sink error for which writing stops but hashing goes on to the end of the source (a
   * precondition failure: the object exists, and we want the source's digest to compare).
   */
  isBenignSinkError?: (err: unknown) => boolean;
}

export interface StreamIntoResult {
  sha256: string;
  size: number;
  /** Set when the sink failed with a benign error (see `isBenignSinkError`); the sink got no `end()`. */
  sinkError?: unknown;
}

function waitDrainOrError(sink: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('error', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('error', done);
    sink.on('close', done);
  });
}

/**
 * Copies `source` into `sink` (when given) while computing sha256 and size. Only when the whole
 * source has been read and matches the expected values is `sink.end()` called, so an upload is
 * never finalised with bytes that fail the check: on any failure the sink is destroyed instead
 * (and the source too). Resolves once the sink has finished.
 */
export async function streamInto(
  source: Readable | Buffer,
  sink: Writable | undefined,
  opts: StreamIntoOptions,
): Promise<StreamIntoResult> {
  const hash = createHash('sha256');
  let size = 0;
  let sinkError: unknown;
  const onSinkError = (err: unknown): void => {
    sinkError ??= err;
  };
  sink?.on('error', onSinkError);
  let active = sink;

  const fail = (err: unknown): never => {
    if (active && !active.destroyed) active.destroy();
    if (!Buffer.isBuffer(source) && !source.destroyed) source.destroy();
    throw err;
  };
  const checkSink = (): void => {
    if (sinkError === undefined || !active) return;
    if (opts.isBenignSinkError?.(sinkError)) {
      active = undefined; // stop writing, keep hashing
    } else {
      fail(sinkError);
    }
  };

  try {
    for await (const chunk of chunksOf(source)) {
      hash.update(chunk);
      size += chunk.length;
      opts.onProgress?.(size);
      if (opts.expectedSize !== undefined && size > opts.expectedSize) {
        fail(new IntegrityError(`${opts.what}: more than the expected ${opts.expectedSize} bytes.`));
      }
      checkSink();
      if (active && !active.write(chunk)) {
        if (sinkError === undefined && !active.destroyed) await waitDrainOrError(active);
        checkSink();
        if (active?.destroyed && sinkError === undefined) fail(new Error(`${opts.what}: the destination closed early.`));
      }
    }
  } catch (e) {
    fail(e);
  }

  const sha256 = hash.digest('hex');
  if (opts.expectedSize !== undefined && size !== opts.expectedSize) {
    fail(new IntegrityError(`${opts.what}: size is ${size} bytes, expected ${opts.expectedSize}.`));
  }
  if (opts.expectedSha256 !== undefined && sha256 !== opts.expectedSha256) {
    fail(new IntegrityError(`${opts.what}: sha256 is ${sha256}, expected ${opts.expectedSha256}.`));
  }
  checkSink();
  if (active) {
    active.end();
    try {
      await finished(active);
    } catch (e) {
      onSinkError(e);
    }
    checkSink();
  }
  sink?.off('error', onSinkError);
  // Keep a listener: a late error from a stream we are done with must not crash the process.
  sink?.on('error', () => undefined);
  return sinkError === undefined ? { sha256, size } : { sha256, size, sinkError };
}

/**
 * A pass-through that counts what flows through it, reports progress, and errors at the end
 * (before signalling end-of-stream) when the size, or the sha256 when one is expected, differ.
 * Without an expected sha256 it does not hash at all: the consumer (a `put`) hashes the same
 * bytes anyway, and hashing them twice halved the throughput of every copy.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash | undefined;
  private size = 0;

  constructor(
    private readonly opts: { expectedSha256?: string; expectedSize?: number; onProgress?: (bytes: number) => void; what: string },
  ) {
    super({ highWaterMark: IO_CHUNK });
    this.hash = opts.expectedSha256 === undefined ? undefined : createHash('sha256');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash?.update(chunk);
    this.size += chunk.length;
    this.opts.onProgress?.(this.size);
    if (this.opts.expectedSize !== undefined && this.size > this.opts.expectedSize) {
      cb(new IntegrityError(`${this.opts.what}: more than the expected ${this.opts.expectedSize} bytes.`));
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const sha256 = this.hash?.digest('hex');
    const { expectedSha256, expectedSize, what } = this.opts;
    if (expectedSize !== undefined && this.size !== expectedSize) {
      cb(new IntegrityError(`${what}: size is ${this.size} bytes, expected ${expectedSize}.`));
    } else if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
      cb(new IntegrityError(`${what}: sha256 is ${sha256}, expected ${expectedSha256}.`));
    } else {
      cb();
    }
  }
}

/** sha256 of a whole stream (used to compare with an object that is already there). */
export async function sha256Of(source: Readable): Promise<{ sha256: string; size: number }> {
  const r = await streamInto(source, undefined, { what: 'existing object' });
  return { sha256: r.sha256, size: r.size };
}
