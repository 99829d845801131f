/**
 * Model-version link tables (API.md §3.7, §4.2): `model_version_artifacts` and
 * `model_version_pipeline_runs`. Both POSTs are idempotent.
 */
import { asObject, reqUuid } from '../body.js';
import { linkArtifactVersion, linkKind, linkPipelineRun } from '../domain/artifacts.js';
import type { FieldSpec } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import { parseBool } from '../query.js';
import type { ModelVersionArtifactLinkRec, ModelVersionRunLinkRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { mvArtifactLinkView, mvRunLinkView } from '../views/artifacts.js';

function artifactLinkFields(store: Store): Record<string, FieldSpec<ModelVersionArtifactLinkRec>> {
  const artifactOf = (l: ModelVersionArtifactLinkRec) => {
    const av = store.artifactVersions.get(l.artifactVersionId);
    return av ? store.artifacts.get(av.artifactId) : undefined;
  };
  return {
    ...baseFields<ModelVersionArtifactLinkRec>(),
    model_version_id: { kind: 'uuid', get: (l) => l.modelVersionId },
    artifact_version_id: { kind: 'uuid', get: (l) => l.artifactVersionId },
    artifact_name: { kind: 'str', get: (l) => artifactOf(l)?.name ?? null },
    has_custom_name: { kind: 'bool', get: (l) => artifactOf(l)?.hasCustomName ?? false },
  };
}

/** `only_*_artifacts=true` keeps links of that kind (from the artifact type). */
function kindFilter(store: Store, kind: 'model' | 'data' | 'deployment') {
  return (values: string[]) => {
    const on = values.some((v) => parseBool(v) === true);
    return (l: ModelVersionArtifactLinkRec) => {
      if (!on) return true;
      const av = store.artifactVersions.get(l.artifactVersionId);
      return av !== undefined && linkKind(av.type) === kind;
    };
  };
}

function runLinkFields(store: Store): Record<string, FieldSpec<ModelVersionRunLinkRec>> {
  return {
    ...baseFields<ModelVersionRunLinkRec>(),
    model_version_id: { kind: 'uuid', get: (l) => l.modelVersionId },
    pipeline_run_id: { kind: 'uuid', get: (l) => l.pipelineRunId },
    pipeline_run_name: { kind: 'str', get: (l) => store.runs.get(l.pipelineRunId)?.name ?? null },
  };
}

export const linkRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/model_version_artifacts',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const { page, paging } = runList(store.mvArtifactLinks.values(), ctx.query, {
        fields: artifactLinkFields(store),
        custom: {
          user: userFilter(store),
          only_data_artifacts: kindFilter(store, 'data'),
          only_model_artifacts: kindFilter(store, 'model'),
          only_deployment_artifacts: kindFilter(store, 'deployment'),
        },
      });
      return json(mapPage(page, (l) => mvArtifactLinkView(store, l, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/model_version_artifacts',
    auth: true,
    handler: (ctx) => {
      const b = asObject(ctx.json());
      const mv = reqUuid(b, 'model_version');
      const av = reqUuid(b, 'artifact_version');
      const link = linkArtifactVersion(ctx.app.store, mv, av, ctx.userId);
      return json(mvArtifactLinkView(ctx.app.store, link, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/model_version_pipeline_runs',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const { page, paging } = runList(store.mvRunLinks.values(), ctx.query, {
        fields: runLinkFields(store),
        custom: { user: userFilter(store) },
      });
      return json(mapPage(page, (l) => mvRunLinkView(store, l, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/model_version_pipeline_runs',
    auth: true,
    handler: (ctx) => {
      const b = asObject(ctx.json());
      const mv = reqUuid(b, 'model_version');
      const run = reqUuid(b, 'pipeline_run');
      const link = linkPipelineRun(ctx.app.store, mv, run, ctx.userId);
      return json(mvRunLinkView(ctx.app.store, link, true));
    },
  },
];
