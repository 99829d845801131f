/** Models (API.md §3.1): list by name/tags, get by UUID only, create (409 on duplicate), update. */
import { asObject, optBool, optString, optStringArray, reqString } from '../body.js';
import type { FieldSpec } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { ModelRec } from '../store/records.js';
import { createModel, updateModel } from '../domain/models.js';
import { modelView } from '../views/models.js';
import { uuidParam } from './params.js';
import { createProjectScope, listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

const fields: Record<string, FieldSpec<ModelRec>> = {
  ...baseFields<ModelRec>(),
  name: { kind: 'str', get: (m) => m.name },
};

export const modelRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/models',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.models.values(),
        ctx.query,
        { fields, custom: { user: userFilter(store), tags: tagsFilter(store, 'model') } },
        [(m) => m.projectId === project.id],
      );
      return json(mapPage(page, (m) => modelView(store, m, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/models',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const name = reqString(b, 'name');
      const project = createProjectScope(ctx, b);
      const model = createModel(
        store,
        {
          projectId: project.id,
          name,
          license: optString(b, 'license'),
          description: optString(b, 'description'),
          audience: optString(b, 'audience'),
          useCases: optString(b, 'use_cases'),
          limitations: optString(b, 'limitations'),
          tradeOffs: optString(b, 'trade_offs'),
          ethics: optString(b, 'ethics'),
          tags: optStringArray(b, 'tags'),
          saveModelsToRegistry: optBool(b, 'save_models_to_registry'),
        },
        ctx.userId,
      );
      return json(modelView(store, model, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/models/{model_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const model = store.mustGet(store.models, uuidParam(ctx, 'model_id'), 'model');
      return json(modelView(store, model, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'PUT',
    template: '/api/v1/models/{model_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const id = uuidParam(ctx, 'model_id');
      const b = asObject(ctx.json());
      const update = {
        name: optString(b, 'name'),
        license: optString(b, 'license'),
        description: optString(b, 'description'),
        audience: optString(b, 'audience'),
        useCases: optString(b, 'use_cases'),
        limitations: optString(b, 'limitations'),
        tradeOffs: optString(b, 'trade_offs'),
        ethics: optString(b, 'ethics'),
        saveModelsToRegistry: optBool(b, 'save_models_to_registry'),
        addTags: optStringArray(b, 'add_tags'),
        removeTags: optStringArray(b, 'remove_tags'),
      };
      const model = store.mustGet(store.models, id, 'model');
      return json(modelView(store, updateModel(store, model, update, ctx.userId), true));
    },
  },
];
