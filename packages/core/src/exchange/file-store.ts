/**
 * file:// exchange: a directory tree. Keys map to paths below the root; no path component below
 * the root may be a symlink (every component is lstat'ed, the last one is opened with O_NOFOLLOW
 * where the platform has it). Writes go to a temp file in the same directory, are flushed, then
 * published with link(2), which fails instead of overwriting, so a concurrent writer can't be
 * clobbered (rename(2) when the filesystem has no hard links).
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, mkdir, open, readdir, rename, rm, rmdir, unlink } from '../fs-promises.js';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
import { checkKey, checkPrefix, keyProblem } from './keys.js';
import { copyHashed, LocalFileReadable, type CopySource, type ReadChecks } from './local-file.js';
import { checkExpectedSize, chunksOf, IO_CHUNK, normaliseSha256, sha256Of, streamInto } from './streams.js';
import type { ExchangeStore, GetOptions, MoveResult, ObjectInfo, PutOptions, PutResult } from './types.js';

/**
 * Temp files of in-progress writes; never listed. The name carries the writer's host and pid so a
 * later writer can tell a live write (leave it) from one whose process was killed (remove it).
 * The bare `[0-9a-f]{16}` form is from writers before the host and pid were added.
 */
const TEMP_NAME = /^\.exchange-(?:([0-9a-f]{8})-(\d+)-)?[0-9a-f]{16}\.partial$/;
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** link(2) errors that mean "this filesystem has no hard links": fall back to rename(2). */
const NO_HARDLINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Byte order of UTF-8, which is GCS's listing order. */
function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export class FileExchangeStore implements ExchangeStore {
  constructor(
    /** Absolute, normalised. */
    readonly root: string,
    readonly uri: string,
    readonly parallelism: number,
  ) {}

  /** Folders already cleared of dead writers' temp files by this process. */
  private readonly swept = new Set<string>();

  private what(key: string): string {
    return `${this.uri}/${key}`;
  }

  /**
   * The directory for `segments` below the root, checking that each component is a real directory
   * (not a symlink). Missing components: created when `create`, otherwise undefined.
   */
  private async resolveDir(segments: string[], create: boolean, forKey: string): Promise<string | undefined> {
    if (create) await mkdir(this.root, { recursive: true });
    let dir = this.root;
    for (let i = 0; i < segments.length; i++) {
      dir = join(dir, segments[i] as string);
      let st = await lstatOrUndefined(dir);
      if (!st && create) {
        try {
          await mkdir(dir);
        } catch (e) {
          if (errCode(e) !== 'EEXIST') throw e;
        }
        st = await lstat(dir);
      }
      if (!st) return undefined;
      const rel = segments.slice(0, i + 1).join('/');
      if (st.isSymbolicLink()) {
        throw new IntegrityError(`${this.what(forKey)}: '${rel}' is a symlink; the exchange does not follow symlinks.`);
      }
      if (!st.isDirectory()) {
        if (!create) return undefined;
        throw new IntegrityError(`${this.what(forKey)}: '${rel}' exists and is not a directory.`);
      }
    }
    return dir;
  }

  /** The path of `key` with its parents checked, or undefined when a parent is missing. */
  private async pathOf(key: string, create: boolean): Promise<string | undefined> {
    const segments = checkKey(key).split('/');
    const base = segments.pop() as string;
    const dir = await this.resolveDir(segments, create, key);
    return dir === undefined ? undefined : join(dir, base);
  }

  /** lstat of an object path: undefined when absent; IntegrityError for a symlink. */
  private async lstatObject(key: string, path: string): Promise<Stats | undefined> {
    const st = await lstatOrUndefined(path);
    if (st?.isSymbolicLink()) {
      throw new IntegrityError(`${this.what(key)} is a symlink; the exchange does not follow symlinks.`);
    }
    return st;
  }

  /** Opens an existing regular file without following a symlink; undefined when absent. */
  private async openObject(key: string, path: string): Promise<{ stream: Readable; size: number } | undefined> {
    const opened = await this.openHandle(key, path);
    return opened && { stream: opened.handle.createReadStream({ highWaterMark: IO_CHUNK }), size: opened.size };
  }

  /** The handle of an existing regular file, opened without following a symlink; undefined when absent. */
  private async openHandle(key: string, path: string): Promise<{ handle: FileHandle; size: number } | undefined> {
    const st = await this.lstatObject(key, path);
    if (!st || !st.isFile()) return undefined;
    let fh;
    try {
      fh = await open(path, constants.O_RDONLY | O_NOFOLLOW);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP' || code === 'EMLINK') {
        throw new IntegrityError(`${this.what(key)} is a symlink; the exchange does not follow symlinks.`);
      }
      throw e;
    }
    const fst = await fh.stat();
    if (!fst.isFile()) {
      await fh.close();
      return undefined;
    }
    return { handle: fh, size: fst.size };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const path = await this.pathOf(key, false);
    if (path === undefined) return undefined;
    // A re-run that finds the object complete writes nothing; a writer killed between link(2)
    // and removing its temp file left that temp beside it, which only this sweep clears.
    await this.sweepDeadTemps(dirname(path));
    const st = await this.lstatObject(key, path);
    return st?.isFile() ? { key, size: st.size } : undefined;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async get(key: string, opts: GetOptions = {}): Promise<Readable> {
    const what = this.what(key);
    const expectedSha256 = normaliseSha256(opts.expectedSha256, what);
    const expectedSize = checkExpectedSize(opts.expectedSize, what);
    const path = await this.pathOf(key, false);
    const opened = path === undefined ? undefined : await this.openHandle(key, path);
    if (!opened) throw new IntegrityError(`${what}: no such object.`);
    if (expectedSize !== undefined && opened.size !== expectedSize) {
      await opened.handle.close();
      throw new IntegrityError(`${what}: size is ${opened.size} bytes, expected ${expectedSize}.`);
    }
    // Checks size (and sha256 when expected) at its end; a file:// put reads its handle directly.
    return new LocalFileReadable(opened.handle, { expectedSha256, expectedSize, onProgress: opts.onProgress, what });
  }

  async put(key: string, source: Readable | Buffer, opts: PutOptions = {}): Promise<PutResult> {
    const what = this.what(key);
    const expectedSha256 = normaliseSha256(opts.expectedSha256, what);
    const expectedSize = checkExpectedSize(opts.expectedSize, what);
    const path = (await this.pathOf(key, true)) as string;
    const streamOpts = { expectedSha256, expectedSize, onProgress: opts.onProgress, what };

    // Before the "already there" check: see stat().
    await this.sweepDeadTemps(dirname(path));
    // Already there: hash the source without writing it anywhere, then compare.
    if (await this.lstatObject(key, path)) {
      const { sha256, size } = await streamInto(source, undefined, streamOpts);
      return this.compareExisting(key, path, sha256, size);
    }

    const tmp = join(path, '..', `.exchange-${HOST_TAG}-${process.pid}-${randomBytes(8).toString('hex')}.partial`);
    const { sha256, size } = await this.writeTemp(tmp, source, streamOpts);

    try {
      await link(tmp, path);
    } catch (e) {
      const code = errCode(e);
      if (code === 'EEXIST') {
        await rm(tmp, { force: true });
        return this.compareExisting(key, path, sha256, size);
      }
      if (code && NO_HARDLINKS.has(code)) {
        // No hard links here: check then rename (a concurrent writer of the same key could race us).
        if (await this.lstatObject(key, path)) {
          await rm(tmp, { force: true });
          return this.compareExisting(key, path, sha256, size);
        }
        await rename(tmp, path).catch(async (err: unknown) => {
          await rm(tmp, { force: true });
          throw err;
        });
        return { key, size, sha256, written: true };
      }
      await rm(tmp, { force: true });
      throw e;
    }
    await rm(tmp, { force: true });
    return { key, size, sha256, written: true };
  }

  /**
   * Removes temp files left in `dir` by writers on this host whose process is gone (a job killed
   * mid-copy): a re-run then leaves the folder as an uninterrupted run would. Once per folder;
   * a failed unlink (a reader without write access) leaves the file, harmlessly: it is never listed.
   */
  private async sweepDeadTemps(dir: string): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // not created yet: nothing to sweep
    }
    for (const name of names) {
      const m = TEMP_NAME.exec(name);
      if (!m || m[1] !== HOST_TAG || processAlive(Number(m[2]))) continue;
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }

  /**
   * Writes `source` to the temp file `tmp` with its sha256 computed in the same pass, checked
   * against the expectations, and fsynced — or removes `tmp` and throws. Only then may the caller
   * give it its name, so a mismatch never leaves a file that looks complete.
   */
  private async writeTemp(tmp: string, source: Readable | Buffer, checks: ReadChecks): Promise<{ sha256: string; size: number }> {
    const detached = source instanceof LocalFileReadable ? source.detach() : undefined;
    let dest: FileHandle | undefined;
    try {
      // 'wx': O_CREAT|O_EXCL, never follows or reuses anything ('+': the kernel copy reads it back to hash it).
      dest = await open(tmp, 'wx+', 0o644);
      const from: CopySource = detached ? { kind: 'file', ...detached } : { kind: 'chunks', chunks: chunksOf(source) };
      const r = await copyHashed(from, dest, checks);
      // fsync before close, so the bytes are on disk before the name is published.
      await dest.sync();
      await dest.close();
      return r;
    } catch (e) {
      if (detached) await detached.handle.close().catch(() => undefined);
      if (!Buffer.isBuffer(source) && !source.destroyed) source.destroy();
      await dest?.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw e;
    }
  }

  private async compareExisting(key: string, path: string, sha256: string, size: number): Promise<PutResult> {
    const opened = await this.openObject(key, path);
    if (!opened) throw new IntegrityError(`${this.what(key)} exists and is not a regular file; refusing to overwrite.`);
    const existing = await sha256Of(opened.stream);
    if (existing.sha256 !== sha256) {
      throw new IntegrityError(
        `${this.what(key)} already exists with different content (sha256 ${existing.sha256}, ${existing.size} bytes; ` +
          `new: ${sha256}, ${size} bytes); refusing to overwrite.`,
      );
    }
    return { key, size, sha256, written: false };
  }

  async delete(key: string): Promise<void> {
    const path = await this.pathOf(key, false);
    if (path === undefined) return;
    try {
      await unlink(path);
    } catch (e) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
  }

  /**
   * link(2) to the destination (fails instead of overwriting), then unlink the source, then remove
   * the source's directories left empty below the part of the path both keys share.
   */
  async move(fromKey: string, toKey: string): Promise<MoveResult> {
    const from = await this.pathOf(fromKey, false);
    const st = from === undefined ? undefined : await this.lstatObject(fromKey, from);
    if (from === undefined || !st?.isFile()) throw new IntegrityError(`${this.what(fromKey)}: no such object.`);
    if (checkKey(toKey) === fromKey) return { key: toKey, size: st.size, written: false };
    const to = (await this.pathOf(toKey, true)) as string;
    try {
      await link(from, to);
    } catch (e) {
      const code = errCode(e);
      if (code === 'EEXIST') return this.moveOntoExisting(fromKey, from, toKey, to);
      if (!code || !NO_HARDLINKS.has(code)) throw e;
      // No hard links here: check then rename (a concurrent writer of the same key could race us).
      if (await this.lstatObject(toKey, to)) return this.moveOntoExisting(fromKey, from, toKey, to);
      await rename(from, to);
      await this.pruneEmptyDirs(fromKey, toKey);
      return { key: toKey, size: st.size, written: true };
    }
    await this.unlinkQuietly(from);
    await this.pruneEmptyDirs(fromKey, toKey);
    return { key: toKey, size: st.size, written: true };
  }

  /** The destination exists: identical → drop the source; different → IntegrityError, nothing touched. */
  private async moveOntoExisting(fromKey: string, from: string, toKey: string, to: string): Promise<MoveResult> {
    const theirs = await this.openObject(toKey, to);
    if (!theirs) throw new IntegrityError(`${this.what(toKey)} exists and is not a regular file; refusing to overwrite.`);
    const ours = await this.openObject(fromKey, from);
    if (!ours) {
      theirs.stream.destroy();
      throw new IntegrityError(`${this.what(fromKey)}: no such object.`);
    }
    const [a, b] = await Promise.all([sha256Of(ours.stream), sha256Of(theirs.stream)]);
    if (a.sha256 !== b.sha256 || a.size !== b.size) {
      throw new IntegrityError(
        `${this.what(toKey)} already exists with different content (sha256 ${b.sha256}, ${b.size} bytes; ` +
          `${this.what(fromKey)}: ${a.sha256}, ${a.size} bytes); refusing to overwrite.`,
      );
    }
    await this.unlinkQuietly(from);
    await this.pruneEmptyDirs(fromKey, toKey);
    return { key: toKey, size: a.size, written: false };
  }

  private async unlinkQuietly(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (e) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
  }

  /** Removes `fromKey`'s parent directories while empty, up to the directory both keys share. */
  private async pruneEmptyDirs(fromKey: string, toKey: string): Promise<void> {
    const src = fromKey.split('/').slice(0, -1);
    const dst = toKey.split('/').slice(0, -1);
    let shared = 0;
    while (shared < src.length && shared < dst.length && src[shared] === dst[shared]) shared++;
    for (let depth = src.length; depth > shared; depth--) {
      try {
        await rmdir(join(this.root, ...src.slice(0, depth)));
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut < 0 ? '' : prefix.slice(0, cut);
    const segments = dirKey === '' ? [] : dirKey.split('/');
    const start = await this.resolveDir(segments, false, prefix);
    if (start === undefined) return;
    yield* this.walk(start, dirKey, prefix);
  }

  /** Depth-first, entries sorted so that keys come out in UTF-8 byte order (as GCS lists them). */
  private async *walk(abs: string, rel: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return;
      throw e;
    }
    const items = entries
      .filter((d) => !d.isSymbolicLink() && !TEMP_NAME.test(d.name))
      .map((d) => ({ name: d.name, dir: d.isDirectory(), sortKey: d.isDirectory() ? `${d.name}/` : d.name }))
      .sort((a, b) => utf8Compare(a.sortKey, b.sortKey));
    for (const item of items) {
      const key = rel ? `${rel}/${item.name}` : item.name;
      if (item.dir) {
        const asDir = `${key}/`;
        if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) yield* this.walk(join(abs, item.name), key, prefix);
        continue;
      }
      if (!key.startsWith(prefix) || keyProblem(key) !== undefined) continue;
      const st = await lstatOrUndefined(join(abs, item.name));
      if (st?.isFile()) yield { key, size: st.size };
    }
  }

  canCopyServerSide(_dest: ExchangeStore): boolean {
    return false;
  }
}

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}
