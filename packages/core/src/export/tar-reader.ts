/**
 * A streaming tar reader: entries come out one at a time with their body as a stream of the
 * archive's own chunks, so an archive of any size passes through in constant memory. Reads POSIX
 * ustar, pax extended headers (`x`: path, size; `g` ignored) and GNU long names (`L`), which is
 * what Python's tarfile (the ZenML server) and GNU tar write. Entry paths are checked to be safe
 * relative keys: an archive cannot name anything outside the artifact's folder.
 */
import { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
import { keyProblem } from '../exchange/keys.js';

const BLOCK = 512;

export interface TarEntry {
  /** Relative POSIX path, without './' or a trailing '/'. */
  path: string;
  type: 'file' | 'dir' | 'other';
  /** The raw type flag, for messages ('2' symlink, '1' hard link, ...). */
  typeflag: string;
  size: number;
  /** Files only. Must be consumed (or destroyed) before asking for the next entry. */
  body?: Readable;
}

/** Exact-length reads over an async iterable of chunks, without copying more than needed. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
      } else if (r.value.length) {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
  }

  /** n bytes; undefined at a clean end of input; IntegrityError when it ends part-way. */
  async exact(n: number, what: string): Promise<Buffer | undefined> {
    await this.fill(n);
    if (this.buffered === 0) return undefined;
    if (this.buffered < n) throw truncated(what);
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Buffer;
      const take = Math.min(c.length, n - off);
      c.copy(out, off, 0, take);
      off += take;
      this.consume(take);
    }
    return out;
  }

  private consume(n: number): void {
    const c = this.chunks[0] as Buffer;
    if (n === c.length) this.chunks.shift();
    else this.chunks[0] = c.subarray(n);
    this.buffered -= n;
  }

  /** Up to `n` bytes in the chunks they arrived in (split at the end); `state.left` counts down. */
  async *take(state: { left: number }, what: string): AsyncGenerator<Buffer> {
    while (state.left > 0) {
      if (this.buffered === 0) await this.fill(1);
      if (this.buffered === 0) throw truncated(what);
      const c = this.chunks[0] as Buffer;
      const n = Math.min(c.length, state.left);
      const piece = n === c.length ? c : c.subarray(0, n);
      this.consume(n);
      state.left -= n;
      yield piece;
    }
  }

  async skip(n: number, what: string): Promise<void> {
    const state = { left: n };
    for await (const _ of this.take(state, what)) void _;
  }
}

function truncated(what: string): IntegrityError {
  return new IntegrityError(`${what}: the archive ends part-way through an entry (truncated download?).`);
}

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return (nul < 0 ? raw : raw.subarray(0, nul)).toString('utf8');
}

/** Octal, or GNU base-256 (high bit set) for sizes over 8 GiB. */
function numeric(h: Buffer, off: number, len: number, what: string): number {
  const first = h[off] as number;
  if (first & 0x80) {
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (h[off + i] as number);
    if (!Number.isSafeInteger(v)) throw new IntegrityError(`${what}: a size field is too large.`);
    return v;
  }
  const text = field(h, off, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new IntegrityError(`${what}: not a tar archive (bad numeric field '${text.slice(0, 12)}').`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer, what: string): boolean {
  const stored = numeric(h, 148, 8, what);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
  return sum === stored;
}

/** pax records: "<len> <key>=<value>\n" repeated. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = parseInt(data.subarray(off, sp).toString('ascii'), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || off + len > data.length) break;
    const rec = data.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

function cleanPath(raw: string, what: string): string | undefined {
  let p = raw;
  while (p.startsWith('./')) p = p.slice(2);
  while (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '' || p === '.') return undefined; // the archive's root folder
  const problem = keyProblem(p);
  if (problem) throw new IntegrityError(`${what}: the archive holds an unsafe path ${JSON.stringify(p.slice(0, 120))} (it ${problem}); refusing it.`);
  return p;
}

/**
 * Entries of an uncompressed tar stream. The caller must finish with each file's body (read it to
 * the end, or destroy it) before pulling the next entry; unread bytes are skipped.
 */
export async function* readTar(source: AsyncIterable<Buffer>, what: string): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  let longName: string | undefined;
  for (;;) {
    const h = await reader.exact(BLOCK, what);
    if (!h) return; // no end-of-archive blocks: tolerated
    if (h.every((b) => b === 0)) return;
    if (!checksumOk(h, what)) throw new IntegrityError(`${what}: not a tar archive, or a corrupted one (header checksum mismatch).`);
    const typeflag = String.fromCharCode(h[156] as number);
    let size = numeric(h, 124, 12, what);
    const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size > 16 * 1024 * 1024) throw new IntegrityError(`${what}: an extended header of ${size} bytes is not plausible.`);
      const data = (await reader.exact(padded(size), what)) ?? Buffer.alloc(0);
      const body = data.subarray(0, size);
      if (typeflag === 'x') {
        const pax = parsePax(body);
        if (pax.path !== undefined) paxPath = pax.path;
        if (pax.size !== undefined && /^\d+$/.test(pax.size)) paxSize = Number(pax.size);
      } else if (typeflag === 'L') {
        longName = field(body, 0, body.length);
      }
      continue;
    }

    const magic = h.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? field(h, 345, 155) : '';
    const name = field(h, 0, 100);
    const rawPath = paxPath ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    if (paxSize !== undefined) size = paxSize;
    paxPath = undefined;
    paxSize = undefined;
    longName = undefined;

    const type: TarEntry['type'] = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'dir' : 'other';
    const path = cleanPath(rawPath, what);
    const dataBytes = type === 'dir' ? 0 : size;
    if (path === undefined || type !== 'file') {
      await reader.skip(padded(dataBytes), what);
      if (path !== undefined) yield { path, type, typeflag, size: dataBytes };
      continue;
    }
    const state = { left: size };
    const body = Readable.from(reader.take(state, `${what}: ${path}`), { objectMode: false });
    try {
      yield { path, type, typeflag, size, body };
    } finally {
      if (!body.destroyed && state.left > 0) body.destroy();
    }
    // The body may have been read ahead into the stream's buffer, but never past the entry's end.
    if (state.left > 0) throw new Error(`BUG: ${what}: the body of ${path} was not read to its end before the next entry.`);
    await reader.skip(padded(size) - size, what);
  }
}
