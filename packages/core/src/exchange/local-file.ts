/**
 * The file:// fast paths. Nothing about the checks changes: size and sha256 are verified before
 * the caller publishes anything.
 *
 * Local file → local file (Linux): the kernel copies (copy_file_range, what `cp` does, through
 * fs.copyFile on /proc/self/fd/N so no path is ever re-resolved), while the hash follows right
 * behind it reading the destination's bytes as they land — so the digest is of exactly what will
 * be published, and a byte crosses into user space once, to be hashed. On this kind of machine a
 * user-space write(2) costs many times a kernel copy; that, not sha256, was the bottleneck.
 *
 * Otherwise: one read, one hash, one write per byte, through a small ring of reused buffers
 * (fresh buffers per chunk meant fresh pages faulted in on every read): while chunk n is hashed on
 * the main thread, chunk n+1 is read and chunk n-1 written on the threadpool.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { copyFile } from '../fs-promises.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';

/** Bytes per read and write: 3 MiB in flight per file, 24 MiB at the default 8 files in parallel. */
export const RING_CHUNK = 1024 * 1024;
/** One being read, one being hashed, one being written. */
const RING_SIZE = 3;

/** What a reader checks: the expectations of the `get` that opened it. */
export interface ReadChecks {
  what: string;
  expectedSha256?: string | undefined;
  expectedSize?: number | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
}

function overflow(c: ReadChecks, size: number): IntegrityError | undefined {
  if (c.expectedSize !== undefined && size > c.expectedSize) return new IntegrityError(`${c.what}: more than the expected ${c.expectedSize} bytes.`);
  return undefined;
}

/** The end-of-stream check, with the messages the exchange has always used. */
export function finalCheck(c: ReadChecks, size: number, sha256: string | undefined): IntegrityError | undefined {
  if (c.expectedSize !== undefined && size !== c.expectedSize) return new IntegrityError(`${c.what}: size is ${size} bytes, expected ${c.expectedSize}.`);
  if (c.expectedSha256 !== undefined && sha256 !== c.expectedSha256) return new IntegrityError(`${c.what}: sha256 is ${sha256}, expected ${c.expectedSha256}.`);
  return undefined;
}

/**
 * A local file opened by the file:// store's `get`. Read as a stream it behaves like any other
 * (size and, when expected, sha256 checked at the end); a file:// `put` instead takes its handle
 * with `detach()` before anything was read and copies with the ring.
 */
export class LocalFileReadable extends Readable {
  private size = 0;
  private readonly hash;
  private detached = false;

  constructor(
    private readonly handle: FileHandle,
    readonly checks: ReadChecks,
  ) {
    super({ highWaterMark: RING_CHUNK });
    this.hash = checks.expectedSha256 === undefined ? undefined : createHash('sha256');
  }

  /** The handle and checks, when nothing has been read yet; then this stream is inert. */
  detach(): { handle: FileHandle; checks: ReadChecks } | undefined {
    if (this.detached || this.readableDidRead || this.size > 0 || this.destroyed) return undefined;
    this.detached = true;
    return { handle: this.handle, checks: this.checks };
  }

  override _read(n: number): void {
    const buf = Buffer.allocUnsafe(Math.max(n, RING_CHUNK));
    this.handle.read(buf, 0, buf.length, null).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          const err = finalCheck(this.checks, this.size, this.hash?.digest('hex'));
          if (err) this.destroy(err);
          else this.push(null);
          return;
        }
        const chunk = buf.subarray(0, bytesRead);
        this.size += bytesRead;
        this.hash?.update(chunk);
        this.checks.onProgress?.(this.size);
        const err = overflow(this.checks, this.size);
        if (err) this.destroy(err);
        else this.push(chunk);
      },
      (e: unknown) => this.destroy(e as Error),
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // A detached handle belongs to whoever took it.
    if (this.detached) return cb(err);
    this.handle.close().then(
      () => cb(err),
      () => cb(err),
    );
  }
}

const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

/** Whether `copyHashed` can let the kernel copy a detached file (then `dest` must be opened for reading too). */
export function kernelCopyAvailable(): boolean {
  return PROC_FD;
}

/**
 * The kernel copies `src` into `dest` (opened read-write, empty); meanwhile the destination's bytes
 * are read back and hashed as its size grows. Resolves when both are done.
 */
