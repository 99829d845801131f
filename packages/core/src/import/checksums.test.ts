import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ChecksumVerifyingStream, Crc32c, gcsChecksumsOf } from './checksums.js';

describe('store checksums', () => {
  it('crc32c matches the Castagnoli check value and is reported as GCS does (big-endian base64)', () => {
    const c = new Crc32c().update(Buffer.from('123456789'));
    expect(Buffer.from(c.base64(), 'base64').readUInt32BE()).toBe(0xe3069283);
    // Incremental updates give the same value as one.
    const parts = new Crc32c().update(Buffer.from('1234')).update(Buffer.from('56789'));
    expect(parts.base64()).toBe(c.base64());
    expect(gcsChecksumsOf(Buffer.alloc(0)).crc32c).toBe('AAAAAA==');
    expect(gcsChecksumsOf(Buffer.from('x')).md5).toBe(createHash('md5').update('x').digest('base64'));
  });

  it('the verifying stream passes matching bytes and fails before the end on a mismatch', async () => {
    const data = Buffer.from('some bytes'.repeat(1000));
    const ok = gcsChecksumsOf(data);
    const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(Readable.from([data]), new ChecksumVerifyingStream(ok, 'x'), sink());
    await expect(pipeline(Readable.from([data]), new ChecksumVerifyingStream({ crc32c: ok.crc32c, md5: 'AAAA' }, 'x'), sink())).rejects.toThrow(
      /x: md5 is .*, the manifest says AAAA/,
    );
    await expect(pipeline(Readable.from([data]), new ChecksumVerifyingStream({ crc32c: 'AAAAAA==' }, 'x'), sink())).rejects.toThrow(/crc32c/);
  });
});
