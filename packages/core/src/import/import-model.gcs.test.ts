/**
 * gs:// exchange → gs:// artifact store against the Cloud Storage emulator (firebase-tools):
 * server-side copies checked by the store's md5/crc32c, streamed copies checked by sha256.
 */
import { Storage } from '@google-cloud/storage';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { startGcsEmulator, type GcsEmulator } from '../../../../test/peers/gcs-emulator.js';
import type { RunContext } from '../action/github-context.js';
import { IntegrityError } from '../errors.js';
import { digestHex } from '../manifest/index.js';
import { resetTokenCache, ZenmlClient } from '../zenml/index.js';
import { writeBundle } from './__fixtures__/bundle.js';
import { importModel } from './import-model.js';
import type { ImportRequest } from './types.js';

const RUN: RunContext = { actor: 'release-bot', at: '2025-01-03T12:00:00.000Z' };
const DEST = 'gs://prod-artifacts/zenml';

describe('importModel: gs:// exchange → gs:// artifact store (emulator)', () => {
  let emu: GcsEmulator;
  let storage: Storage;
  let server: TestServer;
  let client: ZenmlClient;

  beforeAll(async () => {
    emu = await startGcsEmulator();
    storage = new Storage({ apiEndpoint: emu.host, projectId: emu.projectId });
  });
  afterAll(async () => {
    await emu?.stop();
  });
  beforeEach(async () => {
    server = await startTestServer({ mode: 'pro', name: 'production' });
    server.seed.stack({ name: 'gcs', artifactStorePath: DEST, artifactStoreFlavor: 'gcp' });
    client = new ZenmlClient({ serverUrl: server.url, apiKey: server.apiKey, retry: { deadlineMs: 1000, baseMs: 5, capMs: 20, maxAttempts: 2 } });
  });
  afterEach(async () => {
    resetTokenCache();
    await server.close();
  });

  const request = (manifestUri: string, over: Partial<ImportRequest> = {}): ImportRequest & { lines: string[] } => {
    const lines: string[] = [];
    return { project: 'default', manifestUri, force: false, dryRun: false, run: RUN, storage, artifactStore: 'gcs', log: (l) => lines.push(l), lines, ...over };
  };
  const writes = (): string[] => server.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login').map((r) => `${r.method} ${r.path}`);
  const download = async (uri: string): Promise<Buffer> => {
    const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw new Error(uri);
    const [buf] = await storage.bucket(m[1] as string).file(m[2] as string).download();
    return buf;
  };
  const destObjects = async (model: string): Promise<string[]> => {
    const [files] = await storage.bucket('prod-artifacts').getFiles({ prefix: `zenml/imported/${model}/` });
    return files.map((f) => f.name).sort();
  };

  it('copies server-side (md5/crc32c entries), registers gs:// uris, and a re-run changes nothing', async () => {
    const b = await writeBundle({ exchange: 'gs://exchange-bucket/bundles', storage, model: 'churn-gs', checksums: 'store' });
    const req = request(b.manifestUri, { stage: 'staging' });
    const r = await importModel(client, req);
    expect(r).toMatchObject({ created: true, stage: 'staging' });
    expect(req.lines.join('\n')).toMatch(/Copied 3 file\(s\) .*, 0 already there, 3 server-side/);

    const hex = digestHex(b.manifest.bundleDigest);
    expect(r.artifacts.map((a) => a.uri)).toEqual([
      `${DEST}/imported/churn-gs/${hex}/model`,
      `${DEST}/imported/churn-gs/${hex}/training%20data/data.csv`,
    ]);
    for (const [rel, content] of b.contents) {
      const bytes = await download(`${DEST}/imported/churn-gs/${hex}/${rel.replace(/^artifacts\//, '')}`);
      expect(bytes.equals(content)).toBe(true);
    }
    const av = server.store.artifactVersions.get(r.artifacts[0]?.artifactVersionId ?? '');
    const gcsStore = [...server.store.components.values()].find((c) => c.name === 'gcs' && c.type === 'artifact_store');
    expect(av?.artifactStoreId).toBe(gcsStore?.id);

    server.requests.length = 0;
    const again = await importModel(client, request(b.manifestUri, { stage: 'staging' }));
    expect(again).toMatchObject({ created: false, completed: [], modelVersionId: r.modelVersionId });
    expect(writes()).toEqual([]);
  });

  it('streams sha256 entries gs:// → gs:// through the runner, verified', async () => {
    const b = await writeBundle({ exchange: 'gs://exchange-bucket/bundles', storage, model: 'churn-sha', checksums: 'sha256' });
    const req = request(b.manifestUri);
    const r = await importModel(client, req);
    expect(r.created).toBe(true);
    expect(req.lines.join('\n')).toMatch(/Copied 3 file\(s\) .*, 0 already there\./);
    expect(await destObjects('churn-sha')).toHaveLength(3);
  });

  it('a tampered gs:// object (same size) is refused before any write: its md5 no longer matches', async () => {
    const b = await writeBundle({ exchange: 'gs://exchange-bucket/bundles', storage, model: 'churn-bad', checksums: 'store' });
    const name = `bundles/${b.prefix}/artifacts/model/model.pkl`;
    const [orig] = await storage.bucket('exchange-bucket').file(name).download();
    const bad = Buffer.from(orig);
    bad[0] = (bad[0] ?? 0) ^ 0xff;
    await storage.bucket('exchange-bucket').file(name).save(bad, { resumable: false });
    server.requests.length = 0;

    const err = await importModel(client, request(b.manifestUri)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).oneLine()).toMatch(/model\.pkl \(artifact 'model'\) has md5 \S+; the manifest says \S+\./);
    expect(writes()).toEqual([]);
    expect(await destObjects('churn-bad')).toEqual([]);
  });
});
