/**
 * The last step: moving the new version to a stage with the server's `force` rules. A stage held
 * by another version needs `force: true` (the holder is archived); without it the server answers
 * 500 RuntimeError, which becomes one line naming the holder and the input to set.
 */
import { InputError, ZenmlApiError } from '../errors.js';
import { ModelVersionResponseSchema, parseResponse, type ModelVersionResponse, type ZenmlClient } from '../zenml/index.js';

/** Stages a version can be moved to (`latest` is virtual: the newest version). */
export const SETTABLE_STAGES = ['none', 'staging', 'production', 'archived'] as const;

/** The normalised stage, or undefined when none was asked for. */
export function checkStage(stage: string | undefined): string | undefined {
  const s = stage?.trim().toLowerCase();
  if (!s) return undefined;
  if (s === 'latest') throw new InputError('stage', "'latest' is not a stage a version can be moved to (it means the newest version).");
  if (!(SETTABLE_STAGES as readonly string[]).includes(s)) {
    throw new InputError('stage', `'${stage}' is not a ZenML model stage; use one of ${SETTABLE_STAGES.join(', ')}.`);
  }
  return s;
}

/** The version of the model that holds `stage`, if any. */
export async function stageHolder(
  client: ZenmlClient,
  projectId: string,
  modelId: string,
  stage: string,
): Promise<ModelVersionResponse | undefined> {
  const q = { project: projectId, model: modelId, stage, size: 5 };
  for await (const mv of client.paginate('/api/v1/model_versions', q, ModelVersionResponseSchema)) {
    if (mv.body?.stage === stage) return mv;
  }
  return undefined;
}

export function versionLabel(mv: ModelVersionResponse): string {
  const name = mv.name ?? String(mv.body?.number ?? '?');
  return `version ${name} (#${mv.body?.number ?? '?'}, ${mv.id})`;
}

/** Moves `mv` to `stage`; false when it already was there. */
export async function ensureStage(
  client: ZenmlClient,
  ctx: { projectId: string; modelId: string; modelName: string },
  mv: ModelVersionResponse,
  stage: string,
  force: boolean,
): Promise<{ changed: boolean; version: ModelVersionResponse }> {
  if (mv.body?.stage === stage) return { changed: false, version: mv };
  try {
    const { data } = await client.api.PUT('/api/v1/model_versions/{model_version_id}', {
      params: { path: { model_version_id: mv.id } },
      body: { stage: stage as (typeof SETTABLE_STAGES)[number], force },
    });
    return { changed: true, version: parseResponse(ModelVersionResponseSchema, data, 'PUT /api/v1/model_versions/{id}') };
  } catch (e) {
    if (!force && isStageOccupied(e)) {
      const holder = await stageHolder(client, ctx.projectId, ctx.modelId, stage).catch(() => undefined);
      const who = holder ? `${versionLabel(holder)} of model '${ctx.modelName}'` : `another version of model '${ctx.modelName}'`;
      throw new InputError(
        'force',
        `stage '${stage}' is held by ${who}. Set force: true to archive it and move the imported version there; the import is otherwise complete, and a re-run with force only sets the stage.`,
      );
    }
    throw e;
  }
}

/** 500 RuntimeError "… is in <stage>, but `force` flag is False." (API.md §3.4). */
export function isStageOccupied(e: unknown): boolean {
  return e instanceof ZenmlApiError && e.status === 500 && /force/i.test(e.serverMessage);
}
