import { afterAll } from '@jest/globals';
import { InputError } from '../errors.js';
import { LAST_PROMOTION_KEY, PROMOTION_HISTORY_KEY, promotionHistory } from './history.js';
import { PromotionConflictError, PromotionError } from './move.js';
import { promoteInServer } from './promote.js';
import { closeAll, logger, MODEL, promoteEnv, rejection, RUN, seedVersions, stages, writes, type PromoteEnv } from './test-support.js';
import type { PromoteRequest } from './types.js';

afterAll(closeAll);

function req(over: Partial<PromoteRequest> = {}): PromoteRequest & { lines: string[] } {
  const { lines, log } = logger();
  return { project: 'default', model: MODEL, toStage: 'production', force: false, dryRun: false, run: RUN, log, lines, ...over };
}

async function fresh(stageList: Parameters<typeof seedVersions>[1]): Promise<PromoteEnv & { ids: string[] }> {
  const e = await promoteEnv();
  const ids = seedVersions(e.server, stageList);
  await e.client.login();
  await e.other.login();
  e.server.requests.length = 0;
  return { ...e, ids };
}

describe('promoteInServer', () => {
  test('by version, force on an occupied stage: the holder is archived and the event recorded with it', async () => {
    const e = await fresh(['production', 'staging']);
    const approvals = [{ reviewer: 'alice', state: 'approved', environment: 'production' }];
    const r = await promoteInServer(e.client, req({ version: '2', force: true, approvals, gate: { passed: true, digest: `sha256:${'b'.repeat(64)}` } }));
    expect(r).toEqual({
      modelVersionId: e.ids[1],
      version: '2',
      previousVersionId: e.ids[0],
      previousVersion: '1',
      stage: 'production',
      changed: true,
      dryRun: false,
      plan: 'would promote readmission-clf v2 → production, archiving v1',
    });
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production' });
    // Mark pending, vacate, take, record — the candidate is never sent with force.
    expect(writes(e.server)).toEqual([
      'POST /api/v1/run-metadata',
      `PUT /api/v1/model_versions/${e.ids[0]}`,
      `PUT /api/v1/model_versions/${e.ids[1]}`,
      'POST /api/v1/run-metadata',
    ]);

    const history = await promotionHistory(e.client, { project: 'default', modelVersionId: e.ids[1]! });
    const expected = {
      kind: 'promote',
      fromStage: 'staging',
      toStage: 'production',
      previousHolder: { id: e.ids[0], version: '1' },
      actor: 'release-bot',
      runUrl: 'https://github.com/acme/ml/actions/runs/7',
      repository: 'acme/ml',
      commit: RUN.commit,
      at: RUN.at,
      approvals,
      gate: { passed: true, digest: `sha256:${'b'.repeat(64)}` },
    };
    expect(history).toEqual([expected]);
    const md = e.server.store.latestMetadata('model_version', e.ids[1]!);
    expect(md[LAST_PROMOTION_KEY]).toEqual(expected);
    expect(md[PROMOTION_HISTORY_KEY]).toEqual([expected]);
  });

  test('by from-stage into an empty stage, then again: history appends; a holder re-promoted changes nothing', async () => {
    const e = await fresh(['staging', null]);
    const r = await promoteInServer(e.client, req({ fromStage: 'staging' }));
    expect(r).toMatchObject({ modelVersionId: e.ids[0], version: '1', changed: true, plan: 'would promote readmission-clf v1 → production' });
    expect(r.previousVersionId).toBeUndefined();
    expect(stages(e.server)).toEqual({ 1: 'production', 2: null });

    // v1 → staging and back: two events on v1, in order.
    await promoteInServer(e.client, req({ version: '1', toStage: 'staging', run: { ...RUN, at: '2025-03-01T11:00:00.000Z' } }));
    await promoteInServer(e.client, req({ fromStage: 'staging', run: { ...RUN, at: '2025-03-01T12:00:00.000Z' } }));
    const h = await promotionHistory(e.client, { project: 'default', modelVersionId: e.ids[0]! });
    expect(h.map((x) => [x.fromStage, x.toStage, x.at])).toEqual([
      ['staging', 'production', RUN.at],
      ['production', 'staging', '2025-03-01T11:00:00.000Z'],
      ['staging', 'production', '2025-03-01T12:00:00.000Z'],
    ]);

    e.server.requests.length = 0;
    const again = await promoteInServer(e.client, req({ version: '1', expectedCurrentVersion: '2' }));
    expect(again).toMatchObject({ changed: false, plan: 'readmission-clf v1 already holds production; nothing to do' });
    expect(writes(e.server)).toEqual([]);
  });

  test('an occupied stage without force: one line naming the holder and force, nothing written', async () => {
    const e = await fresh(['production', 'staging']);
    const err = await rejection(promoteInServer(e.client, req({ version: '2' })));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('force');
    expect((err as InputError).oneLine()).toBe(
      "Input 'force': production is held by readmission-clf v1. Set force: true to archive it and promote v2 (or expected-current-version: 1 to replace exactly that version); nothing was changed.",
    );
    expect(writes(e.server)).toEqual([]);
    expect(stages(e.server)).toEqual({ 1: 'production', 2: 'staging' });
  });

  test('compare-and-swap: a different holder (or none expected) refuses with no write; the right one needs no force', async () => {
    const e = await fresh(['production', 'staging', null]);
    const err = await rejection(promoteInServer(e.client, req({ version: '3', force: true, expectedCurrentVersion: '2' })));
    expect(err).toBeInstanceOf(PromotionConflictError);
    expect((err as PromotionConflictError).oneLine()).toBe('production is held by v1, not v2 (expected-current-version, compare-and-swap); nothing was changed.');
    const none = await rejection(promoteInServer(e.client, req({ version: '3', expectedCurrentVersion: 'none' })));
    expect(none.message).toBe('production is held by v1, not empty (expected-current-version, compare-and-swap); nothing was changed.');
    const empty = await rejection(promoteInServer(e.client, req({ version: '3', toStage: 'staging', expectedCurrentVersion: 'v1' })));
    expect(empty.message).toBe('staging is held by v2, not v1 (expected-current-version, compare-and-swap); nothing was changed.');
    expect(writes(e.server)).toEqual([]);
    expect(stages(e.server)).toEqual({ 1: 'production', 2: 'staging', 3: null });

    const ok = await promoteInServer(e.client, req({ version: '3', expectedCurrentVersion: 'v1' }));
    expect(ok).toMatchObject({ changed: true, previousVersion: '1' });
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'staging', 3: 'production' });
  });

  test('dry run: the plan, logged and returned, and no write at all', async () => {
    const e = await fresh(['archived', 'production', 'staging']);
    const r = req({ version: '3', force: true, dryRun: true, gate: { passed: true, summary: '5/5 rules pass' } });
    const result = await promoteInServer(e.client, r);
    expect(result).toEqual({
      modelVersionId: e.ids[2],
      version: '3',
      previousVersionId: e.ids[1],
      previousVersion: '2',
      stage: 'production',
      changed: false,
      dryRun: true,
      plan: 'would promote readmission-clf v3 → production, archiving v2; 5/5 rules pass',
    });
    expect(r.lines).toContain('Dry run: would promote readmission-clf v3 → production, archiving v2; 5/5 rules pass. Nothing was changed.');
    expect(e.server.requests.filter((x) => x.method !== 'GET').map((x) => x.path)).toEqual([]);
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production', 3: 'staging' });
  });

  test('inputs: exactly one of version / from-stage; to-stage a real stage; a failed gate refuses', async () => {
    const e = await fresh(['staging']);
    const both = await rejection(promoteInServer(e.client, req({ version: '1', fromStage: 'staging' })));
    expect(both.message).toMatch(/^Input 'version': and 'from-stage' are both set/);
    const neither = await rejection(promoteInServer(e.client, req({})));
    expect(neither.message).toMatch(/^Input 'version': or 'from-stage' is required/);
    for (const bad of ['latest', 'none', 'prod']) {
      const err = await rejection(promoteInServer(e.client, req({ version: '1', toStage: bad })));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe('to-stage');
    }
    const missing = await rejection(promoteInServer(e.client, req({ fromStage: 'production' })));
    expect((missing as InputError).input).toBe('from-stage');
    expect(missing.message).toMatch(/has no version in stage 'production'/);
    const gated = await rejection(promoteInServer(e.client, req({ version: '1', gate: { passed: false, summary: '3/5 rules pass' } })));
    expect(gated).toBeInstanceOf(PromotionError);
    expect(gated.message).toBe('The gate did not pass for readmission-clf v1 (3/5 rules pass): nothing was promoted.');
    expect(writes(e.server)).toEqual([]);
  });

  test('to-stage archived displaces nobody: no force needed, another archived version stays archived', async () => {
    const e = await fresh(['archived', 'production']);
    const r = await promoteInServer(e.client, req({ version: '2', toStage: 'archived' }));
    expect(r).toMatchObject({ changed: true, stage: 'archived', plan: 'would archive readmission-clf v2' });
    expect(r.previousVersionId).toBeUndefined();
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'archived' });
    const cas = await rejection(promoteInServer(e.client, req({ version: '1', toStage: 'archived', expectedCurrentVersion: '2' })));
    expect((cas as InputError).input).toBe('expected-current-version');
  });

  test('race: two promotions of different versions to the same stage at once — exactly one wins', async () => {
    const e = await fresh(['production', 'staging', null]);
    const results = await Promise.allSettled([
      promoteInServer(e.client, req({ version: '2', expectedCurrentVersion: '1' })),
      promoteInServer(e.other, req({ version: '3', expectedCurrentVersion: '1' })),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(PromotionConflictError);
    expect(String(lost[0]!.reason.message)).toMatch(/compare-and-swap/);
    const winner = (won[0] as PromiseFulfilledResult<{ version: string }>).value.version;
    const s = stages(e.server);
    expect(s[Number(winner)]).toBe('production');
    expect(Object.values(s).filter((x) => x === 'production')).toHaveLength(1);
    expect(s[1]).toBe('archived');
  });

  test('race, forced, both past the read before either moves: the later take gets the occupied answer and loses', async () => {
    const e = await fresh(['production', 'staging', null]);
    // Both vacates wait, so both promotions have read v1 as the holder; v3's take waits longer.
    e.server.faults.inject({ method: 'PUT', path: `/api/v1/model_versions/${e.ids[0]}`, delayMs: 150, times: 2 });
    e.server.faults.inject({ method: 'PUT', path: `/api/v1/model_versions/${e.ids[2]}`, delayMs: 300, times: 1 });
    const [a, b] = await Promise.allSettled([
      promoteInServer(e.client, req({ version: '2', force: true })),
      promoteInServer(e.other, req({ version: '3', force: true })),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as PromotionConflictError;
    expect(err).toBeInstanceOf(PromotionConflictError);
    expect(err.oneLine()).toBe(
      'production changed while this promotion ran: v2 took it first (compare-and-swap: another promotion won); v3 was not moved, and v1 stays archived.',
    );
    expect(err.holder).toEqual({ id: e.ids[1], version: '2' });
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production', 3: null });
    // The loser recorded nothing, and its pending marker is ended (a later run cannot resume it).
    expect(e.server.store.latestMetadata('model_version', e.ids[2]!)[PROMOTION_HISTORY_KEY]).toBeUndefined();
    expect(e.server.store.latestMetadata('model_version', e.ids[2]!).promotion_pending).toEqual({});
  });

  test('the take failing for another reason puts the holder back and says both in one line', async () => {
    const e = await fresh(['production', 'staging']);
    e.server.faults.inject({ method: 'PUT', path: `/api/v1/model_versions/${e.ids[1]}`, status: 403, times: 1, body: { detail: ['IllegalOperationError', 'not allowed to promote'] } });
    const err = await rejection(promoteInServer(e.client, req({ version: '2', force: true })));
    expect(err).toBeInstanceOf(PromotionError);
    expect((err as PromotionError).kind).toBe('api');
    expect((err as PromotionError).oneLine()).toMatch(/^Moving readmission-clf v2 to production failed: ZenML API PUT .* failed with 403 .*not allowed to promote.* v1 was put back into production; nothing changed\.$/);
    expect(stages(e.server)).toEqual({ 1: 'production', 2: 'staging' });
    expect(writes(e.server)).toEqual([
      'POST /api/v1/run-metadata',
      `PUT /api/v1/model_versions/${e.ids[0]}`,
      `PUT /api/v1/model_versions/${e.ids[1]}`,
      `PUT /api/v1/model_versions/${e.ids[0]}`,
      'POST /api/v1/run-metadata',
    ]);
    // v1 holds production again: the pending marker is ended, so nothing can resume this move later.
    expect(e.server.store.latestMetadata('model_version', e.ids[1]!).promotion_pending).toEqual({});
  });

  test('a run killed after archiving the holder: the re-run with the same compare-and-swap finishes it', async () => {
    const e = await fresh(['archived', 'staging']);
    // What the killed run left: its pending marker on v2, v1 archived by it, production empty.
    e.server.seed.runMetadata('model_version', e.ids[1]!, {
      promotion_pending: { stage: 'production', fromStage: 'staging', previousHolder: { id: e.ids[0], version: '1' }, at: RUN.at },
    });
    const r = await promoteInServer(e.client, req({ version: '2', expectedCurrentVersion: '1' }));
    expect(r).toMatchObject({ changed: true, previousVersionId: e.ids[0] });
    expect(stages(e.server)).toEqual({ 1: 'archived', 2: 'production' });
    const recorded = e.server.store.latestMetadata('model_version', e.ids[1]!);
    expect(recorded[LAST_PROMOTION_KEY]).toMatchObject({ fromStage: 'staging', previousHolder: { id: e.ids[0], version: '1' } });
    expect(recorded.promotion_pending).toEqual({});
    // Without the marker, an empty stage is still a compare-and-swap refusal.
    const other = await fresh(['archived', 'staging']);
    const err = await rejection(promoteInServer(other.client, req({ version: '2', expectedCurrentVersion: '1' })));
    expect((err as PromotionConflictError).oneLine()).toBe('production is empty, not v1 (expected-current-version, compare-and-swap); nothing was changed.');
  });

  test('a run killed after taking the stage: the re-run records the event it never wrote', async () => {
    const e = await fresh(['archived', 'production']);
    e.server.seed.runMetadata('model_version', e.ids[1]!, {
      promotion_pending: { stage: 'production', fromStage: 'staging', previousHolder: { id: e.ids[0], version: '1' }, at: RUN.at },
    });
    const r = await promoteInServer(e.client, req({ version: '2', expectedCurrentVersion: '1' }));
    expect(r).toMatchObject({ changed: true, previousVersionId: e.ids[0] });
    expect(writes(e.server)).toEqual(['POST /api/v1/run-metadata']);
    const history = await promotionHistory(e.client, { project: 'default', modelVersionId: e.ids[1]! });
    expect(history).toHaveLength(1);
    // Finished: another re-run has nothing to do.
    const again = await promoteInServer(e.client, req({ version: '2', expectedCurrentVersion: '1' }));
    expect(again.changed).toBe(false);
  });
});
