/**
 * The file:// → file:// copy path (one read, one hash, one write): the same bytes and digests as
 * the streamed path, and on any mismatch nothing under the final name and no temp file left.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
import { FileExchangeStore } from './file-store.js';
import { copyHashed, LocalFileReadable, RING_CHUNK } from './local-file.js';
import { openExchange } from './open.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every file below `dir`, relative, temp files included. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath: string; isFile(): boolean }>)
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

/** Bytes that span several ring buffers and end mid-buffer. */
function body(): Buffer {
  const b = Buffer.alloc(RING_CHUNK * 3 + 12345);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 17) % 251;
  return b;
}

describe('file:// → file:// copy in one pass', () => {
  let base: string;
  let src: FileExchangeStore;
  let dest: FileExchangeStore;
  const data = body();

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), 'local-file-test-'));
    src = (await openExchange(join(base, 'src'))) as FileExchangeStore;
    dest = (await openExchange(join(base, 'dest'))) as FileExchangeStore;
    await src.put('a/model.bin', data);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('get returns a local file stream, and put copies it byte for byte with its sha256 and progress on both sides', async () => {
    const got: number[] = [];
    const put: number[] = [];
    const stream = await src.get('a/model.bin', { expectedSize: data.length, expectedSha256: sha(data), onProgress: (n) => got.push(n) });
    expect(stream).toBeInstanceOf(LocalFileReadable);
    const r = await dest.put('b/model.bin', stream, { expectedSize: data.length, expectedSha256: sha(data), onProgress: (n) => put.push(n) });
    expect(r).toEqual({ key: 'b/model.bin', size: data.length, sha256: sha(data), written: true });
    expect(readFileSync(join(base, 'dest', 'b', 'model.bin')).equals(data)).toBe(true);
    expect(got.at(-1)).toBe(data.length);
    expect(put.at(-1)).toBe(data.length);
    expect(filesUnder(join(base, 'dest'))).toEqual(['b/model.bin']);
    expect(statSync(join(base, 'dest', 'b', 'model.bin')).mode & 0o777).toBe(0o644);
  });

  it('the portable path (ring of buffers, no kernel copy) gives the same bytes and digest, and checks the same way', async () => {
    const dir = join(base, 'ring');
    mkdirSync(dir);
    const copy = async (checks: { expectedSha256?: string }): Promise<{ sha256: string; size: number }> => {
      const src = await open(join(base, 'src', 'a', 'model.bin'), 'r');
      const dest = await open(join(dir, 'out.bin'), 'w');
      try {
        return await copyHashed({ kind: 'file', handle: src, checks: { what: 'src', expectedSize: data.length, ...checks } }, dest, { what: 'dest' }, { kernel: false });
      } finally {
        await dest.close();
      }
    };
    expect(await copy({})).toEqual({ sha256: sha(data), size: data.length });
    expect(readFileSync(join(dir, 'out.bin')).equals(data)).toBe(true);
    const wrong = sha(Buffer.from('z'));
    await expect(copy({ expectedSha256: wrong })).rejects.toThrow(`src: sha256 is ${sha(data)}, expected ${wrong}.`);
  });

  it('a sha256 the bytes do not have: IntegrityError naming the source, nothing at the key, no temp file', async () => {
    const wrong = sha(Buffer.from('something else'));
    const stream = await src.get('a/model.bin', { expectedSize: data.length, expectedSha256: wrong });
    const err = await dest.put('b/model.bin', stream, { expectedSize: data.length, expectedSha256: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(`${src.uri}/a/model.bin: sha256 is ${sha(data)}, expected ${wrong}.`);
    expect(filesUnder(join(base, 'dest'))).toEqual([]);
    expect(await dest.exists('b/model.bin')).toBe(false);
  });

  it("a mismatch only the put's expectations catch (no sha256 asked of the get) leaves nothing either", async () => {
    const wrong = sha(Buffer.from('x'));
    const stream = await src.get('a/model.bin', { expectedSize: data.length });
    await expect(dest.put('b/model.bin', stream, { expectedSha256: wrong })).rejects.toThrow(
      new IntegrityError(`${dest.uri}/b/model.bin: sha256 is ${sha(data)}, expected ${wrong}.`),
    );
    expect(filesUnder(join(base, 'dest'))).toEqual([]);
  });

  it('a source that grows after get checked its size: refused as it reads, nothing left', async () => {
    const stream = await src.get('a/model.bin', { expectedSize: data.length });
    appendFileSync(join(base, 'src', 'a', 'model.bin'), 'more');
    await expect(dest.put('b/model.bin', stream)).rejects.toThrow(`${src.uri}/a/model.bin: more than the expected ${data.length} bytes.`);
    expect(filesUnder(join(base, 'dest'))).toEqual([]);
  });

  it('a source that shrinks after get checked its size: refused at the end, nothing left', async () => {
    const stream = await src.get('a/model.bin', { expectedSize: data.length });
    writeFileSync(join(base, 'src', 'a', 'model.bin'), data.subarray(0, 100));
    await expect(dest.put('b/model.bin', stream)).rejects.toThrow(`${src.uri}/a/model.bin: size is 100 bytes, expected ${data.length}.`);
    expect(filesUnder(join(base, 'dest'))).toEqual([]);
  });

  it('a stream source that fails midway leaves no temp file', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield data.subarray(0, RING_CHUNK);
      throw new Error('connection lost');
    }
    await expect(dest.put('b/model.bin', Readable.from(failing()))).rejects.toThrow('connection lost');
    expect(filesUnder(join(base, 'dest'))).toEqual([]);
  });

  it('a local file stream read as a plain stream still checks its size and sha256 at the end', async () => {
    const wrong = sha(Buffer.from('y'));
    const stream = await src.get('a/model.bin', { expectedSha256: wrong });
    const chunks: Buffer[] = [];
    await expect(
      (async () => {
        for await (const c of stream) chunks.push(c as Buffer);
      })(),
    ).rejects.toThrow(`sha256 is ${sha(data)}, expected ${wrong}`);
    const ok = await src.get('a/model.bin', { expectedSha256: sha(data), expectedSize: data.length });
    const all: Buffer[] = [];
    for await (const c of ok) all.push(c as Buffer);
    expect(Buffer.concat(all).equals(data)).toBe(true);
  });

  it('an identical object already at the key: written false, the source hashed once and compared', async () => {
    await dest.put('b/model.bin', data);
    const r = await dest.put('b/model.bin', await src.get('a/model.bin', { expectedSize: data.length }));
    expect(r).toEqual({ key: 'b/model.bin', size: data.length, sha256: sha(data), written: false });
  });
});
