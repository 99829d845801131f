import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll } from '@jest/globals';
import { seedTrainedModel, type TrainedModel } from '../../../../test/harness/trained-model.js';
import { InputError } from '../errors.js';
import { openExchange } from '../exchange/index.js';
import type { Manifest } from '../manifest/index.js';
import { promoteAcrossServers } from './across.js';
import { promotionHistory } from './history.js';
import { PromotionError } from './move.js';
import { closeAll, logger, MODEL, promoteEnv, rejection, RUN, stages, writes, type PromoteEnv } from './test-support.js';
import type { CrossServerPromoteRequest } from './types.js';

const tmp: string[] = [];
afterAll(async () => {
  await closeAll();
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

interface Env {
  src: PromoteEnv;
  dest: PromoteEnv;
  trained: TrainedModel;
  dir: string;
  req: (over?: Partial<CrossServerPromoteRequest>) => Promise<CrossServerPromoteRequest & { lines: string[] }>;
}

async function env(opts: { destHolder?: boolean } = {}): Promise<Env> {
  const src = await promoteEnv({ name: 'dev-staging' });
  const dest = await promoteEnv({ name: 'production' });
  const trained = seedTrainedModel(src.server);
  if (opts.destHolder) {
    dest.server.seed.model({ name: MODEL });
    dest.server.seed.modelVersion({ model: MODEL, stage: 'production' });
  }
  await dest.client.login();
  dest.server.requests.length = 0;
  const dir = mkdtempSync(join(tmpdir(), 'promote-exchange-'));
  tmp.push(dir);
  const req = async (over: Partial<CrossServerPromoteRequest> = {}) => {
    const { lines, log } = logger();
    const exchange = await openExchange(pathToFileURL(dir).href);
    return { sourceProject: 'default', model: MODEL, version: 'staging', project: 'default', exchange, toStage: 'production', force: false, dryRun: false, run: RUN, log, lines, ...over };
  };
  return { src, dest, trained, dir, req };
}

describe('promoteAcrossServers', () => {
  test('export → gate → import → stage through a file:// exchange; the event names the source; a re-run changes nothing', async () => {
    const e = await env({ destHolder: true });
    const seen: Manifest[] = [];
    const gate = async (m: Manifest) => {
      seen.push(m);
      return { passed: true, report: { rules: [{ metric: 'accuracy', passed: true }] }, summary: '1/1 rules pass' };
    };
    const approvals = [{ reviewer: 'alice', state: 'approved' }];
    const r = await promoteAcrossServers(e.src.client, e.dest.client, await e.req({ expectedCurrentVersion: '1', gate, approvals }));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.metrics.accuracy).toBe(0.931);
    expect(r).toMatchObject({
      version: '2',
      previousVersion: '1',
      stage: 'production',
      changed: true,
      imported: true,
      sourceModelVersionId: e.trained.modelVersionId,
      plan: 'would promote readmission-clf v2 → production, archiving v1; 1/1 rules pass',
    });
    expect(r.manifestUri).toMatch(/^file:\/\/.*\/manifest\.json$/);
    expect(stages(e.dest.server)).toEqual({ 1: 'archived', 2: 'production' });

    const [event] = await promotionHistory(e.dest.client, { project: 'default', modelVersionId: r.modelVersionId });
    expect(event).toMatchObject({
      kind: 'promote',
      fromStage: null,
      toStage: 'production',
      previousHolder: { version: '1' },
      approvals,
      source: { serverUrl: e.src.server.url, modelVersionId: e.trained.modelVersionId },
    });
    expect(event!.gate).toEqual({ passed: true, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // The import's own facts are there too.
    const md = e.dest.server.store.latestMetadata('model_version', r.modelVersionId);
    expect(md.accuracy).toBe(0.931);
    expect(md.source_model_version_id).toBe(e.trained.modelVersionId);

    e.dest.server.requests.length = 0;
    const again = await promoteAcrossServers(e.src.client, e.dest.client, await e.req({ expectedCurrentVersion: '1' }));
    expect(again).toMatchObject({ modelVersionId: r.modelVersionId, changed: false, imported: false });
    expect(writes(e.dest.server)).toEqual([]);
  });

  test('an occupied destination stage without force, or a failed gate: refused before anything is imported', async () => {
    const e = await env({ destHolder: true });
    const err = await rejection(promoteAcrossServers(e.src.client, e.dest.client, await e.req()));
    expect((err as InputError).input).toBe('force');
    expect(err.message).toMatch(/production is held by readmission-clf v1\. Set force: true/);
    const gated = await rejection(
      promoteAcrossServers(e.src.client, e.dest.client, await e.req({ force: true, gate: async () => ({ passed: false, summary: '2/3 rules pass' }) })),
    );
    expect(gated).toBeInstanceOf(PromotionError);
    expect(gated.message).toBe(`The gate did not pass for readmission-clf v1 of ${e.src.server.url} (2/3 rules pass): nothing was imported into ${e.dest.server.url}.`);
    expect(writes(e.dest.server)).toEqual([]);
    expect(stages(e.dest.server)).toEqual({ 1: 'production' });
  });

  test('dry run: no write on either side, the plan names source, destination and the holder to archive', async () => {
    const e = await env({ destHolder: true });
    e.src.server.requests.length = 0;
    const r = await e.req({ dryRun: true, force: true });
    const result = await promoteAcrossServers(e.src.client, e.dest.client, r);
    expect(result).toMatchObject({ dryRun: true, changed: false, imported: false, previousVersion: '1' });
    expect(result.plan).toBe(
      `would import readmission-clf v1 of ${e.src.server.url} into ${e.dest.server.url} (project default, model readmission-clf) and promote it → production, archiving v1`,
    );
    expect(writes(e.dest.server)).toEqual([]);
    expect(writes(e.src.server)).toEqual([]);
    expect(readdirSync(e.dir)).toEqual([]);
  });
});
