/**
 * The object stores' own checksums (GCS reports md5 and crc32c, base64), computed while bytes
 * stream through the runner. Needed for bundle files that carry only those (they were copied
 * server-side at export) when the import has to move their bytes itself (a file:// side).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../errors.js';

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as GCS computes it. */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export class Crc32c {
  private crc = 0xffffffff;
  update(buf: Uint8Array): this {
    let c = this.crc;
    for (let i = 0; i < buf.length; i++) c = (CRC32C_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
    this.crc = c;
    return this;
  }
  /** Big-endian, base64: GCS's `crc32c` field. */
  base64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((this.crc ^ 0xffffffff) >>> 0);
    return out.toString('base64');
  }
}

export interface StoreChecksums {
  /** Base64 md5, GCS's `md5Hash`. */
  md5?: string | undefined;
  /** Base64 big-endian crc32c, GCS's `crc32c`. */
  crc32c?: string | undefined;
}

export function gcsChecksumsOf(buf: Buffer): { md5: string; crc32c: string } {
  return { md5: createHash('md5').update(buf).digest('base64'), crc32c: new Crc32c().update(buf).base64() };
}

/**
 * A pass-through that computes the checksums `expected` names and errors at the end (before
 * end-of-stream, so a consumer never finalises a write with wrong bytes) when one differs.
 */
export class ChecksumVerifyingStream extends Transform {
  private readonly md5: Hash | undefined;
  private readonly crc: Crc32c | undefined;

  constructor(
    private readonly expected: StoreChecksums,
    private readonly what: string,
  ) {
    super();
    this.md5 = expected.md5 ? createHash('md5') : undefined;
    this.crc = expected.crc32c ? new Crc32c() : undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.md5?.update(chunk);
    this.crc?.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const md5 = this.md5?.digest('base64');
    const crc = this.crc?.base64();
    if (md5 !== undefined && md5 !== this.expected.md5) {
      cb(new IntegrityError(`${this.what}: md5 is ${md5}, the manifest says ${this.expected.md5}.`));
    } else if (crc !== undefined && crc !== this.expected.crc32c) {
      cb(new IntegrityError(`${this.what}: crc32c is ${crc}, the manifest says ${this.expected.crc32c}.`));
    } else {
      cb();
    }
  }
}