async function kernelCopy(src: FileHandle, dest: FileHandle, take: (chunk: Buffer) => void): Promise<void> {
  let settled = false;
  // As soon as the kernel has copied everything, flush it to disk while the hash catches up (the
  // caller's own fsync then finds nothing left to write). Publishing still waits for the hash.
  const copying = copyFile(`/proc/self/fd/${src.fd}`, `/proc/self/fd/${dest.fd}`)
    .then(() => dest.sync())
    .finally(() => (settled = true));
  copying.catch(() => undefined);
  // Two buffers: the next chunk is read back while this one is hashed.
  const bufs = [Buffer.allocUnsafe(RING_CHUNK), Buffer.allocUnsafe(RING_CHUNK)];
  let k = 0;
  let pos = 0; // bytes hashed
  let ahead = 0; // bytes asked for (hashed + the read in flight)
  let known = 0; // the destination's size last seen
  let inFlight: Promise<{ bytesRead: number; buffer: Buffer; len: number }> | undefined;
  const readNext = (): void => {
    const len = Math.min(RING_CHUNK, known - ahead);
    inFlight = dest.read(bufs[k] as Buffer, 0, len, ahead).then((r) => ({ ...r, len }));
    inFlight.catch(() => undefined);
    ahead += len;
    k ^= 1;
  };
  try {
    for (;;) {
      if (!inFlight) {
        const done = settled; // read before stat: a size seen after the copy ended is final
        known = (await dest.stat()).size;
        if (ahead < known) readNext();
        else if (done) break;
        else {
          await sleep(1); // the hash caught up with the copy
          continue;
        }
      }
      const { bytesRead, buffer, len } = await (inFlight as NonNullable<typeof inFlight>);
      inFlight = undefined;
      // Below the size already seen, a regular file reads in full; less means it shrank under us.
      if (bytesRead !== len) throw new IntegrityError(`a copy shrank while it was being written (${pos + bytesRead} of ${known} bytes read back)`);
      if (ahead < known) readNext(); // read ahead into the other buffer while this one is hashed
      take(buffer.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } catch (e) {
    await inFlight?.catch(() => undefined);
    await copying.catch(() => undefined); // never leave the kernel writing into a file being removed
    throw e;
  }
  await copying;
}

/** The source side of a copy: a detached local file, or any chunks (a stream, a Buffer's slices). */
export type CopySource = { kind: 'file'; handle: FileHandle; checks: ReadChecks } | { kind: 'chunks'; chunks: AsyncIterable<Buffer> };

/**
 * Copies `source` into `dest` (from its current position), hashing every byte once: a detached
 * file by the kernel with the hash following (Linux), else with at most one read and one write in
 * flight beside the hash. Checks `sink`'s expectations (and a detached
 * file's own) as bytes arrive and at the end; throws IntegrityError on any mismatch. The caller
 * owns `dest` and publishes it only when this resolves.
 */
export async function copyHashed(
  source: CopySource,
  dest: FileHandle,
  sink: ReadChecks,
  opts: { kernel?: boolean } = {},
): Promise<{ sha256: string; size: number }> {
  const kernel = (opts.kernel ?? true) && PROC_FD;
  const hash = createHash('sha256');
  let size = 0;
  let writing: Promise<unknown> = Promise.resolve();

  const take = (chunk: Buffer): void => {
    hash.update(chunk);
    size += chunk.length;
    if (source.kind === 'file') source.checks.onProgress?.(size);
    sink.onProgress?.(size);
    const err = (source.kind === 'file' ? overflow(source.checks, size) : undefined) ?? overflow(sink, size);
    if (err) throw err;
  };
  const write = async (chunk: Buffer): Promise<void> => {
    await writing; // one write in flight: the previous chunk's buffer is free again after this
    writing = dest.write(chunk, 0, chunk.length);
    // A failed write must not become an unhandled rejection while we read the next chunk.
    (writing as Promise<unknown>).catch(() => undefined);
  };

  try {
    if (source.kind === 'file' && kernel) {
      await kernelCopy(source.handle, dest, take);
      // copyFile gave the file the source's mode; the exchange's files are 0644.
      await dest.chmod(0o644);
    } else if (source.kind === 'file') {
      const ring = Array.from({ length: RING_SIZE }, () => Buffer.allocUnsafe(RING_CHUNK));
      let i = 0;
      let reading = source.handle.read(ring[0] as Buffer, 0, RING_CHUNK, null);
      for (;;) {
        const { bytesRead, buffer } = await reading;
        if (bytesRead === 0) break;
        // Read ahead into the next buffer: it is neither the one hashed now nor the one being written.
        i = (i + 1) % RING_SIZE;
        reading = source.handle.read(ring[i] as Buffer, 0, RING_CHUNK, null);
        reading.catch(() => undefined);
        const chunk = buffer.subarray(0, bytesRead);
        take(chunk);
        await write(chunk);
      }
    } else {
      for await (const chunk of source.chunks) {
        take(chunk);
        await write(chunk);
      }
    }
    await writing;
  } finally {
    if (source.kind === 'file') await source.handle.close().catch(() => undefined);
  }
  const sha256 = hash.digest('hex');
  const err = (source.kind === 'file' ? finalCheck(source.checks, size, sha256) : undefined) ?? finalCheck(sink, size, sha256);
  if (err) throw err;
  return { sha256, size };
}
