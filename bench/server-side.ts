/**
 * gs:// on every side (source artifact store, exchange, destination artifact store, all in the
 * Cloud Storage emulator): bytes that pass through the runner during export + import, counted by
 * a small proxy between the storage client and the emulator (request and response bodies), next
 * to the artifact bytes promoted. Server-side copies move no artifact bytes through the runner.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Storage } from '@google-cloud/storage';
import { startTestServer } from '@mlops-actions/zenml-test-server';
import { exportModel } from '../packages/core/src/export/index.js';
import { importModel } from '../packages/core/src/import/index.js';
import { openExchange } from '../packages/core/src/exchange/open.js';
import { resetTokenCache, ZenmlClient } from '../packages/core/src/zenml/index.js';
import { startGcsEmulator } from '../test/peers/gcs-emulator.js';

const MiB = 1024 * 1024;
const RUN = { actor: 'bench', at: new Date(0).toISOString() };

export interface ServerSideRow {
  artifactBytes: number;
  /** The manifest as written to the exchange. */
  manifestBytes: number;
  exportThroughRunner: number;
  importThroughRunner: number;
  serverSideCopies: string;
}

/** Forwards to `target`, counting body bytes both ways. */
function countingProxy(target: URL): { server: Server; bytes: { up: number; down: number }; listen(): Promise<string> } {
  const bytes = { up: 0, down: 0 };
  const server = createServer((req, res) => {
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on('data', (c: Buffer) => (bytes.down += c.length));
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.on('data', (c: Buffer) => (bytes.up += c.length));
    req.pipe(out);
  });
  return {
    server,
    bytes,
    async listen() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

const client = (url: string, apiKey: string): ZenmlClient =>
  new ZenmlClient({ serverUrl: url, apiKey, retry: { deadlineMs: 10_000, baseMs: 5, capMs: 50, maxAttempts: 3 } });

/** `sizesMiB`: the files of one artifact (the emulator buffers uploads; keep each under ~100 MiB). */
export async function benchServerSide(sizesMiB = [48, 16]): Promise<ServerSideRow> {
  const emu = await startGcsEmulator();
  const proxy = countingProxy(new URL(emu.host));
  const proxyUrl = await proxy.listen();
  const direct = new Storage({ apiEndpoint: emu.host, projectId: emu.projectId });
  const storage = new Storage({ apiEndpoint: proxyUrl, projectId: emu.projectId });
  const dev = await startTestServer({ name: 'dev-staging' });
  const prod = await startTestServer({ name: 'production', mode: 'pro' });
  try {
    // Seeded straight into the emulator: training wrote these, not the promotion.
    let artifactBytes = 0;
    for (const [i, mib] of sizesMiB.entries()) {
      await direct.bucket('src-artifacts').file(`train/model/part-${i}.bin`).save(randomBytes(mib * MiB), { resumable: false });
      artifactBytes += mib * MiB;
    }
    const stack = dev.seed.stack({ name: 'gcs', artifactStorePath: 'gs://src-artifacts', artifactStoreFlavor: 'gcp' });
    dev.seed.model({ name: 'gs-model' });
    const mv = dev.seed.modelVersion({ model: 'gs-model', stage: 'staging', runMetadata: { accuracy: 0.9 } });
    dev.seed.link(mv, dev.seed.artifactVersion({ name: 'model', uri: 'gs://src-artifacts/train/model', type: 'ModelArtifact', artifactStoreId: stack.artifactStoreId }));
    prod.seed.stack({ name: 'gcs', artifactStorePath: 'gs://prod-artifacts/zenml', artifactStoreFlavor: 'gcp' });

    const exchange = await openExchange('gs://exchange-bucket/bundles', { storage });
    const exp = await exportModel(client(dev.url, dev.apiKey), {
      project: 'default',
      model: 'gs-model',
      version: 'staging',
      exchange,
      artifactSource: 'store',
      dryRun: false,
      run: RUN,
      storage,
      log: () => undefined,
    });
    const exportThroughRunner = proxy.bytes.up + proxy.bytes.down;
    proxy.bytes.up = proxy.bytes.down = 0;
    const imp = await importModel(client(prod.url, prod.apiKey), {
      project: 'default',
      manifestUri: exp.manifestUri,
      artifactStore: 'gcs',
      force: false,
      dryRun: false,
      run: RUN,
      storage,
      log: () => undefined,
    });
    if (!imp.created) throw new Error('server-side bench: the import created nothing');
    const files = exp.manifest.artifacts.reduce((n, a) => n + a.files.length, 0);
    return {
      artifactBytes,
      manifestBytes: (await exchange.stat(exp.manifestUri.slice(exchange.uri.length + 1)))?.size ?? 0,
      exportThroughRunner,
      importThroughRunner: proxy.bytes.up + proxy.bytes.down,
      serverSideCopies: `${exp.serverSideCopies}/${files} files at export`,
    };
  } finally {
    resetTokenCache();
    await dev.close();
    await prod.close();
    proxy.server.close();
    proxy.server.closeAllConnections();
    await emu.stop();
  }
}
