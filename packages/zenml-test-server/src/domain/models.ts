/**
 * Model and model-version rules (API.md §3): per-project model names,
 * version numbering (max+1), custom version-name rules, and the stage/force
 * semantics of `update_model_version`.
 */
import { entityExists, runtimeError, valueError } from '../errors.js';
import type { ModelRec, ModelVersionRec } from '../store/records.js';
import type { Store } from '../store/store.js';

/** ModelStages (enums.py). `latest` is virtual: no stored row should be filtered by it. */
export const MODEL_STAGES = ['none', 'staging', 'production', 'archived', 'latest'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

export interface ModelInput {
  projectId: string;
  name: string;
  license?: string | undefined;
  description?: string | undefined;
  audience?: string | undefined;
  useCases?: string | undefined;
  limitations?: string | undefined;
  tradeOffs?: string | undefined;
  ethics?: string | undefined;
  tags?: string[] | undefined;
  saveModelsToRegistry?: boolean | undefined;
}

export function createModel(store: Store, input: ModelInput, userId: string | null): ModelRec {
  for (const m of store.models.values()) {
    if (m.projectId === input.projectId && m.name === input.name) {
      // Wording of capture 13-create-model-duplicate.json.
      throw entityExists(`Unable to create model ${input.name}: A model with this name already exists.`);
    }
  }
  const model: ModelRec = {
    ...store.base(userId),
    projectId: input.projectId,
    name: input.name,
    license: input.license ?? null,
    description: input.description ?? null,
    audience: input.audience ?? null,
    useCases: input.useCases ?? null,
    limitations: input.limitations ?? null,
    tradeOffs: input.tradeOffs ?? null,
    ethics: input.ethics ?? null,
    saveModelsToRegistry: input.saveModelsToRegistry ?? true,
  };
  store.models.set(model.id, model);
  store.applyTagNames('model', model.id, input.tags, undefined, userId);
  return model;
}

export interface ModelUpdateInput {
  name?: string | undefined;
  license?: string | undefined;
  description?: string | undefined;
  audience?: string | undefined;
  useCases?: string | undefined;
  limitations?: string | undefined;
  tradeOffs?: string | undefined;
  ethics?: string | undefined;
  saveModelsToRegistry?: boolean | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
}

export function updateModel(store: Store, model: ModelRec, u: ModelUpdateInput, userId: string | null): ModelRec {
  if (u.name !== undefined && u.name !== model.name) {
    for (const m of store.models.values()) {
      if (m.projectId === model.projectId && m.name === u.name) {
        throw entityExists(`Unable to update model ${model.name}: A model with name ${u.name} already exists.`);
      }
    }
    model.name = u.name;
  }
  if (u.license !== undefined) model.license = u.license;
  if (u.description !== undefined) model.description = u.description;
  if (u.audience !== undefined) model.audience = u.audience;
  if (u.useCases !== undefined) model.useCases = u.useCases;
  if (u.limitations !== undefined) model.limitations = u.limitations;
  if (u.tradeOffs !== undefined) model.tradeOffs = u.tradeOffs;
  if (u.ethics !== undefined) model.ethics = u.ethics;
  if (u.saveModelsToRegistry !== undefined) model.saveModelsToRegistry = u.saveModelsToRegistry;
  store.applyTagNames('model', model.id, u.addTags, u.removeTags, userId);
  store.touch(model);
  return model;
}

/**
 * Custom version names can't be purely numeric (numbers are reserved for
 * `number`) and can't equal a stage name (API.md §3.5). ValueError → 400.
 */
export function checkVersionName(name: string): void {
  if (/^\d+$/.test(name)) {
    throw valueError(
      `Invalid model version name '${name}': numeric model version names are reserved for the version number.`,
    );
  }
  if ((MODEL_STAGES as readonly string[]).includes(name.toLowerCase())) {
    throw valueError(
      `Invalid model version name '${name}': it matches one of the model version stages (${MODEL_STAGES.join(', ')}).`,
    );
  }
}

function checkVersionNameFree(store: Store, modelId: string, name: string, exceptId: string | null): void {
  for (const v of store.versionsOfModel(modelId)) {
    if (v.name === name && v.id !== exceptId) {
      const model = store.models.get(modelId);
      throw entityExists(
        `Unable to create model version ${name}: A model version with this name already exists in model ${model?.name ?? modelId}.`,
      );
    }
  }
}

/**
 * Moves `mv` to `stage`. Another version of the same model already in that
 * stage (any stage, `archived` and `none` included) makes this a 500
 * RuntimeError unless `force`, in which case that holder becomes `archived`
 * (API.md §3.4, capture 21/22).
 */
export function setStage(store: Store, mv: ModelVersionRec, stage: ModelStage, force: boolean): void {
  const holder = store
    .versionsOfModel(mv.modelId)
    .find((v) => v.id !== mv.id && v.stage === stage);
  if (holder) {
    if (!force) throw runtimeError(`Model version ${holder.name} is in ${stage}, but \`force\` flag is False.`);
    holder.stage = 'archived';
    store.touch(holder);
  }
  mv.stage = stage;
}

export interface ModelVersionInput {
  projectId: string;
  modelId: string;
  name?: string | undefined;
  description?: string | undefined;
  stage?: ModelStage | undefined;
  tags?: string[] | undefined;
}

export function createModelVersion(store: Store, input: ModelVersionInput, userId: string | null): ModelVersionRec {
  if (input.name !== undefined) {
    checkVersionName(input.name);
    checkVersionNameFree(store, input.modelId, input.name, null);
  }
  // Numbers are max+1 per model; the server always assigns them (API.md §3.5).
  const number = store.versionsOfModel(input.modelId).reduce((max, v) => Math.max(max, v.number), 0) + 1;
  const mv: ModelVersionRec = {
    ...store.base(userId),
    projectId: input.projectId,
    modelId: input.modelId,
    name: input.name ?? String(number),
    number,
    stage: null,
    description: input.description ?? null,
  };
  if (input.stage !== undefined) {
    // Validate before inserting, so a refused stage leaves nothing behind.
    const holder = store.versionsOfModel(input.modelId).find((v) => v.stage === input.stage);
    if (holder) throw runtimeError(`Model version ${holder.name} is in ${input.stage}, but \`force\` flag is False.`);
    mv.stage = input.stage;
  }
  store.modelVersions.set(mv.id, mv);
  store.applyTagNames('model_version', mv.id, input.tags, undefined, userId);
  return mv;
}

export interface ModelVersionUpdateInput {
  stage?: ModelStage | undefined;
  force?: boolean | undefined;
  name?: string | undefined;
  description?: string | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
}

export function updateModelVersion(
  store: Store,
  mv: ModelVersionRec,
  u: ModelVersionUpdateInput,
  userId: string | null,
): ModelVersionRec {
  if (u.name !== undefined && u.name !== mv.name) {
    checkVersionName(u.name);
    checkVersionNameFree(store, mv.modelId, u.name, mv.id);
  }
  // All checks first, then mutate: the real update runs in one transaction.
  if (u.stage !== undefined) setStage(store, mv, u.stage, u.force ?? false);
  if (u.name !== undefined) mv.name = u.name;
  if (u.description !== undefined) mv.description = u.description;
  store.applyTagNames('model_version', mv.id, u.addTags, u.removeTags, userId);
  store.touch(mv);
  return mv;
}
