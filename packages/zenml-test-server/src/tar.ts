/**
 * A minimal POSIX ustar writer (+ gzip) for `GET /artifact_versions/{id}/data`,
 * which returns a `.tar.gz` of the files under the version's `uri` (API.md §4.5).
 * Regular files and directories only; names longer than 100 bytes use the
 * ustar `prefix` field.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Relative path with `/` separators; directories end without a slash. */
  name: string;
  type: 'file' | 'dir';
  data?: Buffer;
  mode?: number;
  mtime?: number;
}

const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, text: string): void {
  buf.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits then NUL, as most tar implementations write them
  writeString(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`tar: path too long for ustar: ${name}`);
}

function header(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const fullName = entry.type === 'dir' ? `${entry.name}/` : entry.name;
  const { prefix, name } = splitName(fullName);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644));
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, Math.floor(entry.mtime ?? Date.now() / 1000));
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write(entry.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 265, 32, 'root');
  writeString(h, 297, 32, 'root');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export function tarBuffer(entries: TarEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    chunks.push(header(e, data.length));
    if (data.length) {
      chunks.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) chunks.push(Buffer.alloc(pad, 0));
    }
  }
  chunks.push(Buffer.alloc(BLOCK * 2, 0)); // end-of-archive marker
  return Buffer.concat(chunks);
}

/** Entries for a local path: a file becomes one entry, a directory its whole tree (sorted). */
export function entriesFromPath(root: string): TarEntry[] {
  const st = statSync(root);
  if (st.isFile()) {
    return [{ name: basename(root), type: 'file', data: readFileSync(root), mtime: st.mtimeMs / 1000 }];
  }
  const out: TarEntry[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const s = statSync(abs);
      if (s.isDirectory()) {
        out.push({ name: relPath, type: 'dir', mtime: s.mtimeMs / 1000 });
        walk(abs, relPath);
      } else if (s.isFile()) {
        out.push({ name: relPath, type: 'file', data: readFileSync(abs), mtime: s.mtimeMs / 1000 });
      }
    }
  };
  walk(root, '');
  return out;
}

export function tarGz(entries: TarEntry[]): Buffer {
  return gzipSync(tarBuffer(entries));
}

/** Reads a (gunzipped) tar back: used by tests and handy for demos. */
export function readTar(tar: Buffer): Array<{ name: string; type: 'file' | 'dir'; data: Buffer }> {
  const out: Array<{ name: string; type: 'file' | 'dir'; data: Buffer }> = [];
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const str = (s: number, l: number): string => h.subarray(s, s + l).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const prefix = str(345, 155);
    let name = str(0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const type = str(156, 1) === '5' ? 'dir' : 'file';
    off += BLOCK;
    out.push({ name: name.replace(/\/$/, ''), type, data: Buffer.from(tar.subarray(off, off + size)) });
    off += Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}
