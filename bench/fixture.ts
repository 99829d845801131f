/** A small real bundle in a file:// exchange (import-model's cold start reads it before calling a server). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '@mlops-actions/zenml-test-server';
import { runBundle } from '../test/harness/run-bundle.js';
import { seedTrainedModel } from '../test/harness/trained-model.js';

/** Exports the harness's trained model with the bundled export-model; returns its manifest URI and the exchange dir. */
export async function smallBundle(): Promise<{ manifest: string; dir: string }> {
  const dev = await startTestServer({ name: 'dev-staging' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  try {
    const trained = seedTrainedModel(dev);
    const r = await runBundle('export-model', { 'server-url': dev.url, 'api-key': dev.apiKey, model: trained.model, exchange: `file://${dir}` });
    const manifest = r.outputs['manifest-uri'];
    if (r.code !== 0 || !manifest) throw new Error(`export for the cold-start bundle failed:\n${r.stdout.slice(-1500)}`);
    return { manifest, dir };
  } finally {
    await dev.close();
  }
}
