/**
 * Pipeline snapshots (API.md §6.2, §6.3). The trigger route exists only in pro
 * mode (a plain OSS server has no workload manager, so it 404s).
 */
import type { Obj } from '../body.js';
import { asObject, optBool, optObject, optString, optStringArray, optUuid, reqString, reqUuid } from '../body.js';
import { createSnapshot, updateSnapshot } from '../domain/snapshots.js';
import { triggerSnapshot } from '../domain/runs.js';
import { invalid } from '../errors.js';
import type { FieldSpec } from '../filters.js';
import { fieldPredicate } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import { parseBool } from '../query.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { SnapshotRec } from '../store/records.js';
import { isUuid, normalizeUuid } from '../store/store.js';
import { runView, snapshotView } from '../views/pipelines.js';
import { uuidParam } from './params.js';
import { createProjectScope, listProject } from './scope.js';
import { tagsFilter } from './tag-filter.js';

const fields: Record<string, FieldSpec<SnapshotRec>> = {
  ...baseFields<SnapshotRec>(),
  name: { kind: 'str', get: (s) => s.name },
  runnable: { kind: 'bool', get: (s) => s.runnable },
  deployable: { kind: 'bool', get: (s) => s.deployable },
  build_id: { kind: 'uuid', get: (s) => s.buildId },
  source_snapshot_id: { kind: 'uuid', get: (s) => s.sourceSnapshotId },
  // No schedules or deployments exist on the test server.
  schedule_id: { kind: 'uuid', get: () => null },
  deployed: { kind: 'bool', get: () => false },
};

/** `name: false` removes the name; otherwise a string. */
function nameUpdate(b: Obj): string | false | undefined {
  const v = b['name'];
  if (v === undefined || v === null) return undefined;
  if (v === false || typeof v === 'string') return v;
  throw invalid(['body', 'name'], 'Input should be a valid string or false', 'union_type', v);
}

export const snapshotRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/pipeline_snapshots',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const project = listProject(ctx);
      const byNameOrId = <T extends { id: string; name: string }>(param: string, rows: Map<string, T>, idOf: (s: SnapshotRec) => string | null) =>
        (values: string[]) => {
          const preds = values.map((raw) => fieldPredicate<T>(param, { kind: 'str', get: (r) => r.name }, raw));
          return (s: SnapshotRec) =>
            values.every((raw, i) => {
              const id = idOf(s);
              if (id === null) return false;
              if (isUuid(raw) && id === normalizeUuid(raw)) return true;
              const row = rows.get(id);
              return row !== undefined && (preds[i]?.(row) ?? false);
            });
        };
      const { page, paging } = runList(
        store.snapshots.values(),
        ctx.query,
        {
          fields,
          custom: {
            user: userFilter(store),
            tags: tagsFilter(store, 'pipeline_snapshot'),
            named_only: (values) => {
              const on = values.some((v) => parseBool(v) === true);
              return (s) => !on || s.name !== null;
            },
            pipeline: byNameOrId('pipeline', store.pipelines, (s) => s.pipelineId),
            stack: byNameOrId('stack', store.stacks, (s) => s.stackId),
          },
        },
        [(s) => s.projectId === project.id],
      );
      return json(mapPage(page, (s) => snapshotView(store, s, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/pipeline_snapshots',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const runNameTemplate = reqString(b, 'run_name_template');
      const pipelineConfiguration = optObject(b, 'pipeline_configuration');
      if (!pipelineConfiguration) throw invalid(['body', 'pipeline_configuration'], 'Field required', 'missing');
      const stackId = reqUuid(b, 'stack');
      const pipelineId = reqUuid(b, 'pipeline');
      const buildId = optUuid(b, 'build');
      const codeRef = optObject(b, 'code_reference');
      const input = {
        name: optString(b, 'name'),
        description: optString(b, 'description'),
        replace: optBool(b, 'replace'),
        tags: optStringArray(b, 'tags'),
        isDynamic: optBool(b, 'is_dynamic'),
        stepConfigurations: optObject(b, 'step_configurations'),
        clientVersion: optString(b, 'client_version'),
        serverVersion: optString(b, 'server_version'),
        gitCommit: codeRef && typeof codeRef['commit'] === 'string' ? codeRef['commit'] : undefined,
      };
      const project = createProjectScope(ctx, b);
      store.mustGet(store.stacks, stackId, 'stack');
      store.mustGet(store.pipelines, pipelineId, 'pipeline');
      const snap = createSnapshot(
        store,
        { ...input, projectId: project.id, pipelineId, stackId, buildId, runNameTemplate, pipelineConfiguration },
        ctx.userId,
      );
      return json(snapshotView(store, snap, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/pipeline_snapshots/{snapshot_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const s = store.mustGet(store.snapshots, uuidParam(ctx, 'snapshot_id'), 'pipeline_snapshot');
      return json(snapshotView(store, s, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'PUT',
    template: '/api/v1/pipeline_snapshots/{snapshot_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const id = uuidParam(ctx, 'snapshot_id');
      const b = asObject(ctx.json());
      const update = {
        name: nameUpdate(b),
        description: optString(b, 'description'),
        replace: optBool(b, 'replace'),
        addTags: optStringArray(b, 'add_tags'),
        removeTags: optStringArray(b, 'remove_tags'),
      };
      const s = store.mustGet(store.snapshots, id, 'pipeline_snapshot');
      return json(snapshotView(store, updateSnapshot(store, s, update, ctx.userId), true));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/pipeline_snapshots/{snapshot_id}/runs',
    auth: true,
    proOnly: true,
    handler: (ctx) => {
      const { store, runs } = ctx.app;
      const id = uuidParam(ctx, 'snapshot_id');
      // The body is optional as a whole; both fields are optional too.
      const raw = ctx.json();
      const b = raw === undefined || raw === null ? {} : asObject(raw);
      const runConfiguration = optObject(b, 'run_configuration');
      const stepRun = optUuid(b, 'step_run');
      const snapshot = store.mustGet(store.snapshots, id, 'pipeline_snapshot');
      const run = triggerSnapshot(store, snapshot, { runConfiguration, stepRun }, ctx.userId);
      if (runs.defaultSchedule) run.schedule = { ...runs.defaultSchedule, statuses: [...runs.defaultSchedule.statuses], polls: 0 };
      runs.triggers.push({
        snapshotId: snapshot.id,
        runId: run.id,
        body: raw ?? null,
        runConfiguration: runConfiguration ?? null,
        stepRun: stepRun ?? null,
        // Unknown fields are accepted and silently ignored (API.md §6.3), e.g. a top-level `steps`.
        ignoredKeys: Object.keys(b).filter((k) => k !== 'run_configuration' && k !== 'step_run'),
        at: new Date().toISOString(),
      });
      return json(runView(store, run, true));
    },
  },
];
