/**
 * Just enough ZIP for the hand-off: write one small archive, and read the archives the service
 * holds — ours, and those GitHub's artifact library wrote for earlier versions of this action
 * (deflate with data descriptors). No ZIP64, no encryption: a manifest needs neither, and an
 * archive that uses them is refused rather than half-read.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The path inside the archive, `/`-separated, as stored. */
  name: string;
  kind: 'file' | 'dir' | 'other';
  /** Uncompressed bytes (empty for a directory or other entry). */
  data: Buffer;
}

/** What is wrong with an archive; the caller words it for the user. */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_NAMES = 0x0800;
/** Far above any manifest; stops a crafted archive from inflating into the runner's memory. */
const MAX_TOTAL = 64 * 1024 * 1024;

export function writeZip(files: readonly { name: string; data: Buffer }[], mtime = new Date()): Buffer {
  const { time, date } = dosDateTime(mtime);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * Every entry, from the central directory (the local headers of a streamed archive carry no
 * sizes), each checked against its CRC. Entry names are returned as stored: the caller decides
 * where they may go.
 */
export function readZip(buf: Buffer): ZipEntry[] {
  const end = findEnd(buf);
  const count = buf.readUInt16LE(end + 10);
  const cdSize = buf.readUInt32LE(end + 12);
  const cdOffset = buf.readUInt32LE(end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > end) throw new ZipFormatError('the central directory lies outside the archive');
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    need(buf, p, 46);
    if (buf.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError('a central directory entry is corrupt');
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const packedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    const mode = buf.readUInt32LE(p + 38) >>> 16;
    const localAt = buf.readUInt32LE(p + 42);
    need(buf, p + 46, skip);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString(flags & UTF8_NAMES ? 'utf8' : 'latin1');
    p += 46 + skip;

    const type = madeBy === 3 ? mode & 0o170000 : 0;
    if (name.endsWith('/') || type === 0o040000) {
      entries.push({ name, kind: 'dir', data: Buffer.alloc(0) });
      continue;
    }
    if (type !== 0 && type !== 0o100000) {
      entries.push({ name, kind: 'other', data: Buffer.alloc(0) }); // a symlink, a device: never written out
      continue;
    }
    if (flags & 0x0001) throw new ZipFormatError(`${name} is encrypted`);
    if (size === 0xffffffff || packedSize === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
    total += size;
    if (total > MAX_TOTAL) throw new ZipFormatError(`it unpacks to more than ${MAX_TOTAL} bytes`);
    const data = unpack(buf, localAt, packedSize, size, method, name);
    if (crc32(data) !== crc) throw new ZipFormatError(`${name} does not match its CRC-32`);
    entries.push({ name, kind: 'file', data });
  }
  return entries;
}

function unpack(buf: Buffer, localAt: number, packedSize: number, size: number, method: number, name: string): Buffer {
  need(buf, localAt, 30);
  if (buf.readUInt32LE(localAt) !== LOCAL) throw new ZipFormatError(`the local header of ${name} is corrupt`);
  const start = localAt + 30 + buf.readUInt16LE(localAt + 26) + buf.readUInt16LE(localAt + 28);
  need(buf, start, packedSize);
  const packed = buf.subarray(start, start + packedSize);
  let data: Buffer;
  if (method === 0) data = Buffer.from(packed);
  else if (method === 8) {
    try {
      // One byte of slack, so that data longer than declared is caught below instead of cut.
      data = inflateRawSync(packed, { maxOutputLength: size + 1 });
    } catch {
      throw new ZipFormatError(`${name} does not inflate`);
    }
  } else throw new ZipFormatError(`${name} uses compression method ${method}, which is not supported`);
  if (data.length !== size) throw new ZipFormatError(`${name} is not the size its header declares`);
  return data;
}

/** The end-of-central-directory record: the last 22 bytes, unless an archive comment follows it. */
function findEnd(buf: Buffer): number {
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 0xffff); p--) {
    if (buf.readUInt32LE(p) === END) return p;
  }
  throw new ZipFormatError('it is not a ZIP archive');
}

function need(buf: Buffer, at: number, len: number): void {
  if (at + len > buf.length) throw new ZipFormatError('it is truncated');
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** zlib.crc32 is newer than the oldest Node 20 a runner may have, so the table is built here. */
let table: Uint32Array | undefined;
function crc32(data: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
