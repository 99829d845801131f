import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntegrityError } from '../errors.js';
import { readTar, type TarEntry } from './tar-reader.js';
import { bytes, sha256, writeFile } from './test-support.js';

/** The entries with their bodies read, fed in small uneven chunks (as a network would). */
async function entries(tar: Buffer, chunk = 777): Promise<Array<Omit<TarEntry, 'body'> & { data?: Buffer }>> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < tar.length; i += chunk) yield tar.subarray(i, i + chunk);
  }
  const out: Array<Omit<TarEntry, 'body'> & { data?: Buffer }> = [];
  for await (const e of readTar(chunks(), 'test archive')) {
    const { body, ...rest } = e;
    if (body) {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c as Buffer);
      out.push({ ...rest, data: Buffer.concat(parts) });
    } else {
      out.push(rest);
    }
  }
  return out;
}

/** One ustar header block (enough to hand-craft hostile archives). */
function header(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.fill(0x20, 148, 156);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

describe('readTar', () => {
  let dir: string;
  const long = `${'deep/'.repeat(30)}weights-with-a-rather-long-file-name-${'x'.repeat(60)}.bin`;
  const files: Record<string, Buffer> = {
    'model.pkl': bytes(100_000, 7),
    'sub/config.json': Buffer.from('{}'),
    'sub/empty': Buffer.alloc(0),
    [long]: bytes(3_000, 9),
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tar-reader-'));
    for (const [rel, data] of Object.entries(files)) writeFile(join(dir, 'src', rel), data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['pax', 'gnu', 'ustar'])('reads what GNU tar writes (--format=%s), long names included', async (format) => {
    const out = join(dir, `a-${format}.tar`);
    const args = ['-C', join(dir, 'src'), `--format=${format}`, '-cf', out, '.'];
    if (format === 'ustar') {
      // ustar cannot hold the long name: archive the rest.
      args.splice(args.length - 1, 1, 'model.pkl', 'sub');
    }
    execFileSync('tar', args);
    const got = await entries(readFileSync(out));
    const fileEntries = got.filter((e) => e.type === 'file');
    const expected = Object.entries(files).filter(([p]) => format !== 'ustar' || p !== long);
    expect(fileEntries.map((e) => e.path).sort()).toEqual(expected.map(([p]) => p).sort());
    for (const e of fileEntries) {
      expect(e.size).toBe(files[e.path]?.length);
      expect(sha256(e.data as Buffer)).toBe(sha256(files[e.path] as Buffer));
    }
    expect(got.filter((e) => e.type === 'dir').map((e) => e.path)).toContain('sub');
  });

  it('refuses an entry path that escapes the folder', async () => {
    for (const bad of ['../evil', 'a/../../evil', '/etc/passwd', 'a\\b']) {
      const tar = Buffer.concat([header(bad, 1), pad(Buffer.from('x')), Buffer.alloc(1024)]);
      await expect(entries(tar)).rejects.toThrow(/unsafe path/);
    }
  });

  it('reports symlinks as "other" and skips their (empty) data', async () => {
    const tar = Buffer.concat([header('link', 0, '2'), header('f', 2), pad(Buffer.from('ok')), Buffer.alloc(1024)]);
    const got = await entries(tar);
    expect(got.map((e) => [e.path, e.type])).toEqual([
      ['link', 'other'],
      ['f', 'file'],
    ]);
  });

  it('a truncated archive or a corrupted header is an IntegrityError', async () => {
    const whole = Buffer.concat([header('f', 2000), pad(bytes(2000, 1)), Buffer.alloc(1024)]);
    await expect(entries(whole.subarray(0, 1200))).rejects.toThrow(/ends part-way/);
    const corrupt = Buffer.from(whole);
    corrupt[10] = 0x41;
    const e = await entries(corrupt).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntegrityError);
    expect((e as Error).message).toMatch(/checksum/);
  });

  it('a consumer that leaves a body unread cannot silently desynchronise the archive', async () => {
    const tar = Buffer.concat([header('a', 5000), pad(bytes(5000, 2)), header('b', 1), pad(Buffer.from('b')), Buffer.alloc(1024)]);
    async function* once(): AsyncGenerator<Buffer> {
      yield tar;
    }
    const it = readTar(once(), 'test');
    const first = await it.next();
    expect(first.value?.path).toBe('a');
    await expect(it.next()).rejects.toThrow(/not read to its end/);
  });
});
