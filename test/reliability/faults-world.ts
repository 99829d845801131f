/**
 * The world one fault scenario runs in: fresh servers (faults and hooks are per server, so
 * scenarios can run side by side), the action's inputs, and the end state a user would look at
 * afterwards, normalised so that worlds built the same way compare equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import type { BundleRun } from '../harness/run-bundle.js';
import { defaultArtifactStore, seedTrainedModel, type TrainedModel } from '../harness/trained-model.js';
import { startFaultProxy, type FaultProxy } from '../peers/fault-proxy.js';
import type { GcsEmulator } from '../peers/gcs-emulator.js';
import { filesSnapshot, registrySnapshot, treeSnapshot } from './state.js';

export type ActionName = 'zenml-login' | 'export-model' | 'import-model' | 'promote';

/** What every world of a test file shares: the bundle imports read, and the storage emulator. */
export interface Shared {
  /** A bundle exported once from `bundleSource`; import scenarios all import it. */
  manifestUri: string;
  bundleSource: TestServer;
  gcs: GcsEmulator;
  /** A client talking to the emulator directly (not through any fault proxy). */
  storage: Storage;
}

export interface World {
  action: ActionName;
  /** The ZenML server the action talks to, and where its faults are injected. */
  zen: TestServer;
  inputs: Record<string, string>;
  env: Record<string, string>;
  /** gs:// worlds: the fault front before the emulator. */
  proxy?: FaultProxy;
  trained?: TrainedModel;
  exchangeDir?: string;
  gsPrefix?: string;
  /** promote: the seeded versions. */
  ids: Record<string, string>;
  close(): Promise<void>;
}

export const GCS_BUCKET = 'ml-exchange';
const MODEL_BYTES = 48 * 1024;

export async function makeWorld(action: ActionName, shared: Shared, opts: { id: string; gs?: boolean }): Promise<World> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  const ids: Record<string, string> = {};
  if (action === 'export-model') {
    const dev = await startTestServer({ name: 'dev-staging' });
    cleanups.push(() => dev.close());
    const trained = seedTrainedModel(dev, { modelBytes: MODEL_BYTES });
    const base = { 'server-url': dev.url, 'api-key': dev.apiKey, model: trained.model, version: 'staging' };
    if (opts.gs) {
      const proxy = await startFaultProxy(shared.gcs.host);
      cleanups.push(() => proxy.stop());
      const gsPrefix = `faults/${opts.id}`;
      const env = { STORAGE_EMULATOR_HOST: proxy.host, GOOGLE_CLOUD_PROJECT: shared.gcs.projectId };
      return { action, zen: dev, trained, proxy, gsPrefix, inputs: { ...base, exchange: `gs://${GCS_BUCKET}/${gsPrefix}` }, env, ids, close };
    }
    const exchangeDir = mkdtempSync(join(tmpdir(), 'faults-exchange-'));
    cleanups.push(() => rmSync(exchangeDir, { recursive: true, force: true }));
    return { action, zen: dev, trained, exchangeDir, inputs: { ...base, exchange: `file://${exchangeDir}` }, env: {}, ids, close };
  }
  const zen = await startTestServer({ name: 'production', mode: action === 'promote' ? 'oss' : 'pro' });
  cleanups.push(() => zen.close());
  const auth = { 'server-url': zen.url, 'api-key': zen.apiKey };
  if (action === 'zenml-login') return { action, zen, inputs: { ...auth, project: 'default' }, env: {}, ids, close };
  if (action === 'import-model') return { action, zen, inputs: { ...auth, manifest: shared.manifestUri, stage: 'production' }, env: {}, ids, close };
  zen.seed.model({ name: 'clf' });
  ids.v1 = zen.seed.modelVersion({ model: 'clf', stage: 'production', runMetadata: { accuracy: 0.91 } });
  ids.v2 = zen.seed.modelVersion({ model: 'clf', stage: 'staging', runMetadata: { accuracy: 0.93 } });
  ids.v3 = zen.seed.modelVersion({ model: 'clf' });
  return { action, zen, inputs: { ...auth, model: 'clf', version: '2', 'to-stage': 'production', 'expected-current-version': '1' }, env: {}, ids, close };
}

/** Objects under the world's gs:// prefix, key relative to it → bytes (read past the proxy). */
async function gcsEntries(shared: Shared, prefix: string): Promise<[string, Buffer][]> {
  const [files] = await shared.storage.bucket(GCS_BUCKET).getFiles({ prefix: `${prefix}/` });
  const out: [string, Buffer][] = [];
  for (const f of files) out.push([f.name.slice(prefix.length + 1), (await f.download())[0]]);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * What a user would check after the step: the bundle in the exchange (export), the registry and
 * the artifact store (import), the stage holders (promote), the login outputs.
 */
export async function endState(w: World, shared: Shared, run: BundleRun): Promise<unknown> {
  const o = run.outputs;
  if (w.action === 'zenml-login') {
    const project = [...w.zen.store.projects.values()].find((p) => p.name === 'default');
    return { version: o['server-version'], user: o.user, project: o['project-id'] === project?.id };
  }
  if (w.action === 'promote') {
    const stages = Object.fromEntries(Object.entries(w.ids).map(([k, id]) => [k, w.zen.store.modelVersions.get(id)?.stage ?? null]));
    return { stages, winner: o['model-version-id'] === w.ids.v2, previous: o['previous-version-id'] === w.ids.v1 };
  }
  if (w.action === 'import-model') {
    const registry = registrySnapshot(w.zen);
    const onlyVersion = [...w.zen.store.modelVersions.values()].map((v) => v.id);
    return { registry, store: treeSnapshot(defaultArtifactStore(w.zen).path), output: { stage: o.stage, isTheVersion: JSON.stringify(onlyVersion) === JSON.stringify([o['model-version-id']]) } };
  }
  const digest = (o['bundle-digest'] ?? '').replace(/^sha256:/, '');
  const replace: [string, string][] = [
    [digest || '<none>', '<digest>'],
    [w.zen.url, '<dev>'],
    [defaultArtifactStore(w.zen).path, '<dev-store>'],
    [w.exchangeDir ?? `gs://${GCS_BUCKET}/${w.gsPrefix ?? ''}`, '<exchange>'],
  ];
  const exchange = w.exchangeDir ? treeSnapshot(w.exchangeDir, replace) : filesSnapshot(await gcsEntries(shared, w.gsPrefix ?? ''), replace);
  return { exchange, artifactCount: o['artifact-count'], digest: /^[0-9a-f]{64}$/.test(digest) };
}
