import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '@mlops-actions/zenml-test-server';

/** The artifact store of a test server's `default` stack: where its "trained" files live. */
export function defaultArtifactStore(server: TestServer): { id: string; path: string } {
  for (const c of server.store.components.values()) {
    if (c.type === 'artifact_store' && c.name === 'default') return { id: c.id, path: String(c.configuration.path) };
  }
  throw new Error('test server has no default artifact store');
}

export interface TrainedModel {
  model: string;
  modelVersionId: string;
  runId: string;
  gitCommit: string;
  /** Artifact name → the files written, relative path → sha256. */
  files: Record<string, Record<string, string>>;
  metrics: Record<string, number>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * What a training pipeline leaves behind in dev-staging: a model version in `staging` with
 * metrics and hyperparameters, produced by a pipeline run with a git commit, linked to a model
 * artifact (a folder: the serialised model and its metadata) and a data artifact (one CSV file),
 * with real bytes in the server's local artifact store.
 */
export function seedTrainedModel(server: TestServer, opts: { model?: string; modelBytes?: number; stage?: 'staging' | 'production' } = {}): TrainedModel {
  const model = opts.model ?? 'readmission-clf';
  const store = defaultArtifactStore(server);
  const gitCommit = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const metrics = { accuracy: 0.931, f1: 0.884, latency_ms: 95 };

  const modelDir = join(store.path, 'train', 'model', 'a9f3');
  mkdirSync(join(modelDir, 'extra'), { recursive: true });
  const modelBin = Buffer.alloc(opts.modelBytes ?? 256 * 1024);
  for (let i = 0; i < modelBin.length; i++) modelBin[i] = (i * 31 + 7) % 251;
  const meta = Buffer.from(JSON.stringify({ n_estimators: 300, max_depth: 12 }));
  const readme = Buffer.from('random forest, class weights balanced\n');
  writeFileSync(join(modelDir, 'model.pkl'), modelBin);
  writeFileSync(join(modelDir, 'metadata.json'), meta);
  writeFileSync(join(modelDir, 'extra', 'README.txt'), readme);
  const dataFile = join(store.path, 'train', 'data', 'features.csv');
  mkdirSync(join(store.path, 'train', 'data'), { recursive: true });
  const csv = Buffer.from('age,visits,readmitted\n63,4,1\n41,1,0\n');
  writeFileSync(dataFile, csv);

  server.seed.model({ name: model, tags: ['healthcare'], description: 'Patient readmission risk' });
  const modelVersionId = server.seed.modelVersion({
    model,
    stage: opts.stage ?? 'staging',
    description: 'Random forest trained on the UCI diabetes data',
    tags: ['candidate'],
    runMetadata: { ...metrics, hyperparameters: { n_estimators: 300, max_depth: 12 }, dataset: 'uci-diabetes-2026-11' },
  });
  server.seed.pipeline({ name: 'training' });
  const runId = server.seed.pipelineRun({ pipeline: 'training', name: 'training-2026_11_25-09_00_00', status: 'completed', gitCommit, modelVersion: modelVersionId });
  const modelArtifact = server.seed.artifactVersion({
    name: 'sklearn_classifier',
    uri: modelDir,
    type: 'ModelArtifact',
    materializer: 'zenml.integrations.sklearn.materializers.sklearn_materializer.SklearnMaterializer',
    dataType: 'sklearn.ensemble._forest.RandomForestClassifier',
    artifactStoreId: store.id,
    contentHash: sha256(modelBin),
    runMetadata: { storage_size: modelBin.length },
  });
  const dataArtifact = server.seed.artifactVersion({
    name: 'training_features',
    uri: dataFile,
    type: 'DataArtifact',
    materializer: 'zenml.materializers.pandas_materializer.PandasMaterializer',
    dataType: 'pandas.core.frame.DataFrame',
    artifactStoreId: store.id,
  });
  server.seed.link(modelVersionId, modelArtifact);
  server.seed.link(modelVersionId, dataArtifact);
  return {
    model,
    modelVersionId,
    runId,
    gitCommit,
    metrics,
    files: {
      sklearn_classifier: { 'model.pkl': sha256(modelBin), 'metadata.json': sha256(meta), 'extra/README.txt': sha256(readme) },
      training_features: { 'features.csv': sha256(csv) },
    },
  };
}
