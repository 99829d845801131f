/**
 * Pipeline runs: creation, status progression driven by tests, and the
 * snapshot trigger of API.md §6.3 (placeholder run in `initializing`).
 */
import { nowMicros } from '../clock.js';
import { valueError, zenError } from '../errors.js';
import type { RunRec, SnapshotRec, StepRec } from '../store/records.js';
import type { Store } from '../store/store.js';
import { createSnapshot } from './snapshots.js';
import { isFinished } from './status.js';

export interface RunInput {
  projectId: string;
  pipelineId?: string | null | undefined;
  name?: string | undefined;
  status?: string | undefined;
  statusReason?: string | undefined;
  snapshotId?: string | undefined;
  sourceSnapshotId?: string | undefined;
  stackId?: string | undefined;
  buildId?: string | undefined;
  config?: Record<string, unknown> | undefined;
  modelVersionId?: string | undefined;
  gitCommit?: string | undefined;
  tags?: string[] | undefined;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ZenML's default run name template `{pipeline_name}-{date}-{time}`. */
function defaultRunName(pipelineName: string, micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  const date = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}_${pad(micros % 1_000_000, 6)}`;
  return `${pipelineName}-${date}-${time}`;
}

export function createRun(store: Store, input: RunInput, userId: string | null): RunRec {
  const pipeline = input.pipelineId ? store.mustGet(store.pipelines, input.pipelineId, 'pipeline') : undefined;
  const base = store.base(userId);
  const index = [...store.runs.values()].filter((r) => r.pipelineId === (pipeline?.id ?? null)).length + 1;
  const status = input.status ?? 'initializing';
  const name = input.name ?? defaultRunName(pipeline?.name ?? 'run', base.created);
  for (const r of store.runs.values()) {
    if (r.projectId === input.projectId && r.name === name) {
      throw zenError(409, 'DuplicateRunNameError', `Unable to create pipeline run: A pipeline run with name '${name}' already exists.`);
    }
  }
  const rec: RunRec = {
    ...base,
    projectId: input.projectId,
    name,
    pipelineId: pipeline?.id ?? null,
    snapshotId: input.snapshotId ?? null,
    sourceSnapshotId: input.sourceSnapshotId ?? null,
    stackId: input.stackId ?? null,
    buildId: input.buildId ?? null,
    status,
    statusReason: input.statusReason ?? null,
    index,
    startTime: status === 'initializing' ? null : base.created,
    endTime: isFinished(status) ? base.created : null,
    config: input.config ?? {},
    modelVersionId: input.modelVersionId ?? null,
    gitCommit: input.gitCommit ?? null,
    orchestratorRunId: null,
    pollCount: 0,
    schedule: null,
  };
  store.runs.set(rec.id, rec);
  store.applyTagNames('pipeline_run', rec.id, input.tags, undefined, userId);
  return rec;
}

export interface AdvanceOptions {
  statusReason?: string | undefined;
  /** step name → status; steps are created on first mention. */
  steps?: Record<string, string> | undefined;
}

export function setStepStatus(store: Store, run: RunRec, name: string, status: string): StepRec {
  const now = nowMicros();
  let step = [...store.steps.values()].find((s) => s.runId === run.id && s.name === name);
  if (!step) {
    step = {
      ...store.base(run.userId),
      projectId: run.projectId,
      runId: run.id,
      name,
      status,
      statusReason: null,
      startTime: null,
      endTime: null,
    };
    store.steps.set(step.id, step);
  }
  step.status = status;
  if (status !== 'initializing' && step.startTime === null) step.startTime = now;
  step.endTime = isFinished(status) ? (step.endTime ?? now) : null;
  store.touch(step);
  return step;
}

export function advanceRun(store: Store, run: RunRec, to: string, opts: AdvanceOptions = {}): void {
  const now = nowMicros();
  run.status = to;
  if (opts.statusReason !== undefined) run.statusReason = opts.statusReason;
  if (to !== 'initializing' && run.startTime === null) run.startTime = now;
  run.endTime = isFinished(to) ? (run.endTime ?? now) : null;
  for (const [name, status] of Object.entries(opts.steps ?? {})) setStepStatus(store, run, name, status);
  store.touch(run);
}

/** One poll of a run with an auto-progress schedule: the k-th poll shows statuses[k] (last one sticks). */
export function pollRun(store: Store, run: RunRec): void {
  run.pollCount += 1;
  const s = run.schedule;
  if (!s || s.statuses.length === 0) return;
  const next = s.statuses[Math.min(s.polls, s.statuses.length - 1)] ?? run.status;
  s.polls += 1;
  if (next !== run.status) {
    advanceRun(store, run, next, isFinished(next) && s.statusReason !== null ? { statusReason: s.statusReason } : {});
  }
}

export interface TriggerInput {
  runConfiguration: Record<string, unknown> | undefined;
  stepRun: string | undefined;
}

/**
 * `POST /pipeline_snapshots/{id}/runs`: refuses a snapshot that isn't runnable
 * (400 ValueError with the reason), otherwise creates a new unnamed snapshot
 * whose source is the triggered one, and a placeholder run in `initializing`.
 */
export function triggerSnapshot(store: Store, snapshot: SnapshotRec, input: TriggerInput, userId: string | null): RunRec {
  if (!snapshot.runnable) throw valueError(snapshot.notRunnableReason ?? 'This snapshot is not runnable.');
  const derived = createSnapshot(
    store,
    {
      projectId: snapshot.projectId,
      pipelineId: snapshot.pipelineId,
      stackId: snapshot.stackId,
      buildId: snapshot.buildId ?? undefined,
      runnable: true,
      runNameTemplate: snapshot.runNameTemplate,
      pipelineConfiguration: { ...snapshot.pipelineConfiguration, ...(input.runConfiguration ?? {}) },
      stepConfigurations: snapshot.stepConfigurations,
      gitCommit: snapshot.gitCommit ?? undefined,
      sourceSnapshotId: snapshot.id,
    },
    userId,
  );
  const cfg = input.runConfiguration ?? {};
  const runName = typeof cfg['run_name'] === 'string' ? cfg['run_name'] : undefined;
  const tags = Array.isArray(cfg['tags']) ? cfg['tags'].filter((t): t is string => typeof t === 'string') : undefined;
  return createRun(
    store,
    {
      projectId: snapshot.projectId,
      pipelineId: snapshot.pipelineId,
      name: runName,
      status: 'initializing',
      snapshotId: derived.id,
      sourceSnapshotId: snapshot.id,
      stackId: snapshot.stackId,
      buildId: snapshot.buildId ?? undefined,
      config: cfg,
      gitCommit: snapshot.gitCommit ?? undefined,
      tags,
    },
    userId,
  );
}
