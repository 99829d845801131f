/**
 * Model versions (API.md §3.2–§3.5). The list needs a model scope (400 without
 * it); `/models/{model_name_or_id}/model_versions` takes it from the path.
 */
import type { Obj } from '../body.js';
import { asObject, enumValue, optBool, optString, optStringArray, optUuid } from '../body.js';
import { invalid, keyError, valueError } from '../errors.js';
import type { FieldSpec } from '../filters.js';
import { metadataPredicate } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route, RouteContext } from '../router.js';
import { json } from '../router.js';
import type { ModelRec, ModelVersionRec } from '../store/records.js';
import type { ModelStage } from '../domain/models.js';
import { createModelVersion, MODEL_STAGES, updateModelVersion } from '../domain/models.js';
import { modelVersionView } from '../views/models.js';
import { uuidParam } from './params.js';
import { createProjectScope, listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

const fields: Record<string, FieldSpec<ModelVersionRec>> = {
  ...baseFields<ModelVersionRec>(),
  name: { kind: 'str', get: (v) => v.name },
  number: { kind: 'int', get: (v) => v.number },
  stage: { kind: 'str', get: (v) => v.stage },
};

function listVersions(ctx: RouteContext, modelRef: string | undefined) {
  const { store } = ctx.app;
  const project = listProject(ctx);
  if (modelRef === undefined || modelRef === '') throw valueError('Model scope missing from the filter.');
  const model: ModelRec | undefined = store.modelByNameOrId(project.id, modelRef);
  if (!model) throw keyError(`No model with name or ID '${modelRef}' found in project '${project.name}'.`);
  const { page, paging } = runList(
    store.modelVersions.values(),
    ctx.query,
    {
      fields,
      custom: {
        user: userFilter(store),
        tags: tagsFilter(store, 'model_version'),
        run_metadata: (values) => {
          const preds = values.map((raw) => metadataPredicate(raw, (id) => store.latestMetadata('model_version', id)));
          return (v) => preds.every((p) => p(v.id));
        },
      },
    },
    [(v) => v.modelId === model.id],
  );
  return json(mapPage(page, (v) => modelVersionView(store, v, paging.hydrate)));
}

function stageField(b: Obj): ModelStage | undefined {
  if (b['stage'] === undefined || b['stage'] === null) return undefined;
  return enumValue(b['stage'], MODEL_STAGES, ['body', 'stage']);
}

export const modelVersionRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/model_versions',
    auth: true,
    handler: (ctx) => listVersions(ctx, ctx.query.get('model')),
  },
  {
    method: 'GET',
    template: '/api/v1/models/{model_name_or_id}/model_versions',
    auth: true,
    handler: (ctx) => listVersions(ctx, ctx.params['model_name_or_id']),
  },
  {
    method: 'POST',
    template: '/api/v1/model_versions',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const modelFromQuery = ctx.query.uuid('model_id');
      const modelId = modelFromQuery ?? optUuid(b, 'model');
      if (modelId === undefined) throw invalid(['body', 'model'], 'Field required', 'missing');
      const name = optString(b, 'name');
      const description = optString(b, 'description');
      const stage = stageField(b);
      const tags = optStringArray(b, 'tags');
      const project = createProjectScope(ctx, b);
      const model = store.mustGet(store.models, modelId, 'model');
      const mv = createModelVersion(
        store,
        { projectId: project.id, modelId: model.id, name, description, stage, tags },
        ctx.userId,
      );
      return json(modelVersionView(store, mv, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/model_versions/{model_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const mv = store.mustGet(store.modelVersions, uuidParam(ctx, 'model_version_id'), 'model_version');
      return json(modelVersionView(store, mv, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'PUT',
    template: '/api/v1/model_versions/{model_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const id = uuidParam(ctx, 'model_version_id');
      const b = asObject(ctx.json());
      // Body validation (422) happens before the lookup (404), like FastAPI.
      const update = {
        stage: stageField(b),
        force: optBool(b, 'force'),
        name: optString(b, 'name'),
        description: optString(b, 'description'),
        addTags: optStringArray(b, 'add_tags'),
        removeTags: optStringArray(b, 'remove_tags'),
      };
      const mv = store.mustGet(store.modelVersions, id, 'model_version');
      return json(modelVersionView(store, updateModelVersion(store, mv, update, ctx.userId), true));
    },
  },
  {
    // ZenML deletes the version with its links, tags and run metadata; files are not touched.
    method: 'DELETE',
    template: '/api/v1/model_versions/{model_version_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const mv = store.mustGet(store.modelVersions, uuidParam(ctx, 'model_version_id'), 'model_version');
      store.deleteResource('model_version', mv.id);
      return json(null);
    },
  },
];
