import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Storage } from '@google-cloud/storage';
import { startGcsEmulator, type GcsEmulator } from './gcs-emulator.js';

describe('GCS emulator (firebase-tools storage, in-process)', () => {
  let emu: GcsEmulator;
  let storage: Storage;

  beforeAll(async () => {
    emu = await startGcsEmulator();
    // No credentials: the client skips auth when apiEndpoint points at an emulator.
    storage = new Storage({ apiEndpoint: emu.host, projectId: emu.projectId });
  });

  afterAll(async () => {
    await emu?.stop();
  });

  it('listens on an ephemeral port on 127.0.0.1', () => {
    expect(emu.host).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.projectId).toBe('demo-test');
  });

  it('round-trips upload, metadata, list and streaming download', async () => {
    const bucket = storage.bucket('peer-test');
    const body = Buffer.from('hello emulator\n'.repeat(1000));
    const sha = createHash('sha256').update(body).digest('hex');
    const md5 = createHash('md5').update(body).digest('base64');

    await bucket.file('a/one.txt').save(body, { resumable: false, metadata: { metadata: { sha256: sha } } });
    await pipeline(Readable.from([body]), bucket.file('a/two.txt').createWriteStream({ resumable: true }));
    await bucket.file('b/three.txt').save('x', { resumable: false });

    const [meta] = await bucket.file('a/one.txt').getMetadata();
    expect(Number(meta.size)).toBe(body.length);
    expect(meta.md5Hash).toBe(md5);
    expect(typeof meta.crc32c).toBe('string');
    expect(meta.metadata?.sha256).toBe(sha);

    const [files] = await bucket.getFiles({ prefix: 'a/' });
    expect(files.map((f) => f.name).sort()).toEqual(['a/one.txt', 'a/two.txt']);

    const h = createHash('sha256');
    for await (const chunk of bucket.file('a/two.txt').createReadStream()) h.update(chunk as Buffer);
    expect(h.digest('hex')).toBe(sha);

    await expect(bucket.file('nope').getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('serves setMetadata and copy (through the /storage/v1 path shim)', async () => {
    const bucket = storage.bucket('peer-test');
    await bucket.file('c/src').save('copy me', { resumable: false });
    await bucket.file('c/src').setMetadata({ metadata: { sha256: 'abc' } });
    const [meta] = await bucket.file('c/src').getMetadata();
    expect(meta.metadata?.sha256).toBe('abc');

    await bucket.file('c/src').copy(storage.bucket('peer-other').file('c/dst'));
    const [copied] = await storage.bucket('peer-other').file('c/dst').getMetadata();
    expect(copied.md5Hash).toBe(meta.md5Hash);
    expect(copied.crc32c).toBe(meta.crc32c);
    expect(copied.metadata?.sha256).toBe('abc');
    const [body] = await storage.bucket('peer-other').file('c/dst').download();
    expect(body.toString()).toBe('copy me');
    await storage.bucket('peer-other').file('c/dst').delete();
    await expect(storage.bucket('peer-other').file('c/dst').getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('stops, idempotently, and refuses connections afterwards', async () => {
    const second = await startGcsEmulatorAfterStopping();
    await second.stop();
    await second.stop();
    await expect(fetch(`${second.host}/storage/v1/b/x/o`)).rejects.toThrow();
  });

  /** The registry allows one storage emulator per process: stop the suite's one, start another. */
  async function startGcsEmulatorAfterStopping(): Promise<GcsEmulator> {
    await emu.stop();
    emu = await startGcsEmulator();
    return emu;
  }
});
