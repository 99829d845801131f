/** Pipelines and pipeline builds (API.md §6.5, §6.6). */
import { asObject, optBool, optObject, optString, optStringArray, optUuid, reqString } from '../body.js';
import { createBuild, createPipeline } from '../domain/stacks.js';
import type { FieldSpec } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { BuildImage, BuildRec, PipelineRec, RunRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { buildView, pipelineView } from '../views/pipelines.js';
import { uuidParam } from './params.js';
import { createProjectScope, listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

function latestRunOf(store: Store, pipelineId: string): RunRec | null {
  let best: RunRec | null = null;
  for (const r of store.runs.values()) if (r.pipelineId === pipelineId && (best === null || r.created > best.created)) best = r;
  return best;
}

function pipelineFields(store: Store): Record<string, FieldSpec<PipelineRec>> {
  return {
    ...baseFields<PipelineRec>(),
    name: { kind: 'str', get: (p) => p.name },
    latest_run_status: { kind: 'str', get: (p) => latestRunOf(store, p.id)?.status ?? null },
  };
}

const buildFields: Record<string, FieldSpec<BuildRec>> = {
  ...baseFields<BuildRec>(),
  pipeline_id: { kind: 'uuid', get: (b) => b.pipelineId },
  stack_id: { kind: 'uuid', get: (b) => b.stackId },
  is_local: { kind: 'bool', get: (b) => b.isLocal },
  contains_code: { kind: 'bool', get: (b) => b.containsCode },
  zenml_version: { kind: 'str', get: (b) => b.zenmlVersion },
  python_version: { kind: 'str', get: (b) => b.pythonVersion },
  checksum: { kind: 'str', get: (b) => b.checksum },
  stack_checksum: { kind: 'str', get: (b) => b.stackChecksum },
};

export const pipelineRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/pipelines',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.pipelines.values(),
        ctx.query,
        {
          fields: pipelineFields(store),
          custom: {
            user: userFilter(store),
            tags: tagsFilter(store, 'pipeline'),
            // The user of the latest run (name or id).
            latest_run_user: (values) => (p) =>
              values.every((raw) => {
                const userId = latestRunOf(store, p.id)?.userId;
                const user = userId ? store.users.get(userId) : undefined;
                return user !== undefined && (user.name === raw || user.id === raw.toLowerCase());
              }),
          },
        },
        [(p) => p.projectId === project.id],
      );
      return json(mapPage(page, (p) => pipelineView(store, p, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/pipelines',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const name = reqString(b, 'name');
      const description = optString(b, 'description');
      const tags = optStringArray(b, 'tags');
      const project = createProjectScope(ctx, b);
      const p = createPipeline(store, { projectId: project.id, name, description, tags }, ctx.userId);
      return json(pipelineView(store, p, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/pipelines/{pipeline_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const p = store.mustGet(store.pipelines, uuidParam(ctx, 'pipeline_id'), 'pipeline');
      return json(pipelineView(store, p, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/pipeline_builds',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.builds.values(),
        ctx.query,
        { fields: buildFields, custom: { user: userFilter(store) } },
        [(b) => b.projectId === project.id],
      );
      return json(mapPage(page, (b) => buildView(store, b, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/pipeline_builds',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const pipelineId = optUuid(b, 'pipeline');
      const stackId = optUuid(b, 'stack');
      const images = optObject(b, 'images') as Record<string, BuildImage> | undefined;
      const isLocal = optBool(b, 'is_local');
      const containsCode = optBool(b, 'contains_code');
      const project = createProjectScope(ctx, b);
      if (pipelineId) store.mustGet(store.pipelines, pipelineId, 'pipeline');
      if (stackId) store.mustGet(store.stacks, stackId, 'stack');
      const build = createBuild(
        store,
        {
          projectId: project.id,
          pipelineId,
          stackId,
          images,
          isLocal,
          containsCode,
          zenmlVersion: optString(b, 'zenml_version'),
          pythonVersion: optString(b, 'python_version'),
          checksum: optString(b, 'checksum'),
          stackChecksum: optString(b, 'stack_checksum'),
        },
        ctx.userId,
      );
      return json(buildView(store, build, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/pipeline_builds/{build_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = store.mustGet(store.builds, uuidParam(ctx, 'build_id'), 'pipeline_build');
      return json(buildView(store, b, ctx.query.bool('hydrate', true)));
    },
  },
];
