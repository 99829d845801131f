import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle, type BundleRun } from '../../test/harness/run-bundle.js';
import { seedTrainedModel, type TrainedModel } from '../../test/harness/trained-model.js';
import { startGcsEmulator, type GcsEmulator } from '../../test/peers/gcs-emulator.js';
import { startArtifactService, type ArtifactService } from '../../test/peers/artifact-service.js';

function expectOk(run: BundleRun): void {
  const errors = run.visibleStdout.split('\n').filter((l) => l.startsWith('::error::'));
  expect({ errors, code: run.code }).toEqual({ errors: [], code: 0 });
}

/**
 * The release workflow's shape: an export job writes the bundle to a gs:// exchange and hands the
 * manifest on as a workflow artifact; the import job (behind the production approval) picks the
 * manifest up by name and reads the bytes from the exchange. Real peers: the Cloud Storage
 * emulator from firebase-tools, and the Actions artifact service over Azurite.
 */
describe('export-model → import-model through gs:// and a workflow artifact, bundled actions', () => {
  let dev: TestServer;
  let prod: TestServer;
  let gcs: GcsEmulator;
  let artifacts: ArtifactService;
  let trained: TrainedModel;

  beforeAll(async () => {
    [dev, prod, gcs, artifacts] = await Promise.all([
      startTestServer({ name: 'dev-staging' }),
      startTestServer({ name: 'production', mode: 'pro' }),
      startGcsEmulator(),
      startArtifactService(),
    ]);
    trained = seedTrainedModel(dev);
  });
  afterAll(async () => {
    await Promise.all([dev?.close(), prod?.close(), gcs?.stop(), artifacts?.stop()]);
  });

  it('hands the bundle across jobs by artifact name and imports it byte-identical', async () => {
    const peers = { STORAGE_EMULATOR_HOST: gcs.host, GOOGLE_CLOUD_PROJECT: gcs.projectId, ...artifacts.env };
    const exp = await runBundle(
      'export-model',
      { 'server-url': dev.url, 'api-key': dev.apiKey, model: trained.model, exchange: 'gs://ml-exchange/bundles', 'upload-manifest': 'true' },
      { env: peers },
    );
    expectOk(exp);
    expect(exp.outputs['manifest-uri']).toMatch(/^gs:\/\/ml-exchange\/bundles\/readmission-clf\/[0-9a-f]{64}\/manifest\.json$/);
    expect(exp.outputs['manifest-artifact']).toBe('zenml-manifest-readmission-clf.json');

    // A later job: same workflow run, fresh runner, only the artifact name and the exchange.
    const imp = await runBundle(
      'import-model',
      { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: 'zenml-manifest-readmission-clf.json', exchange: 'gs://ml-exchange/bundles', stage: 'production' },
      { env: peers },
    );
    expectOk(imp);
    expect(imp.outputs.created).toBe('true');
    expect(imp.outputs.stage).toBe('production');

    const mv = prod.store.modelVersions.get(imp.outputs['model-version-id'] as string);
    expect(mv?.stage).toBe('production');
    const imported = [...prod.store.artifactVersions.values()].find((av) => av.uri.includes('sklearn_classifier'));
    const file = `${imported?.uri}/model.pkl`;
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(trained.files.sklearn_classifier?.['model.pkl']);
  });

  it('says how to fix an import that names a workflow artifact but no exchange', async () => {
    const imp = await runBundle('import-model', { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: 'zenml-manifest-readmission-clf.json' }, { env: artifacts.env });
    expect(imp.code).toBe(1);
    expect(imp.visibleStdout).toContain("::error::Input 'exchange': is required when 'manifest' names a workflow artifact");
  });
});
