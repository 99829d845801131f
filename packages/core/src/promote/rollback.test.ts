import { afterAll } from '@jest/globals';
import { InputError } from '../errors.js';
import { promotionHistory } from './history.js';
import { PromotionConflictError } from './move.js';
import { promoteInServer } from './promote.js';
import { rollback } from './rollback.js';
import { closeAll, logger, MODEL, promoteEnv, rejection, RUN, runAt, seedVersions, stages, writes, type PromoteEnv } from './test-support.js';
import type { RollbackRequest } from './types.js';

afterAll(closeAll);

function req(over: Partial<RollbackRequest> = {}): RollbackRequest & { lines: string[] } {
  const { lines, log } = logger();
  return { project: 'default', model: MODEL, stage: 'production', reason: 'latency regression in v2', dryRun: false, run: runAt(30), log, lines, ...over };
}

async function fresh(stageList: Parameters<typeof seedVersions>[1], md: Parameters<typeof seedVersions>[2] = []): Promise<PromoteEnv & { ids: string[] }> {
  const e = await promoteEnv();
  const ids = seedVersions(e.server, stageList, md);
  await e.client.login();
  e.server.requests.length = 0;
  return { ...e, ids };
}

async function promote(e: PromoteEnv, version: string, minute: number): Promise<void> {
  await promoteInServer(e.client, { project: 'default', model: MODEL, version, toStage: 'production', force: true, dryRun: false, run: runAt(minute), log: () => undefined });
}

describe('rollback', () => {
  test('after two promotions restores the first: v1 holds production, v2 archived, the event carries the reason', async () => {
    const e = await fresh([null, null]);
    await promote(e, '1', 1);
    await promote(e, '2', 2);
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production' });

    const r = req();
    const result = await rollback(e.client, r);
    expect(result).toEqual({
      modelVersionId: e.ids[0],
      version: '1',
      rolledBackFrom: { id: e.ids[1], version: '2' },
      stage: 'production',
      dryRun: false,
      plan: 'would roll back readmission-clf production from v2 to v1 (reason: latency regression in v2)',
    });
    expect(stages(e.server)).toEqual({ 1: 'production', 2: 'archived' });
    expect(r.lines.some((l) => l.startsWith('Rolling back to v1: it held production before v2'))).toBe(true);

    const h = await promotionHistory(e.client, { project: 'default', modelVersionId: e.ids[0]! });
    expect(h).toHaveLength(2);
    expect(h[1]).toEqual({
      kind: 'rollback',
      fromStage: 'archived',
      toStage: 'production',
      previousHolder: { id: e.ids[1], version: '2' },
      reason: 'latency regression in v2',
      actor: RUN.actor,
      runUrl: RUN.workflowRunUrl,
      repository: RUN.repository,
      commit: RUN.commit,
      at: runAt(30).at,
    });
  });

  test('explicit to-version', async () => {
    const e = await fresh([null, null, null]);
    await promote(e, '1', 1);
    await promote(e, '2', 2);
    await promote(e, '3', 3);
    const result = await rollback(e.client, req({ toVersion: '1' }));
    expect(result).toMatchObject({ version: '1', rolledBackFrom: { version: '3' } });
    expect(stages(e.server)).toEqual({ 1: 'production', 2: 'archived', 3: 'archived' });
    const same = await rejection(rollback(e.client, req({ toVersion: '1' })));
    expect((same as InputError).input).toBe('to-version');
    const unknown = await rejection(rollback(e.client, req({ toVersion: '9' })));
    expect((unknown as InputError).input).toBe('to-version');
    expect(unknown.message).toMatch(/has no version number 9/);
  });

  test('nothing to roll back to: one line saying so and how to name to-version, nothing written', async () => {
    const e = await fresh(['archived', 'production']);
    const err = await rejection(rollback(e.client, req()));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).oneLine()).toBe(
      "Input 'to-version': nothing to roll back to: v2 of 'readmission-clf' holds production, its promotion history names no previous holder, " +
        'and no archived version has a recorded promotion to production. Name the version to restore with to-version (a number or version name).',
    );
    expect(writes(e.server)).toEqual([]);
    const empty = await rejection(rollback(e.client, req({ stage: 'staging' })));
    expect(empty.message).toMatch(/^Input 'stage': no version of model 'readmission-clf' holds staging/);
  });

  test('no record on the holder: the archived version most recently promoted to the stage', async () => {
    const event = (at: string) => ({ kind: 'promote', fromStage: 'staging', toStage: 'production', at });
    const e = await fresh(['archived', 'archived', 'production'], [
      { promotion_history: [event('2025-01-01T00:00:00Z')] },
      { promotion_history: [event('2025-02-01T00:00:00Z'), { kind: 'promote', toStage: 'staging', at: '2025-02-15T00:00:00Z' }] },
    ]);
    const result = await rollback(e.client, req());
    expect(result).toMatchObject({ version: '2', rolledBackFrom: { version: '3' } });
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production', 3: 'archived' });
  });

  test('dry run: plan only, no write; reason and stage are checked first', async () => {
    const e = await fresh([null, null]);
    await promote(e, '1', 1);
    await promote(e, '2', 2);
    e.server.requests.length = 0;
    const r = req({ dryRun: true });
    const result = await rollback(e.client, r);
    expect(result).toMatchObject({ version: '1', dryRun: true, plan: 'would roll back readmission-clf production from v2 to v1 (reason: latency regression in v2)' });
    expect(r.lines).toContain('Dry run: would roll back readmission-clf production from v2 to v1 (reason: latency regression in v2). Nothing was changed.');
    expect(e.server.requests.filter((x) => x.method !== 'GET').map((x) => x.path)).toEqual([]);

    const noReason = await rejection(rollback(e.client, req({ reason: '  ' })));
    expect((noReason as InputError).input).toBe('reason');
    const badStage = await rejection(rollback(e.client, req({ stage: 'archived' })));
    expect((badStage as InputError).input).toBe('stage');
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production' });
  });

  test('the holder changing under the rollback: compare-and-swap, nothing changed', async () => {
    const e = await fresh([null, null, null]);
    await promote(e, '1', 1);
    await promote(e, '2', 2);
    // A promotion of v3 lands while the rollback is between its read and its move.
    let promoted = false;
    const r = req({
      log: (l) => {
        if (!promoted && l.startsWith('Rolling back to')) {
          promoted = true;
          e.server.store.modelVersions.forEach((v) => {
            if (v.number === 2) v.stage = 'archived';
            if (v.number === 3) v.stage = 'production';
          });
        }
      },
    });
    const err = await rejection(rollback(e.client, r));
    expect(err).toBeInstanceOf(PromotionConflictError);
    expect(err.message).toBe('production is held by v3, not v2 (expected-current-version, compare-and-swap); nothing was changed.');
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'archived', 3: 'production' });
  });
});
