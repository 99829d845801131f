/**
 * exportModel with gs:// against the real Cloud Storage emulator (firebase-tools, in-process):
 * local artifacts streamed into a gs:// exchange, and gs:// artifacts copied server-side.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRC32C, Storage } from '@google-cloud/storage';
import { startGcsEmulator, type GcsEmulator } from '../../../../test/peers/gcs-emulator.js';
import { openExchange } from '../exchange/open.js';
import type { ExchangeStore } from '../exchange/types.js';
import { digestOfManifest, manifestKey } from '../manifest/layout.js';
import { ManifestSchema } from '../manifest/schema.js';
import { exportModel } from './index.js';
import type { ExportRequest } from './types.js';
import { countingStore, listKeys, readObject, RUN, seedSource, sha256, type SeededSource } from './test-support.js';

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const crc32c = (b: Buffer): string => {
  const c = new CRC32C();
  c.update(b);
  return c.toString();
};

describe('exportModel with gs:// (GCS emulator)', () => {
  let emu: GcsEmulator;
  let storage: Storage;
  let src: SeededSource;
  let base: string;
  let n = 0;
  const logs: string[] = [];
  const request = (exchange: ExchangeStore, over: Partial<ExportRequest> = {}): ExportRequest => ({
    project: 'default',
    model: 'churn',
    version: 'staging',
    exchange,
    artifactSource: 'store',
    dryRun: false,
    run: RUN,
    storage,
    log: (l) => logs.push(l),
    ...over,
  });

  beforeAll(async () => {
    emu = await startGcsEmulator();
    storage = new Storage({ apiEndpoint: emu.host, projectId: emu.projectId });
    src = await seedSource();
    base = mkdtempSync(join(tmpdir(), 'export-gcs-test-'));
  });
  afterAll(async () => {
    await src?.server.close();
    await emu?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });
  beforeEach(() => {
    logs.length = 0;
  });

  it('streams local artifacts into a gs:// exchange: same digest as file://, staging moved server-side, then cleared', async () => {
    const viaFile = await exportModel(src.client, request(await openExchange(join(base, 'x'))));
    const exchange = await openExchange(`gs://exchange-a/run${++n}`, { storage });
    const r = await exportModel(src.client, request(exchange));
    expect(r).toMatchObject({ written: true, bundleDigest: viaFile.bundleDigest, filesWritten: 5, serverSideCopies: 0 });
    const keys = (await listKeys(exchange)).map((o) => o.key);
    expect(keys.sort()).toEqual(
      [
        'manifest.json',
        'artifacts/model/model.pkl',
        'artifacts/model/sub/config.json',
        'artifacts/model/sub/deeper/weights.bin',
        'artifacts/model/sub/empty.txt',
        'artifacts/scaler/scaler.pkl',
      ]
        .map((k) => `churn/${r.bundleDigest.slice(7)}/${k}`)
        .sort(),
    );
    const weights = src.files.model?.['sub/deeper/weights.bin'] as Buffer;
    const copy = await readObject(exchange, `churn/${r.bundleDigest.slice(7)}/artifacts/model/sub/deeper/weights.bin`);
    expect(sha256(copy)).toBe(sha256(weights));

    const { store, counts } = countingStore(exchange);
    const again = await exportModel(src.client, request(store));
    expect(again).toMatchObject({ written: false, bundleDigest: r.bundleDigest });
    expect(counts.put + counts.move).toBe(0);
  });

  it('copies gs:// artifacts server-side into a gs:// exchange: md5/crc32c recorded, no bytes through the runner', async () => {
    // The artifact store is a bucket: the same files as the local ones, under gs://zenml-artifacts/.
    const bucket = storage.bucket('zenml-artifacts');
    const prefix = `churn/model/${++n}`;
    for (const [rel, data] of Object.entries(src.files.model as Record<string, Buffer>)) {
      await bucket.file(`${prefix}/${rel}`).save(data, { resumable: false });
    }
    const scaler = src.files.scaler?.['scaler.pkl'] as Buffer;
    await bucket.file(`churn/scaler/${n}/scaler.pkl`).save(scaler, { resumable: false });
    const model = src.server.seed.model({ name: `gcs-churn-${n}` });
    const mv = src.server.seed.modelVersion({ model, stage: 'staging', runMetadata: { accuracy: 0.9 } });
    src.server.seed.link(mv, src.server.seed.artifactVersion({ name: 'model', uri: `gs://zenml-artifacts/${prefix}`, type: 'ModelArtifact' }));
    src.server.seed.link(mv, src.server.seed.artifactVersion({ name: 'scaler', uri: `gs://zenml-artifacts/churn/scaler/${n}/scaler.pkl` }));

    const { store, counts } = countingStore(await openExchange(`gs://exchange-b/promotions`, { storage }));
    const r = await exportModel(src.client, request(store, { model: `gcs-churn-${n}` }));
    expect(r).toMatchObject({ written: true, serverSideCopies: 5, filesWritten: 5, artifactCount: 2 });
    // Only the manifest went through the runner; no staging, no moves.
    expect(counts).toEqual({ put: 1, putWritten: 1, move: 0, delete: 0 });
    expect(logs.some((l) => /^Copying:/.test(l))).toBe(false);

    const m = ManifestSchema.parse(JSON.parse((await readObject(store, manifestKey(`gcs-churn-${n}`, r.bundleDigest))).toString('utf8')));
    expect(digestOfManifest(m)).toBe(r.bundleDigest);
    const files = m.artifacts.flatMap((a) => a.files.map((f) => ({ a: a.name, ...f })));
    expect(files).toHaveLength(5);
    for (const f of files) {
      const original = f.a === 'scaler' ? scaler : (src.files.model?.[f.path] as Buffer);
      expect(f).toEqual({ a: f.a, path: f.path, size: original.length, md5: md5(original), crc32c: crc32c(original) });
      const info = await store.stat(`gcs-churn-${n}/${r.bundleDigest.slice(7)}/artifacts/${f.a}/${f.path}`);
      expect(info).toMatchObject({ size: original.length, md5: md5(original), crc32c: crc32c(original) });
    }
    expect(m.artifacts.find((a) => a.name === 'scaler')?.singleFile).toBe(true);

    // Again: the digest is known without reading a byte, and the bundle is there: nothing at all.
    const again = countingStore(await openExchange(`gs://exchange-b/promotions`, { storage }));
    const r2 = await exportModel(src.client, request(again.store, { model: `gcs-churn-${n}` }));
    expect(r2).toMatchObject({ written: false, bundleDigest: r.bundleDigest, serverSideCopies: 0, filesSkipped: 5 });
    expect(again.counts).toEqual({ put: 0, putWritten: 0, move: 0, delete: 0 });

    // A dry run knows the exact destination in this case.
    const dry = await exportModel(src.client, request(again.store, { model: `gcs-churn-${n}`, dryRun: true }));
    expect(dry.bundleDigest).toBe(r.bundleDigest);
    expect(dry.manifestUri).toBe(r.manifestUri);
  });
});
