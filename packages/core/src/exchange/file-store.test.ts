import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { IntegrityError } from '../errors.js';
import { openExchange } from './open.js';
import { BAD_KEYS } from './test-keys.js';
import type { ExchangeStore, ObjectInfo } from './types.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listAll(store: ExchangeStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}

/** Every file below `dir`, relative, including temp files. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath: string; isFile(): boolean }>)
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('file:// exchange store', () => {
  let base: string;
  let root: string;
  let store: ExchangeStore;

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), 'exchange-file-'));
    root = join(base, 'exchange');
    store = await openExchange(`file://${root}`);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('round-trips a buffer and a stream with sha256, size and progress', async () => {
    const body = Buffer.from('weights '.repeat(50_000));
    const progress: number[] = [];
    const put = await store.put('models/m/v1/weights.bin', body, { onProgress: (n) => progress.push(n) });
    expect(put).toEqual({ key: 'models/m/v1/weights.bin', size: body.length, sha256: sha(body), written: true });
    expect(progress.at(-1)).toBe(body.length);
    expect(readFileSync(join(root, 'models/m/v1/weights.bin'))).toEqual(body);

    const put2 = await store.put('models/m/v1/manifest.json', Readable.from(['{"a":', '1}']), {
      expectedSha256: sha('{"a":1}'),
      expectedSize: 7,
    });
    expect(put2.written).toBe(true);

    const got: number[] = [];
    const r = await store.get('models/m/v1/weights.bin', { expectedSha256: sha(body), expectedSize: body.length, onProgress: (n) => got.push(n) });
    expect(await readAll(r)).toEqual(body);
    expect(got.at(-1)).toBe(body.length);
    expect(await store.stat('models/m/v1/weights.bin')).toEqual({ key: 'models/m/v1/weights.bin', size: body.length });
    expect(await store.exists('models/m/v1/manifest.json')).toBe(true);
  });

  it('put of an identical object writes nothing; a different one is refused and nothing is overwritten', async () => {
    await store.put('a/b.txt', Buffer.from('one'));
    const again = await store.put('a/b.txt', Readable.from([Buffer.from('o'), Buffer.from('ne')]));
    expect(again).toEqual({ key: 'a/b.txt', size: 3, sha256: sha('one'), written: false });

    const err = await store.put('a/b.txt', Buffer.from('two')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/a\/b\.txt already exists with different content .*refusing to overwrite/);
    expect(readFileSync(join(root, 'a/b.txt'), 'utf8')).toBe('one');
    expect(filesUnder(root)).toEqual(['a/b.txt']);
  });

  it('an expected sha256 or size mismatch is an IntegrityError and leaves nothing behind', async () => {
    await expect(store.put('x/y', Buffer.from('data'), { expectedSha256: sha('other') })).rejects.toThrow(
      /x\/y: sha256 is .*, expected /,
    );
    await expect(store.put('x/y', Readable.from([Buffer.from('data')]), { expectedSize: 3 })).rejects.toThrow(IntegrityError);
    await expect(store.put('x/y', Buffer.from('data'), { expectedSize: 5 })).rejects.toThrow(/size is 4 bytes, expected 5/);
    await expect(store.put('x/y', Buffer.from('data'), { expectedSha256: 'not-hex' })).rejects.toThrow(IntegrityError);
    expect(filesUnder(root)).toEqual([]);
  });

  it('an aborted source (a crash mid-stream) leaves no file under the final key, nor a temp file', async () => {
    let sent = 0;
    const source = new Readable({
      read() {
        sent++;
        if (sent <= 3) this.push(Buffer.alloc(64 * 1024, sent));
        else this.destroy(new Error('connection lost'));
      },
    });
    await expect(store.put('big/file.bin', source)).rejects.toThrow('connection lost');
    expect(existsSync(join(root, 'big/file.bin'))).toBe(false);
    expect(filesUnder(root)).toEqual([]);
    expect(await store.stat('big/file.bin')).toBeUndefined();
  });

  it('in-progress temp files are never listed, and a crash leaves only one of those', async () => {
    await store.put('d/real', Buffer.from('r'));
    writeFileSync(join(root, 'd', '.exchange-0123456789abcdef.partial'), 'half');
    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['d/real']);
  });

  it("a re-run's write removes temp files of killed writers on this host, and leaves live writers' alone", async () => {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
    mkdirSync(join(root, 'run'), { recursive: true });
    const killed = `.exchange-${host}-${dead}-0123456789abcdef.partial`;
    const live = `.exchange-${host}-${process.ppid}-fedcba9876543210.partial`;
    const otherHost = `.exchange-00000000-${dead}-0011223344556677.partial`;
    for (const n of [killed, live, otherHost]) writeFileSync(join(root, 'run', n), 'half');
    await store.put('run/model.bin', Buffer.from('whole'));
    expect(readdirSync(join(root, 'run')).sort()).toEqual([live, otherHost, 'model.bin'].sort());
  });

  it('a re-run that only finds the object complete (killed between publishing and removing the temp) still clears the temp', async () => {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await store.put('done/manifest.json', Buffer.from('{}'));
    const killed = `.exchange-${host}-${dead}-0123456789abcdef.partial`;
    writeFileSync(join(root, 'done', killed), '{}');
    const rerun = await openExchange(`file://${root}`); // a new process: nothing swept yet
    expect(await rerun.exists('done/manifest.json')).toBe(true);
    expect(readdirSync(join(root, 'done'))).toEqual(['manifest.json']);
  });

  it('get with a wrong expected digest fails the stream with IntegrityError; a wrong size fails up front', async () => {
    await store.put('k', Buffer.from('content'));
    const r = await store.get('k', { expectedSha256: sha('something else') });
    await expect(readAll(r)).rejects.toThrow(IntegrityError);
    await expect(store.get('k', { expectedSize: 1 })).rejects.toThrow(/size is 7 bytes, expected 1/);
    await expect(store.get('missing')).rejects.toThrow(/missing: no such object/);
  });

  it('missing keys: stat undefined, exists false, delete is a no-op; delete removes', async () => {
    expect(await store.stat('nope/nothing')).toBeUndefined();
    expect(await store.exists('nope')).toBe(false);
    await store.delete('nope/nothing');
    await store.put('gone', Buffer.from('x'));
    await store.delete('gone');
    expect(await store.exists('gone')).toBe(false);
    expect(await listAll(store, '')).toEqual([]);
  });

  it('move: link then unlink, empty source folders pruned; identical destination → written:false; different → refused', async () => {
    await store.put('m/.staging/id/artifacts/a/x/f.bin', Buffer.from('one'));
    await store.put('m/.staging/id/artifacts/a/keep', Buffer.from('k'));
    const r = await store.move!('m/.staging/id/artifacts/a/x/f.bin', 'm/d1/artifacts/a/x/f.bin');
    expect(r).toEqual({ key: 'm/d1/artifacts/a/x/f.bin', size: 3, written: true });
    expect(readFileSync(join(root, 'm/d1/artifacts/a/x/f.bin'), 'utf8')).toBe('one');
    expect(existsSync(join(root, 'm/.staging/id/artifacts/a/x'))).toBe(false);
    expect(existsSync(join(root, 'm/.staging/id/artifacts/a/keep'))).toBe(true);

    // Identical object already there (e.g. a crash between link and unlink): the source just goes.
    await store.put('s/g.bin', Buffer.from('one'));
    expect(await store.move!('s/g.bin', 'm/d1/artifacts/a/x/f.bin')).toEqual({ key: 'm/d1/artifacts/a/x/f.bin', size: 3, written: false });
    expect(existsSync(join(root, 's'))).toBe(false);

    // Different content: nothing overwritten, source kept.
    await store.put('s/h.bin', Buffer.from('two'));
    await expect(store.move!('s/h.bin', 'm/d1/artifacts/a/x/f.bin')).rejects.toThrow(/already exists with different content.*refusing to overwrite/);
    expect(readFileSync(join(root, 'm/d1/artifacts/a/x/f.bin'), 'utf8')).toBe('one');
    expect(readFileSync(join(root, 's/h.bin'), 'utf8')).toBe('two');

    await expect(store.move!('s/missing', 'x/y')).rejects.toThrow(/s\/missing: no such object/);
    await expect(store.move!('s/h.bin', '../escape')).rejects.toThrow(IntegrityError);
    expect(filesUnder(root)).toEqual(['m/.staging/id/artifacts/a/keep', 'm/d1/artifacts/a/x/f.bin', 's/h.bin']);
  });

  it('lists by string prefix, in key order', async () => {
    for (const k of ['m/v1/b', 'm/v1/a', 'm/v10/a', 'm/v1.txt', 'n/x', 'm/v2/c/d']) await store.put(k, Buffer.from(k));
    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['m/v1.txt', 'm/v1/a', 'm/v1/b', 'm/v10/a', 'm/v2/c/d', 'n/x']);
    expect((await listAll(store, 'm/v1/')).map((o) => o.key)).toEqual(['m/v1/a', 'm/v1/b']);
    expect((await listAll(store, 'm/v1')).map((o) => o.key)).toEqual(['m/v1.txt', 'm/v1/a', 'm/v1/b', 'm/v10/a']);
    expect(await listAll(store, 'm/v2/')).toEqual([{ key: 'm/v2/c/d', size: 8 }]);
    expect(await listAll(store, 'zzz/')).toEqual([]);
    const empty = await openExchange(join(base, 'does-not-exist'));
    expect(await listAll(empty, '')).toEqual([]);
  });

  describe('traversal guard', () => {
    it.each(BAD_KEYS)('refuses key (%s) in every operation', async (_label, key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(IntegrityError);
      await expect(store.get(key)).rejects.toThrow(IntegrityError);
      await expect(store.stat(key)).rejects.toThrow(IntegrityError);
      await expect(store.exists(key)).rejects.toThrow(IntegrityError);
      await expect(store.delete(key)).rejects.toThrow(IntegrityError);
    });

    it('does not follow a symlinked directory out of the root', async () => {
      const outside = join(base, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret'), 'secret');
      mkdirSync(root, { recursive: true });
      symlinkSync(outside, join(root, 'link'));
      await expect(store.get('link/secret')).rejects.toThrow(/'link' is a symlink/);
      await expect(store.stat('link/secret')).rejects.toThrow(/'link' is a symlink/);
      await expect(store.put('link/new', Buffer.from('x'))).rejects.toThrow(/'link' is a symlink/);
      expect(readdirSync(outside)).toEqual(['secret']);
      expect(await listAll(store, '')).toEqual([]);
    });

    it('refuses to read a key that is a symlink, and does not list it', async () => {
      const outside = join(base, 'outside.txt');
      writeFileSync(outside, 'secret');
      await store.put('dir/ok', Buffer.from('ok'));
      symlinkSync(outside, join(root, 'dir', 'evil'));
      await expect(store.get('dir/evil')).rejects.toThrow(/dir\/evil is a symlink/);
      await expect(store.stat('dir/evil')).rejects.toThrow(IntegrityError);
      await expect(store.put('dir/evil', Buffer.from('secret'))).rejects.toThrow(IntegrityError);
      expect(readFileSync(outside, 'utf8')).toBe('secret');
      expect((await listAll(store, 'dir/')).map((o) => o.key)).toEqual(['dir/ok']);
    });
  });

  it('streams a 20 MiB generated source and reads it back with bounded memory', async () => {
    // gc() on demand, so that the measure is what is retained, not garbage awaiting collection.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const CHUNK = 256 * 1024;
    const TOTAL = 20 * 1024 * 1024;
    const expected = createHash('sha256');
    function* chunks(): Generator<Buffer> {
      for (let i = 0; i < TOTAL / CHUNK; i++) {
        const b = Buffer.alloc(CHUNK, i % 251);
        expected.update(b);
        yield b;
      }
    }
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let lastSample = 0;
    const sample = (n: number): void => {
      if (n - lastSample < 4 * 1024 * 1024) return;
      lastSample = n;
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    };
    const put = await store.put('big/20m.bin', Readable.from(chunks()), { onProgress: sample });
    expect(put.size).toBe(TOTAL);
    expect(put.sha256).toBe(expected.digest('hex'));

    lastSample = 0;
    const r = await store.get('big/20m.bin', { expectedSha256: put.sha256, expectedSize: TOTAL, onProgress: sample });
    let read = 0;
    for await (const c of r) read += (c as Buffer).length;
    expect(read).toBe(TOTAL);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});
