/**
 * `rollback`: put back the version that held a stage before the current holder. The target is,
 * in order: `toVersion`; the `previousHolder` of the current holder's latest event into the stage
 * (its promotion_history); the archived version whose history has the most recent event into the
 * stage. Then the same race-safe move as a promotion, with the holder read here as the expected
 * current version (compare-and-swap), and a `rollback` event with the reason on the restored version.
 */
import { InputError, ZenmlApiError } from '../errors.js';
import { resolveModel, resolveModelVersion, resolveProject } from '../export/resolve.js';
import { getVersion } from '../import/model-version.js';
import { ModelVersionResponseSchema, type Model, type ModelVersionResponse, type Project, type ZenmlClient } from '../zenml/index.js';
import { historyOf, lastEventInto } from './history.js';
import { currentHolder, ref, shortLabel, versionName, type StageTarget } from './move.js';
import { asInput, checkTargetStage, promoteVersion } from './promote.js';
import type { RollbackRequest, RollbackResult } from './types.js';

const ROLLBACK_STAGES = ['production', 'staging'] as const;

export async function rollback(client: ZenmlClient, req: RollbackRequest): Promise<RollbackResult> {
  const log = req.log;
  const reason = (req.reason ?? '').trim();
  if (!reason) throw new InputError('reason', 'is required: say why the stage is rolled back (it is recorded on the restored version).');
  const stage = checkTargetStage(req.stage || 'production', 'stage', ROLLBACK_STAGES);

  const project = await resolveProject(client, req.project);
  const model = await resolveModel(client, project, req.model);
  const t: StageTarget = { client, projectId: project.id, modelId: model.id, modelName: model.name, stage };
  const holder = await currentHolder(t);
  if (!holder) {
    throw new InputError('stage', `no version of model '${model.name}' holds ${stage}: there is nothing to roll back (use promote to put a version there).`);
  }

  const target = await rollbackTarget(client, { project, model, t }, holder, req.toVersion, log);
  if (target.id === holder.id) {
    throw new InputError('to-version', `${shortLabel(holder)} already holds ${stage}: name a different version to roll back to.`);
  }
  const r = await promoteVersion(t, target, {
    kind: 'rollback',
    force: false,
    expectedCurrentVersion: versionName(holder),
    dryRun: req.dryRun,
    run: req.run,
    reason,
    log,
  });
  return { modelVersionId: r.modelVersionId, version: r.version, rolledBackFrom: ref(holder), stage, dryRun: r.dryRun, plan: r.plan };
}

async function rollbackTarget(
  client: ZenmlClient,
  { project, model, t }: { project: Project; model: Model; t: StageTarget },
  holder: ModelVersionResponse,
  toVersion: string | undefined,
  log: (line: string) => void,
): Promise<ModelVersionResponse> {
  if (toVersion?.trim()) {
    const v = await asInput('version', 'to-version', () => resolveModelVersion(client, project, model, toVersion));
    log(`Rolling back to ${shortLabel(v)} (to-version).`);
    return v;
  }

  // The holder's own record of whom it displaced.
  const current = await getVersion(client, holder.id);
  const last = lastEventInto(historyOf(current, log), t.stage);
  if (last?.previousHolder) {
    try {
      const v = await getVersion(client, last.previousHolder.id);
      log(`Rolling back to ${shortLabel(v)}: it held ${t.stage} before ${shortLabel(holder)} (promotion history of ${shortLabel(holder)}, ${last.at}).`);
      return v;
    } catch (e) {
      if (!(e instanceof ZenmlApiError && e.status === 404)) throw e;
      log(`${shortLabel(holder)}'s history names ${last.previousHolder.version} (${last.previousHolder.id}) as the previous holder, but it no longer exists; looking at archived versions.`);
    }
  }

  // No record on the holder: the archived version most recently moved into the stage.
  let best: { mv: ModelVersionResponse; at: string } | undefined;
  const q = { project: t.projectId, model: t.modelId, stage: 'archived', hydrate: true, sort_by: 'desc:number' };
  for await (const mv of client.paginate('/api/v1/model_versions', q, ModelVersionResponseSchema)) {
    if (mv.id === holder.id || mv.body?.stage !== 'archived') continue;
    const e = lastEventInto(historyOf(mv, log), t.stage);
    if (e && (!best || e.at > best.at)) best = { mv, at: e.at };
  }
  if (best) {
    log(`Rolling back to ${shortLabel(best.mv)}: the archived version most recently promoted to ${t.stage} (${best.at}); ${shortLabel(holder)}'s history names no previous holder.`);
    return best.mv;
  }
  throw new InputError(
    'to-version',
    `nothing to roll back to: ${shortLabel(holder)} of '${t.modelName}' holds ${t.stage}, its promotion history names no previous holder, ` +
      `and no archived version has a recorded promotion to ${t.stage}. Name the version to restore with to-version (a number or version name).`,
  );
}
