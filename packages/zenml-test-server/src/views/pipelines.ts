/** Views of pipelines, builds, snapshots, runs and step runs (API.md §6). */
import { formatMicros, formatNullableMicros } from '../clock.js';
import { isFinished } from '../domain/status.js';
import type { JsonObject } from '../envelope.js';
import { entity } from '../envelope.js';
import type { BaseRec, BuildRec, PipelineRec, RunRec, SnapshotRec, StepRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { tagList, userRef } from './core.js';
import { modelVersionView } from './models.js';
import { stackView } from './stacks.js';

function latestRun(store: Store, match: (r: RunRec) => boolean): RunRec | null {
  let best: RunRec | null = null;
  for (const r of store.runs.values()) if (match(r) && (best === null || r.created > best.created)) best = r;
  return best;
}

export function pipelineView(store: Store, p: PipelineRec, hydrate: boolean): JsonObject {
  const latest = latestRun(store, (r) => r.pipelineId === p.id);
  return entity({
    id: p.id,
    name: p.name,
    body: {
      created: formatMicros(p.created),
      updated: formatMicros(p.updated),
      user_id: p.userId,
      project_id: p.projectId,
      latest_run_id: latest?.id ?? null,
      latest_run_status: latest?.status ?? null,
    },
    metadata: hydrate ? { description: p.description } : null,
    resources: {
      user: userRef(store, p.userId),
      tags: tagList(store, 'pipeline', p.id),
      latest_run_user: latest ? userRef(store, latest.userId) : null,
    },
  });
}

export function buildView(store: Store, b: BuildRec, hydrate: boolean): JsonObject {
  const pipeline = b.pipelineId ? store.pipelines.get(b.pipelineId) : undefined;
  const stack = b.stackId ? store.stacks.get(b.stackId) : undefined;
  return entity({
    id: b.id,
    body: {
      created: formatMicros(b.created),
      updated: formatMicros(b.updated),
      user_id: b.userId,
      project_id: b.projectId,
    },
    metadata: hydrate
      ? {
          pipeline: pipeline ? pipelineView(store, pipeline, false) : null,
          stack: stack ? stackView(store, stack, false) : null,
          images: b.images as unknown as JsonObject,
          zenml_version: b.zenmlVersion,
          python_version: b.pythonVersion,
          checksum: b.checksum,
          stack_checksum: b.stackChecksum,
          is_local: b.isLocal,
          contains_code: b.containsCode,
          duration: b.duration,
        }
      : null,
    resources: { user: userRef(store, b.userId) },
  });
}

/**
 * A code reference carrying the git commit (snapshots and runs). The test
 * server has no code repositories, so `code_repository` is a minimal stand-in.
 */
function codeReferenceView(owner: BaseRec & { projectId: string }, commit: string | null): JsonObject | null {
  if (!commit) return null;
  return entity({
    id: owner.id,
    body: {
      created: formatMicros(owner.created),
      updated: formatMicros(owner.updated),
      commit,
      subdirectory: '',
      code_repository: entity({
        id: '00000000-0000-4000-8000-000000000001',
        name: 'test-server-repository',
        body: {
          created: formatMicros(owner.created),
          updated: formatMicros(owner.updated),
          user_id: null,
          project_id: owner.projectId,
          source: { module: 'zenml.code_repositories.git', attribute: 'LocalGitRepository', type: 'internal' },
          logo_url: null,
        },
        metadata: null,
        resources: null,
      }),
    },
    metadata: null,
    resources: null,
  });
}

export function snapshotView(store: Store, s: SnapshotRec, hydrate: boolean): JsonObject {
  const pipeline = store.pipelines.get(s.pipelineId);
  const stack = store.stacks.get(s.stackId);
  const build = s.buildId ? store.builds.get(s.buildId) : undefined;
  const latest = latestRun(store, (r) => r.snapshotId === s.id || r.sourceSnapshotId === s.id);
  return entity({
    id: s.id,
    name: s.name,
    body: {
      created: formatMicros(s.created),
      updated: formatMicros(s.updated),
      user_id: s.userId,
      project_id: s.projectId,
      runnable: s.runnable,
      deployable: s.deployable,
      is_dynamic: s.isDynamic,
      pipeline_id: s.pipelineId,
    },
    metadata: hydrate
      ? {
          description: s.description,
          source_code: null,
          run_name_template: s.runNameTemplate,
          pipeline_configuration: s.pipelineConfiguration as JsonObject,
          step_configurations: s.stepConfigurations as JsonObject,
          client_environment: {},
          client_version: s.clientVersion,
          server_version: s.serverVersion,
          pipeline_version_hash: null,
          pipeline_spec: null,
          code_path: null,
          template_id: null,
          source_snapshot_id: s.sourceSnapshotId,
          config_template: s.configTemplate as JsonObject | null,
          config_schema: null,
        }
      : null,
    resources: {
      user: userRef(store, s.userId),
      pipeline: pipeline ? pipelineView(store, pipeline, false) : null,
      stack: stack ? stackView(store, stack, false) : null,
      build: build ? buildView(store, build, false) : null,
      schedule: null,
      code_reference: codeReferenceView(s, s.gitCommit),
      deployment: null,
      tags: tagList(store, 'pipeline_snapshot', s.id),
      latest_run_id: latest?.id ?? null,
      latest_run_status: latest?.status ?? null,
      latest_run_user: latest ? userRef(store, latest.userId) : null,
      visualizations: [],
    },
  });
}

export function runView(store: Store, r: RunRec, hydrate: boolean): JsonObject {
  const snapshot = r.snapshotId ? store.snapshots.get(r.snapshotId) : undefined;
  const source = r.sourceSnapshotId ? store.snapshots.get(r.sourceSnapshotId) : undefined;
  const stack = r.stackId ? store.stacks.get(r.stackId) : undefined;
  const pipeline = r.pipelineId ? store.pipelines.get(r.pipelineId) : undefined;
  const build = r.buildId ? store.builds.get(r.buildId) : undefined;
  const mv = r.modelVersionId ? store.modelVersions.get(r.modelVersionId) : undefined;
  return entity({
    id: r.id,
    name: r.name,
    body: {
      created: formatMicros(r.created),
      updated: formatMicros(r.updated),
      user_id: r.userId,
      project_id: r.projectId,
      status: r.status,
      in_progress: !isFinished(r.status),
      status_reason: r.statusReason,
      index: r.index,
      pipeline_id: r.pipelineId,
    },
    metadata: hydrate
      ? {
          run_metadata: store.latestMetadata('pipeline_run', r.id) as JsonObject,
          config: r.config as JsonObject,
          start_time: formatNullableMicros(r.startTime),
          end_time: formatNullableMicros(r.endTime),
          client_environment: {},
          orchestrator_environment: {},
          orchestrator_run_id: r.orchestratorRunId,
          code_path: null,
          template_id: null,
          is_templatable: false,
          step_substitutions: {},
          exception_info: null,
          trigger_info: null,
        }
      : null,
    resources: {
      user: userRef(store, r.userId),
      snapshot: snapshot ? snapshotView(store, snapshot, false) : null,
      source_snapshot: source ? snapshotView(store, source, false) : null,
      stack: stack ? stackView(store, stack, false) : null,
      pipeline: pipeline ? pipelineView(store, pipeline, false) : null,
      build: build ? buildView(store, build, false) : null,
      schedule: null,
      code_reference: codeReferenceView(r, r.gitCommit),
      model_version: mv ? modelVersionView(store, mv, false) : null,
      tags: tagList(store, 'pipeline_run', r.id),
      logs: null,
      visualizations: [],
    },
  });
}

export function stepView(store: Store, s: StepRec, hydrate: boolean): JsonObject {
  const run = store.runs.get(s.runId);
  return entity({
    id: s.id,
    name: s.name,
    body: {
      created: formatMicros(s.created),
      updated: formatMicros(s.updated),
      user_id: s.userId,
      project_id: s.projectId,
      status: s.status,
      start_time: formatNullableMicros(s.startTime),
      end_time: formatNullableMicros(s.endTime),
      pipeline_run_id: s.runId,
      is_retriable: false,
      model_version_id: null,
      substitutions: {},
    },
    metadata: hydrate
      ? {
          pipeline_run_id: s.runId,
          snapshot_id: run?.snapshotId ?? null,
          status_reason: s.statusReason,
          config: {},
          spec: {},
          cache_key: null,
          code_hash: null,
          docstring: null,
          source_code: null,
          logs: null,
          run_metadata: store.latestMetadata('step_run', s.id) as JsonObject,
        }
      : null,
    resources: {
      user: userRef(store, s.userId),
      model_version: null,
      inputs: {},
      outputs: {},
    },
  });
}
