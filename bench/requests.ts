/**
 * Requests per promotion (export on the source server, import then promote on the destination),
 * counted from the test servers' request logs, as a function of the number of artifacts in the
 * bundle and of how much else the servers hold (other versions of the model, their artifacts,
 * pipeline runs). Each action is its own job (process), so logins are counted per server per job.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import { runBundle } from '../test/harness/run-bundle.js';
import { defaultArtifactStore } from '../test/harness/trained-model.js';

export interface RequestsRow {
  artifacts: number;
  population: string;
  exportRequests: number;
  importRequests: number;
  promoteRequests: number;
  total: number;
  /** Logins per job, per server: export (source), import (destination), promote (destination). */
  logins: string;
}

const MODEL = 'req-model';
const isLogin = (path: string): boolean => /\/(api\/v1\/login|auth\/login)$/.test(path);

/**
 * `others` versions of the model (each with its `artifacts` artifacts under the same names and a
 * run), then the candidate in staging. Same artifact names on purpose: a lookup by name without a
 * version filter would page through all of them.
 */
function seedSource(server: TestServer, artifacts: number, others: number): void {
  const store = defaultArtifactStore(server);
  server.seed.model({ name: MODEL });
  server.seed.pipeline({ name: 'training' });
  const version = (i: number, stage?: 'staging'): void => {
    const mv = server.seed.modelVersion({ model: MODEL, ...(stage ? { stage } : {}), runMetadata: { accuracy: 0.9 } });
    server.seed.pipelineRun({ pipeline: 'training', name: `run-${i}`, status: 'completed', modelVersion: mv });
    for (let a = 0; a < artifacts; a++) {
      const dir = join(store.path, `v${i}`, `a${a}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'data.bin'), `artifact ${a} of version ${i}\n`);
      server.seed.link(mv, server.seed.artifactVersion({ name: `artifact-${a}`, uri: dir, type: a === 0 ? 'ModelArtifact' : 'DataArtifact', artifactStoreId: store.id }));
    }
  };
  for (let i = 0; i < others; i++) version(i);
  version(others, 'staging');
}

/** The destination already holds `others` versions of the model with the same artifact names. */
function seedDestination(server: TestServer, artifacts: number, others: number): void {
  const store = defaultArtifactStore(server);
  server.seed.model({ name: MODEL });
  server.seed.pipeline({ name: 'training' });
  for (let i = 0; i < others; i++) {
    const mv = server.seed.modelVersion({ model: MODEL, runMetadata: { accuracy: 0.8 } });
    server.seed.pipelineRun({ pipeline: 'training', name: `old-${i}`, status: 'completed', modelVersion: mv });
    for (let a = 0; a < artifacts; a++) {
      server.seed.link(mv, server.seed.artifactVersion({ name: `artifact-${a}`, uri: join(store.path, `old${i}`, `a${a}`), artifactStoreId: store.id }));
    }
  }
}

function counted(server: TestServer): { total: number; logins: number } {
  return { total: server.requests.length, logins: server.requests.filter((r) => isLogin(r.path)).length };
}

async function one(artifacts: number, population: { label: string; others: number }): Promise<RequestsRow> {
  const dev = await startTestServer({ name: 'dev-staging' });
  const prod = await startTestServer({ name: 'production', mode: 'pro' });
  const exchange = mkdtempSync(join(tmpdir(), 'bench-req-'));
  try {
    seedSource(dev, artifacts, population.others);
    seedDestination(prod, artifacts, population.others);
    dev.requests.length = 0;
    prod.requests.length = 0;

    const exp = await runBundle('export-model', { 'server-url': dev.url, 'api-key': dev.apiKey, model: MODEL, exchange: `file://${exchange}` });
    if (exp.code !== 0) throw new Error(`export failed:\n${exp.stdout.slice(-1500)}`);
    const e = counted(dev);

    const imp = await runBundle('import-model', { 'server-url': prod.url, 'api-key': prod.apiKey, manifest: exp.outputs['manifest-uri'] ?? '' });
    if (imp.code !== 0) throw new Error(`import failed:\n${imp.stdout.slice(-1500)}`);
    const i = counted(prod);
    prod.requests.length = 0;

    const pro = await runBundle('promote', {
      'server-url': prod.url,
      'api-key': prod.apiKey,
      model: MODEL,
      version: imp.outputs['model-version-number'] ?? '',
      'to-stage': 'production',
    });
    if (pro.code !== 0) throw new Error(`promote failed:\n${pro.stdout.slice(-1500)}`);
    const p = counted(prod);
    return {
      artifacts,
      population: population.label,
      exportRequests: e.total,
      importRequests: i.total,
      promoteRequests: p.total,
      total: e.total + i.total + p.total,
      logins: `${e.logins} / ${i.logins} / ${p.logins}`,
    };
  } finally {
    await dev.close();
    await prod.close();
    rmSync(exchange, { recursive: true, force: true });
  }
}

export async function benchRequests(counts = [1, 4, 16], populations = [{ label: 'small (1 other version)', others: 1 }, { label: '100× (100 other versions)', others: 100 }]): Promise<RequestsRow[]> {
  const rows: RequestsRow[] = [];
  for (const p of populations) for (const n of counts) rows.push(await one(n, p));
  return rows;
}
