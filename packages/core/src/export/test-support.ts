/**
 * Shared by the export tests (not part of the library): a source server seeded with a trained
 * model version whose artifacts are real files, a store wrapper that counts writes, and helpers.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import type { RunContext } from '../action/github-context.js';
import type { ExchangeStore, ObjectInfo } from '../exchange/types.js';
import { ZenmlClient } from '../zenml/client.js';

export const RUN: RunContext = {
  actor: 'octocat',
  repository: 'acme/churn',
  commit: '0123456789abcdef0123456789abcdef01234567',
  workflowRunUrl: 'https://github.com/acme/churn/actions/runs/42',
  at: '2025-06-01T12:00:00.000Z',
};

export const GIT_COMMIT = 'feedfacefeedfacefeedfacefeedfacefeedface';

export const EARLIER_HOP = {
  from: { serverUrl: 'https://research.example.com', project: 'lab', model: 'churn', version: '7', modelVersionId: '11111111-2222-4333-8444-555555555555' },
  to: { serverUrl: 'https://dev.example.com', project: 'default', model: 'churn', version: '1', modelVersionId: '66666666-7777-4888-8999-000000000000' },
  bundleDigest: `sha256:${'a'.repeat(64)}`,
  actor: 'someone',
  at: '2025-01-01T00:00:00Z',
  extraField: 'dropped silently',
};

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (so digests are stable across runs of one test file). */
export function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface SeededSource {
  server: TestServer;
  client: ZenmlClient;
  storePath: string;
  artifactStoreId: string;
  mvId: string;
  /** Version 2, named 'golden', in production. */
  goldenId: string;
  modelAvId: string;
  scalerAvId: string;
  /** artifact name → relative path → bytes */
  files: Record<string, Record<string, Buffer>>;
  modelDir: string;
  scalerFile: string;
}

export function writeFile(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/**
 * Model `churn`: version 1 (staging) with metrics, other metadata, an earlier promotion hop and a
 * malformed one, a pipeline run with a git commit, and two artifacts: `model` (a folder with
 * nested files) and `scaler` (a single file). Version 2 'golden' (production) has no artifacts.
 */
export async function seedSource(): Promise<SeededSource> {
  const server = await startTestServer({ name: 'dev-staging' });
  const client = new ZenmlClient({ serverUrl: server.url, apiKey: server.apiKey, retry: { maxAttempts: 2, baseMs: 1 } });
  const stack = server.seed.stack({ name: 'dev' });
  const storePath = stack.artifactStorePath;

  const modelDir = join(storePath, 'churn', 'model', 'a1b2');
  const files: SeededSource['files'] = {
    model: {
      'model.pkl': bytes(200_000, 1),
      'sub/config.json': Buffer.from('{"n_estimators": 100}\n'),
      'sub/deeper/weights.bin': bytes(1_500_000, 2),
      'sub/empty.txt': Buffer.alloc(0),
    },
    scaler: { 'scaler.pkl': bytes(12_345, 3) },
  };
  for (const [rel, data] of Object.entries(files.model as Record<string, Buffer>)) writeFile(join(modelDir, rel), data);
  const scalerFile = join(storePath, 'churn', 'scaler', 'c3d4', 'scaler.pkl');
  writeFile(scalerFile, (files.scaler as Record<string, Buffer>)['scaler.pkl'] as Buffer);

  server.seed.model({ name: 'churn', description: 'Churn classifier', tags: ['tabular'] });
  const mvId = server.seed.modelVersion({
    model: 'churn',
    stage: 'staging',
    description: 'trained on 2025-05',
    tags: ['candidate'],
    runMetadata: {
      accuracy: 0.93,
      f1: 0.88,
      n_rows: 120_000,
      dataset: 'gs://data/churn/2025-05.parquet',
      hyperparameters: { max_depth: 8, criterion: 'gini' },
      passed_checks: true,
      promotion_chain: [EARLIER_HOP, { not: 'a hop' }, 'nonsense'],
    },
  });
  const goldenId = server.seed.modelVersion({ model: 'churn', name: 'golden', stage: 'production' });

  const modelAvId = server.seed.artifactVersion({
    name: 'model',
    uri: modelDir,
    type: 'ModelArtifact',
    materializer: 'zenml.integrations.sklearn.materializers.sklearn_materializer.SklearnMaterializer',
    dataType: 'sklearn.ensemble._forest.RandomForestClassifier',
    artifactStoreId: stack.artifactStoreId,
    contentHash: 'abc123',
    saveType: 'step_output',
    runMetadata: { storage_size: 1_700_000 },
    tags: ['weights'],
    version: '4',
  });
  const scalerAvId = server.seed.artifactVersion({
    name: 'scaler',
    uri: scalerFile,
    materializer: 'zenml.materializers.cloudpickle_materializer.CloudpickleMaterializer',
    dataType: 'sklearn.preprocessing._data.StandardScaler',
    artifactStoreId: stack.artifactStoreId,
  });
  server.seed.link(mvId, modelAvId);
  server.seed.link(mvId, scalerAvId);
  server.seed.pipeline({ name: 'training' });
  server.seed.pipelineRun({ pipeline: 'training', name: 'training-run-1', gitCommit: GIT_COMMIT, modelVersion: mvId });

  return { server, client, storePath, artifactStoreId: stack.artifactStoreId, mvId, goldenId, modelAvId, scalerAvId, files, modelDir, scalerFile };
}

export interface WriteCounts {
  put: number;
  putWritten: number;
  move: number;
  delete: number;
}

/**
 * The same store, with its writes counted. Built on the store itself as prototype, so that
 * `instanceof` (server-side copy checks) still holds.
 */
export function countingStore(store: ExchangeStore, opts: { failPut?: (key: string) => boolean } = {}): { store: ExchangeStore; counts: WriteCounts } {
  const counts: WriteCounts = { put: 0, putWritten: 0, move: 0, delete: 0 };
  const w = Object.create(store) as ExchangeStore & Record<string, unknown>;
  w.put = async (key, source, o) => {
    counts.put++;
    if (opts.failPut?.(key)) {
      // A crash part-way through the upload: the source is read a little, then the write dies.
      const { Readable } = await import('node:stream');
      async function* dying(): AsyncGenerator<Buffer> {
        let seen = 0;
        for await (const chunk of Buffer.isBuffer(source) ? [source] : source) {
          seen += (chunk as Buffer).length;
          if (seen > 1024) throw new Error('simulated crash mid-copy');
          yield chunk as Buffer;
        }
      }
      return store.put(key, Readable.from(dying()), o);
    }
    const r = await store.put(key, source, o);
    if (r.written) counts.putWritten++;
    return r;
  };
  if (store.move) {
    w.move = async (from, to) => {
      counts.move++;
      return (store.move as NonNullable<ExchangeStore['move']>).call(store, from, to);
    };
  }
  w.delete = async (key) => {
    counts.delete++;
    return store.delete(key);
  };
  return { store: w, counts };
}

export async function listKeys(store: ExchangeStore, prefix = ''): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}

export async function readObject(store: ExchangeStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
