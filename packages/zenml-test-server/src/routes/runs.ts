/**
 * Pipeline runs and step runs (API.md §6.4). GET /runs/{id} and /runs/{id}/status
 * count as polls, which drives runs that have an auto-progress schedule.
 */
import { pollRun } from '../domain/runs.js';
import { isFinished } from '../domain/status.js';
import type { FieldSpec } from '../filters.js';
import { fieldPredicate, metadataPredicate } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Predicate } from '../list.js';
import type { Route, RouteContext } from '../router.js';
import { json } from '../router.js';
import type { RunRec, StepRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isUuid, normalizeUuid } from '../store/store.js';
import { runView, stepView } from '../views/pipelines.js';
import { uuidParam } from './params.js';
import { listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

const runFields: Record<string, FieldSpec<RunRec>> = {
  ...baseFields<RunRec>(),
  name: { kind: 'str', get: (r) => r.name },
  pipeline_id: { kind: 'uuid', get: (r) => r.pipelineId },
  snapshot_id: { kind: 'uuid', get: (r) => r.snapshotId },
  source_snapshot_id: { kind: 'uuid', get: (r) => r.sourceSnapshotId },
  status: { kind: 'str', get: (r) => r.status },
  in_progress: { kind: 'bool', get: (r) => !isFinished(r.status) },
  start_time: { kind: 'datetime', get: (r) => r.startTime },
  end_time: { kind: 'datetime', get: (r) => r.endTime },
  model_version_id: { kind: 'uuid', get: (r) => r.modelVersionId },
  index: { kind: 'int', get: (r) => r.index },
  orchestrator_run_id: { kind: 'str', get: (r) => r.orchestratorRunId },
};

/** Filter on a related row by name (op syntax) or UUID. */
function relatedByNameOrId<T extends { name: string }>(
  param: string,
  rows: Map<string, T>,
  idOf: (r: RunRec) => string | null,
): (values: string[]) => Predicate<RunRec> {
  return (values) => {
    const preds = values.map((raw) => fieldPredicate<T>(param, { kind: 'str', get: (x) => x.name }, raw));
    return (r) =>
      values.every((raw, i) => {
        const id = idOf(r);
        if (id === null) return false;
        if (isUuid(raw) && normalizeUuid(raw) === id) return true;
        const row = rows.get(id);
        return row !== undefined && (preds[i]?.(row) ?? false);
      });
  };
}

function runCustom(store: Store, projectId: string): Record<string, (values: string[]) => Predicate<RunRec>> {
  const linked = (runId: string, mvId: string) => {
    for (const l of store.mvRunLinks.values()) if (l.pipelineRunId === runId && l.modelVersionId === mvId) return true;
    return false;
  };
  return {
    user: userFilter(store),
    tags: tagsFilter(store, 'pipeline_run'),
    run_metadata: (values) => {
      const preds = values.map((raw) => metadataPredicate(raw, (id) => store.latestMetadata('pipeline_run', id)));
      return (r) => preds.every((p) => p(r.id));
    },
    pipeline: relatedByNameOrId('pipeline', store.pipelines, (r) => r.pipelineId),
    stack: relatedByNameOrId('stack', store.stacks, (r) => r.stackId),
    linked_to_model_version_id: (values) => (r) =>
      values.every((v) => isUuid(v) && (linked(r.id, normalizeUuid(v)) || r.modelVersionId === normalizeUuid(v))),
    model: (values) => (r) =>
      values.every((v) => {
        const model = store.modelByNameOrId(projectId, v);
        if (!model) return false;
        const mv = r.modelVersionId ? store.modelVersions.get(r.modelVersionId) : undefined;
        if (mv?.modelId === model.id) return true;
        for (const l of store.mvRunLinks.values()) {
          if (l.pipelineRunId === r.id && store.modelVersions.get(l.modelVersionId)?.modelId === model.id) return true;
        }
        return false;
      }),
  };
}

const stepFields: Record<string, FieldSpec<StepRec>> = {
  ...baseFields<StepRec>(),
  name: { kind: 'str', get: (s) => s.name },
  status: { kind: 'str', get: (s) => s.status },
  pipeline_run_id: { kind: 'uuid', get: (s) => s.runId },
  start_time: { kind: 'datetime', get: (s) => s.startTime },
  end_time: { kind: 'datetime', get: (s) => s.endTime },
};

function listSteps(ctx: RouteContext, runId: string | null) {
  const { store } = ctx.app;
  const scope: Predicate<StepRec>[] = runId ? [(s) => s.runId === runId] : [];
  // Steps are filtered by project only when one is asked for: API.md doesn't list them as project-scoped.
  const project = ctx.query.get('project');
  if (project !== undefined) {
    const p = store.mustProject(project);
    scope.push((s) => s.projectId === p.id);
  }
  const { page, paging } = runList(store.steps.values(), ctx.query, { fields: stepFields, custom: { user: userFilter(store) } }, scope);
  return json(mapPage(page, (s) => stepView(store, s, paging.hydrate)));
}

export const runRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/runs',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const { page, paging } = runList(
        store.runs.values(),
        ctx.query,
        { fields: runFields, custom: runCustom(store, project.id) },
        [(r) => r.projectId === project.id],
      );
      return json(mapPage(page, (r) => runView(store, r, paging.hydrate)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/runs/{run_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const run = store.mustGet(store.runs, uuidParam(ctx, 'run_id'), 'pipeline_run');
      const hydrate = ctx.query.bool('hydrate', true);
      pollRun(store, run);
      return json(runView(store, run, hydrate));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/runs/{run_id}/status',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const run = store.mustGet(store.runs, uuidParam(ctx, 'run_id'), 'pipeline_run');
      pollRun(store, run);
      // Just the ExecutionStatus string.
      return json(run.status);
    },
  },
  {
    method: 'GET',
    template: '/api/v1/runs/{run_id}/steps',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const run = store.mustGet(store.runs, uuidParam(ctx, 'run_id'), 'pipeline_run');
      return listSteps(ctx, run.id);
    },
  },
  {
    method: 'GET',
    template: '/api/v1/steps',
    auth: true,
    handler: (ctx) => listSteps(ctx, null),
  },
];
