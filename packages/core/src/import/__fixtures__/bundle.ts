/**
 * Test bundles, written the way export-model lays them out (manifest/layout.ts), until tests can
 * use the real export: files under `<model>/<digest hex>/artifacts/<artifact>/…`, then a
 * manifest that passes ManifestSchema with `bundleDigest = digestOfManifest(manifest)`.
 */
import { createHash } from 'node:crypto';
import type { Storage } from '@google-cloud/storage';
import { keyProblem, openExchange, type ExchangeStore } from '../../exchange/index.js';
import {
  artifactBundleDir,
  bundlePrefix,
  digestOfManifest,
  MANIFEST_FILE,
  MANIFEST_KIND,
  MANIFEST_SCHEMA_VERSION,
  type Manifest,
  type ManifestArtifact,
} from '../../manifest/index.js';
import { gcsChecksumsOf } from '../checksums.js';

export interface FixtureArtifact {
  name: string;
  type?: string;
  singleFile?: boolean;
  materializer?: ManifestArtifact['materializer'];
  dataType?: ManifestArtifact['dataType'];
  runMetadata?: Record<string, unknown>;
  tags?: string[];
  contentHash?: string;
  files: { path: string; content: Buffer | string }[];
}

export interface BundleFixtureOptions {
  /** The exchange: file:///abs, an absolute path, or gs://bucket/prefix. */
  exchange: string;
  storage?: Storage;
  model?: string;
  artifacts?: FixtureArtifact[];
  metrics?: Record<string, number>;
  metadata?: Record<string, unknown>;
  modelTags?: string[];
  /** 'sha256' (bytes through the runner), 'store' (md5 + crc32c only: server-side copies), 'both'. */
  checksums?: 'sha256' | 'store' | 'both';
  /** Changes the manifest before its digest is computed: the bundle stays self-consistent. */
  edit?: (m: Manifest) => void;
  /** Changes the manifest JSON after the digest, as a tamperer would. */
  tamper?: (m: Record<string, unknown>) => void;
  /** Source model version id (the digest covers it: vary it for distinct bundles). */
  modelVersionId?: string;
}

export interface BundleFixture {
  manifest: Manifest;
  manifestUri: string;
  /** URI of the bundle folder. */
  bundleUri: string;
  /** The bundle folder's key prefix in the exchange. */
  prefix: string;
  exchange: ExchangeStore;
  /** Content by key relative to the bundle folder (`artifacts/<name>/<path>`). */
  contents: Map<string, Buffer>;
}

export const SKLEARN_MATERIALIZER = {
  module: 'zenml.integrations.sklearn.materializers.sklearn_materializer',
  attribute: 'SklearnMaterializer',
  type: 'internal',
};
export const RANDOM_FOREST = { module: 'sklearn.ensemble._forest', attribute: 'RandomForestClassifier', type: 'distribution_package' };

export function defaultArtifacts(): FixtureArtifact[] {
  return [
    {
      name: 'model',
      type: 'ModelArtifact',
      materializer: SKLEARN_MATERIALIZER,
      dataType: RANDOM_FOREST,
      runMetadata: { storage_size: 2048, framework: 'sklearn' },
      tags: ['rf'],
      contentHash: 'abc123',
      files: [
        { path: 'model.pkl', content: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7) % 256)) },
        { path: 'meta/info.json', content: '{"trees": 100}\n' },
      ],
    },
    {
      name: 'training data',
      type: 'DataArtifact',
      singleFile: true,
      materializer: 'zenml.materializers.pandas_materializer.PandasMaterializer',
      dataType: 'pandas.core.frame.DataFrame',
      runMetadata: { rows: 3 },
      files: [{ path: 'data.csv', content: 'a,b\n1,2\n3,4\n5,6\n' }],
    },
  ];
}

const HEX = (n: number): string => n.toString(16).padStart(12, '0');

