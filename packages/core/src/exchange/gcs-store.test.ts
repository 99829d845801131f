/**
 * gs:// store against the real Cloud Storage emulator (firebase-tools, in-process). The emulator
 * ignores `ifGenerationMatch`, so the "created by someone else between our look and our write"
 * path is covered in gcs-precondition.test.ts with a fake client, and at the end of this file
 * with the real client through a small HTTP front that adds the 412 the emulator lacks.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CRC32C, Storage } from '@google-cloud/storage';
import { startGcsEmulator, type GcsEmulator } from '../../../../test/peers/gcs-emulator.js';
import { IntegrityError } from '../errors.js';
import { openExchange } from './open.js';
import { BAD_KEYS } from './test-keys.js';
import type { ExchangeStore, ObjectInfo } from './types.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const crc32c = (b: Buffer): string => {
  const c = new CRC32C();
  c.update(b);
  return c.toString();
};

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

describe('gs:// exchange store (GCS emulator)', () => {
  let emu: GcsEmulator;
  let storage: Storage;
  let n = 0;
  /** A fresh prefix per test, so tests don't see each other's objects. */
  const open = (bucket = 'exchange-a', sub = ''): Promise<ExchangeStore> =>
    openExchange(`gs://${bucket}/t${++n}${sub}`, { storage });

  beforeAll(async () => {
    emu = await startGcsEmulator();
    storage = new Storage({ apiEndpoint: emu.host, projectId: emu.projectId });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('round-trips small (simple) and large (resumable) objects with sha256, md5 and crc32c', async () => {
    const store = await open();
    const small = Buffer.from('{"manifest":true}\n');
    const putSmall = await store.put('v1/manifest.json', small);
    expect(putSmall).toEqual({ key: 'v1/manifest.json', size: small.length, sha256: sha(small), written: true });

    const big = Buffer.alloc(9 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const progress: number[] = [];
    const putBig = await store.put('v1/weights.bin', Readable.from(chunksOf(big, 300_000)), { onProgress: (b) => progress.push(b) });
    expect(putBig).toMatchObject({ size: big.length, sha256: sha(big), written: true });
    expect(progress.at(-1)).toBe(big.length);

    expect(await store.stat('v1/weights.bin')).toEqual({
      key: 'v1/weights.bin',
      size: big.length,
      sha256: sha(big),
      md5: md5(big),
      crc32c: crc32c(big),
    });
    const read: number[] = [];
    const r = await store.get('v1/weights.bin', { expectedSha256: sha(big), expectedSize: big.length, onProgress: (b) => read.push(b) });
    expect((await readAll(r)).equals(big)).toBe(true);
    expect(read.at(-1)).toBe(big.length);
    expect(await readAll(await store.get('v1/manifest.json', { expectedSha256: sha(small) }))).toEqual(small);
  });

  it('put identical twice → written:false; different content → IntegrityError, original kept', async () => {
    const store = await open();
    await store.put('a.txt', Buffer.from('same'));
    expect(await store.put('a.txt', Readable.from([Buffer.from('sa'), Buffer.from('me')]))).toEqual({
      key: 'a.txt',
      size: 4,
      sha256: sha('same'),
      written: false,
    });
    await expect(store.put('a.txt', Buffer.from('different'))).rejects.toThrow(/a\.txt already exists with different content/);
    expect((await readAll(await store.get('a.txt'))).toString()).toBe('same');
  });

  it('compares with an existing object that has no recorded sha256 by hashing it', async () => {
    const store = await open();
    const uri = new URL(store.uri.replace('gs://', 'http://'));
    await storage.bucket(uri.host).file(`${uri.pathname.slice(1)}/foreign.bin`).save(Buffer.from('foreign'), { resumable: false });
    expect((await store.stat('foreign.bin'))?.sha256).toBeUndefined();
    expect((await store.put('foreign.bin', Buffer.from('foreign'))).written).toBe(false);
    await expect(store.put('foreign.bin', Buffer.from('foreigN'))).rejects.toThrow(IntegrityError);
  });

  it('lists by prefix relative to the store, skipping folder placeholders, in key order', async () => {
    const store = await open();
    for (const k of ['m/v1/b', 'm/v1/a', 'm/v10/a', 'n/x']) await store.put(k, Buffer.from(k));
    const uri = new URL(store.uri.replace('gs://', 'http://'));
    await storage.bucket(uri.host).file(`${uri.pathname.slice(1)}/m/v1/`).save('', { resumable: false });
    const all = await listAll(store, '');
    expect(all.map((o) => o.key)).toEqual(['m/v1/a', 'm/v1/b', 'm/v10/a', 'n/x']);
    expect(all[0]).toMatchObject({ size: 6, sha256: sha('m/v1/a'), md5: md5(Buffer.from('m/v1/a')) });
    expect((await listAll(store, 'm/v1/')).map((o) => o.key)).toEqual(['m/v1/a', 'm/v1/b']);
    expect((await listAll(store, 'm/v1')).map((o) => o.key)).toEqual(['m/v1/a', 'm/v1/b', 'm/v10/a']);
    expect(await listAll(store, 'zzz/')).toEqual([]);
  });

  it('copies server-side between stores (other bucket), with equal md5 and crc32c', async () => {
    const src = await open('exchange-a');
    const dst = await open('exchange-b', '/promoted');
    const body = Buffer.from('model bytes '.repeat(1000));
    await src.put('w.bin', body);
    expect(src.canCopyServerSide(dst)).toBe(true);
    const info = await src.copyTo!('w.bin', dst, 'models/w.bin');
    expect(info).toEqual({ key: 'models/w.bin', size: body.length, sha256: sha(body), md5: md5(body), crc32c: crc32c(body) });
    expect(await dst.stat('models/w.bin')).toEqual(info);
    expect((await readAll(await dst.get('models/w.bin', { expectedSha256: sha(body) }))).equals(body)).toBe(true);

    // Again: the identical copy is there already.
    expect(await src.copyTo!('w.bin', dst, 'models/w.bin')).toEqual(info);
    // Something else is there: refused, not overwritten.
    await dst.put('other.bin', Buffer.from('other'));
    await expect(src.copyTo!('w.bin', dst, 'other.bin')).rejects.toThrow(/other\.bin already exists with different content/);
    await expect(src.copyTo!('missing.bin', dst, 'x.bin')).rejects.toThrow(/missing\.bin: no such object/);
  });

  it('move: server-side copy then delete; identical destination → written:false; different → refused, source kept', async () => {
    const store = await open();
    const body = Buffer.from('staged bytes '.repeat(500));
    await store.put('m/.staging/id/f.bin', body);
    const r = await store.move!('m/.staging/id/f.bin', 'm/d1/f.bin');
    expect(r).toEqual({ key: 'm/d1/f.bin', size: body.length, written: true });
    expect(await store.stat('m/.staging/id/f.bin')).toBeUndefined();
    expect(await store.stat('m/d1/f.bin')).toEqual({ key: 'm/d1/f.bin', size: body.length, sha256: sha(body), md5: md5(body), crc32c: crc32c(body) });

    await store.put('s/again.bin', body);
    expect(await store.move!('s/again.bin', 'm/d1/f.bin')).toEqual({ key: 'm/d1/f.bin', size: body.length, written: false });
    expect(await store.stat('s/again.bin')).toBeUndefined();

    await store.put('s/other.bin', Buffer.from('other'));
    await expect(store.move!('s/other.bin', 'm/d1/f.bin')).rejects.toThrow(/already exists with different content/);
    expect(await store.exists('s/other.bin')).toBe(true);
    await expect(store.move!('s/missing', 'x')).rejects.toThrow(/s\/missing: no such object/);
  });

  it('get with a wrong expected digest → IntegrityError; wrong size fails up front', async () => {
    const store = await open();
    await store.put('k', Buffer.from('content'));
    // The recorded sha256 already disagrees: refused before downloading.
    await expect(store.get('k', { expectedSha256: sha('x') })).rejects.toThrow(IntegrityError);
    await expect(store.get('k', { expectedSize: 3 })).rejects.toThrow(/size is 7 bytes, expected 3/);

    // No recorded sha256: found while streaming, at the end.
    const uri = new URL(store.uri.replace('gs://', 'http://'));
    await storage.bucket(uri.host).file(`${uri.pathname.slice(1)}/plain`).save(Buffer.from('content'), { resumable: false });
    const r = await store.get('plain', { expectedSha256: sha('x') });
    await expect(readAll(r)).rejects.toThrow(/plain: sha256 is .*, expected /);
  });

  it('missing objects: stat undefined, exists false, get IntegrityError, delete is a no-op', async () => {
    const store = await open();
    expect(await store.stat('nope')).toBeUndefined();
    expect(await store.exists('nope')).toBe(false);
    await expect(store.get('nope')).rejects.toThrow(/nope: no such object/);
    await store.delete('nope');
    await store.put('gone', Buffer.from('x'));
    await store.delete('gone');
    expect(await store.exists('gone')).toBe(false);
  });

  it('expected digest mismatch on put, or an aborted source, leaves no object', async () => {
    const store = await open();
    await expect(store.put('bad', Buffer.from('data'), { expectedSha256: sha('other') })).rejects.toThrow(IntegrityError);
    await expect(store.put('bad', Readable.from([Buffer.from('data')]), { expectedSize: 99 })).rejects.toThrow(IntegrityError);
    let i = 0;
    const aborted = new Readable({
      read() {
        if (++i <= 3) this.push(Buffer.alloc(100_000, i));
        else this.destroy(new Error('source died'));
      },
    });
    await expect(store.put('bad', aborted, { expectedSize: 20 * 1024 * 1024 })).rejects.toThrow('source died');
    expect(await store.stat('bad')).toBeUndefined();
    expect(await listAll(store, '')).toEqual([]);
  });

  it.each(BAD_KEYS)('refuses key (%s)', async (_label, key) => {
    const store = await open();
    await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(IntegrityError);
    await expect(store.get(key)).rejects.toThrow(IntegrityError);
    await expect(store.stat(key)).rejects.toThrow(IntegrityError);
    await expect(store.delete(key)).rejects.toThrow(IntegrityError);
  });

  it('refuses a key that makes the object name longer than 1024 bytes with the prefix', async () => {
    const store = await open();
    await expect(store.put('a'.repeat(1022), Buffer.from('x'))).rejects.toThrow(/longer than 1024 bytes/);
  });

  it('streams a 20 MiB generated source through a resumable upload and back', async () => {
    const store = await open();
    const CHUNK = 256 * 1024;
    const TOTAL = 20 * 1024 * 1024;
    const h = createHash('sha256');
    function* gen(): Generator<Buffer> {
      for (let j = 0; j < TOTAL / CHUNK; j++) {
        const b = Buffer.alloc(CHUNK, j % 253);
        h.update(b);
        yield b;
      }
    }
    const put = await store.put('big.bin', Readable.from(gen()));
    expect(put).toMatchObject({ size: TOTAL, sha256: h.digest('hex'), written: true });
    let read = 0;
    for await (const c of await store.get('big.bin', { expectedSha256: put.sha256, expectedSize: TOTAL })) read += (c as Buffer).length;
    expect(read).toBe(TOTAL);
  });
});

/**
 * An HTTP front for the emulator that enforces `ifGenerationMatch=0` on uploads (412 in GCS's
 * error shape when the object exists), and can hide an object from one metadata GET: the store's
 * look before writing then misses an object that "someone else" has just created.
 */
async function startPreconditionFront(emulatorHost: string): Promise<{ url: string; hideOnce: Set<string>; close(): Promise<void> }> {
  const target = new URL(emulatorHost);
  const hideOnce = new Set<string>();
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    req.pipe(up);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const meta = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && meta && !url.searchParams.has('alt')) {
      const name = decodeURIComponent(meta[2]!);
      if (hideOnce.delete(name)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: 'Not Found' } }));
        return;
      }
    }
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const name = url.searchParams.get('name');
    if (req.method === 'POST' && upload && name && url.searchParams.get('ifGenerationMatch') === '0') {
      const head = request({ host: target.hostname, port: target.port, path: `/storage/v1/b/${upload[1]}/o/${encodeURIComponent(name)}` }, (r) => {
        r.resume();
        if (r.statusCode !== 200) return forward(req, res);
        req.resume();
        req.on('end', () => {
          const body = { error: { code: 412, message: 'At least one of the pre-conditions you specified did not hold.', errors: [{ reason: 'conditionNotMet' }] } };
          res.writeHead(412, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        });
      });
      head.end();
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hideOnce,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('gs:// store, real client, 412 from a precondition front over the emulator', () => {
  let emu: GcsEmulator;
  let front: Awaited<ReturnType<typeof startPreconditionFront>>;
  let store: ExchangeStore;
  beforeAll(async () => {
    emu = await startGcsEmulator();
    front = await startPreconditionFront(emu.host);
    // Retries off: a 412 is not retried anyway, and this keeps a failure fast.
    const storage = new Storage({ apiEndpoint: front.url, projectId: emu.projectId, retryOptions: { maxRetries: 0 } });
    store = await openExchange('gs://exchange-front/p', { storage });
  });
  afterAll(async () => {
    await front?.close();
    await emu?.stop();
  });

  it.each<[string, () => Readable | Buffer]>([
    ['simple upload', () => Buffer.from('shared bytes')],
    ['resumable upload', () => Readable.from([Buffer.from('shared '), Buffer.from('bytes')])],
  ])('%s: object created between our look and our write → compared, not overwritten', async (label, make) => {
    const key = label.replace(' ', '-');
    await store.put(`${key}/same`, Buffer.from('shared bytes'));
    await store.put(`${key}/diff`, Buffer.from('their bytes!'));
    front.hideOnce.add(`p/${key}/same`);
    front.hideOnce.add(`p/${key}/diff`);

    expect(await store.put(`${key}/same`, make())).toEqual({ key: `${key}/same`, size: 12, sha256: sha('shared bytes'), written: false });
    const err = await store.put(`${key}/diff`, make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/diff already exists with different content/);
    expect((await readAll(await store.get(`${key}/diff`))).toString()).toBe('their bytes!');
    expect(front.hideOnce.size).toBe(0);
  });
});

function* chunksOf(b: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
