/** Views of models and model versions (API.md §3.1, §3.2). */
import { formatMicros } from '../clock.js';
import type { JsonObject } from '../envelope.js';
import { emptyPage, entity } from '../envelope.js';
import type { ModelRec, ModelVersionRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { tagList, userRef } from './core.js';

export function modelView(store: Store, model: ModelRec, hydrate: boolean): JsonObject {
  const latest = store.latestVersionOf(model.id);
  return entity({
    id: model.id,
    name: model.name,
    body: {
      created: formatMicros(model.created),
      updated: formatMicros(model.updated),
      user_id: model.userId,
      project_id: model.projectId,
    },
    metadata: hydrate
      ? {
          license: model.license,
          description: model.description,
          audience: model.audience,
          use_cases: model.useCases,
          limitations: model.limitations,
          trade_offs: model.tradeOffs,
          ethics: model.ethics,
          save_models_to_registry: model.saveModelsToRegistry,
        }
      : null,
    resources: {
      user: userRef(store, model.userId),
      tags: tagList(store, 'model', model.id),
      latest_version_name: latest?.name ?? null,
      latest_version_id: latest?.id ?? null,
      visualizations: [],
    },
  });
}

export function modelVersionView(store: Store, mv: ModelVersionRec, hydrate: boolean): JsonObject {
  const model = store.models.get(mv.modelId);
  return entity({
    id: mv.id,
    name: mv.name,
    body: {
      created: formatMicros(mv.created),
      updated: formatMicros(mv.updated),
      user_id: mv.userId,
      project_id: mv.projectId,
      stage: mv.stage,
      number: mv.number,
      model: model ? modelView(store, model, false) : null,
    },
    metadata: hydrate
      ? {
          description: mv.description,
          run_metadata: store.latestMetadata('model_version', mv.id) as JsonObject,
        }
      : null,
    resources: {
      user: userRef(store, mv.userId),
      services: emptyPage<JsonObject>() as unknown as JsonObject,
      tags: tagList(store, 'model_version', mv.id),
    },
  });
}