export async function writeBundle(opts: BundleFixtureOptions): Promise<BundleFixture> {
  const exchange = await openExchange(opts.exchange, opts.storage ? { storage: opts.storage } : {});
  const model = opts.model ?? 'churn';
  const checksums = opts.checksums ?? 'sha256';
  const sources = opts.artifacts ?? defaultArtifacts();
  const bytesOf = new Map<string, Buffer>(); // `${artifact index}/${file index}` → content

  const artifacts: ManifestArtifact[] = sources.map((a, ai) => ({
    name: a.name,
    bundleDir: artifactBundleDir(a.name),
    artifactVersionId: `00000000-0000-4000-8000-${HEX(100 + ai)}`,
    version: String(ai + 1),
    type: a.type ?? 'DataArtifact',
    materializer: a.materializer ?? SKLEARN_MATERIALIZER,
    dataType: a.dataType ?? RANDOM_FOREST,
    uri: `gs://dev-store/zenml/${a.name}/${ai}`,
    artifactStoreId: '00000000-0000-4000-8000-000000000aaa',
    ...(a.contentHash ? { contentHash: a.contentHash } : {}),
    saveType: 'step_output',
    singleFile: a.singleFile ?? false,
    runMetadata: a.runMetadata ?? {},
    tags: a.tags ?? [],
    files: a.files.map((f, fi) => {
      const buf = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
      bytesOf.set(`${ai}/${fi}`, buf);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      const store = gcsChecksumsOf(buf);
      return {
        path: f.path,
        size: buf.length,
        ...(checksums !== 'store' ? { sha256 } : {}),
        ...(checksums !== 'sha256' ? store : {}),
      };
    }),
  }));

  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    kind: MANIFEST_KIND,
    bundleDigest: '',
    model: { name: model, versionName: '7', versionNumber: 7, stage: 'staging', description: 'Random forest, weekly retrain.', tags: opts.modelTags ?? ['weekly', 'rf'] },
    source: {
      serverUrl: 'https://dev-staging.zenml.example',
      serverId: '00000000-0000-4000-8000-000000000001',
      serverVersion: '0.97.0',
      project: 'fraud',
      projectId: '00000000-0000-4000-8000-000000000002',
      modelId: '00000000-0000-4000-8000-000000000003',
      modelVersionId: opts.modelVersionId ?? '00000000-0000-4000-8000-000000000004',
      pipelineRunId: '00000000-0000-4000-8000-000000000005',
      pipelineRunName: 'training-2025_01_01',
      pipelineRunUrl: 'https://dev-staging.zenml.example/runs/00000000-0000-4000-8000-000000000005',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      trainingDate: '2025-01-01T10:00:00Z',
    },
    metrics: opts.metrics ?? { accuracy: 0.93, f1: 0.875, epochs: 10 },
    metadata: opts.metadata ?? { dataset_uri: 'gs://data/fraud.parquet', hyperparameters: { n_estimators: 100, max_depth: 8 }, approved: true },
    artifacts,
    promotionChain: [
      {
        from: {
          serverUrl: 'https://dev-staging.zenml.example',
          project: 'fraud',
          model,
          version: '7',
          modelVersionId: opts.modelVersionId ?? '00000000-0000-4000-8000-000000000004',
        },
        actor: 'octocat',
        at: '2025-01-02T09:00:00Z',
        workflowRunUrl: 'https://github.com/acme/ml/actions/runs/1',
        repository: 'acme/ml',
        commit: 'fedcba9876543210fedcba9876543210fedcba98',
      },
    ],
    exportedAt: '2025-01-02T09:00:00Z',
    exportedBy: { tool: 'mlops-actions', version: '0.1.0' },
  };
  opts.edit?.(manifest);
  manifest.bundleDigest = digestOfManifest(manifest);
  const prefix = bundlePrefix(manifest.model.name, manifest.bundleDigest);

  const contents = new Map<string, Buffer>();
  for (const [ai, a] of manifest.artifacts.entries()) {
    for (const [fi, f] of a.files.entries()) {
      const rel = `${a.bundleDir}/${f.path}`;
      const buf = bytesOf.get(`${ai}/${fi}`);
      if (!buf || keyProblem(rel) !== undefined) continue; // a hostile path: nothing to write there
      contents.set(rel, buf);
      await exchange.put(`${prefix}/${rel}`, buf);
    }
  }
  const json = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  opts.tamper?.(json);
  await exchange.put(`${prefix}/${MANIFEST_FILE}`, Buffer.from(JSON.stringify(json, null, 2)));
  const bundleUri = `${exchange.uri}/${prefix}`;
  return { manifest, manifestUri: `${bundleUri}/${MANIFEST_FILE}`, bundleUri, prefix, exchange, contents };
}
