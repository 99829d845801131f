/**
 * Running a snapshot (API.md §6.3, §6.4): trigger, watch to the end, judge, summarise.
 */
import { InputError, RejectedError, ZenmlApiError } from '../errors.js';
import { code, facts, heading, table } from '../action/markdown.js';
import { runDashboardUrl } from '../export/source-facts.js';
import type { ZenmlClient } from '../zenml/client.js';
import {
  FINISHED_RUN_STATUSES,
  PipelineRunResponseSchema,
  PipelineSnapshotResponseSchema,
  runInProgress,
  StepRunResponseSchema,
  type PipelineRunResponse,
} from '../zenml/schemas.js';
import { getJson, sendJson } from './http.js';
import type { SnapshotInfo } from './snapshot.js';

export interface TriggerRequest {
  project: string;
  snapshot: SnapshotInfo;
  parameters?: Record<string, unknown>;
  steps?: Record<string, unknown>;
  runName?: string;
}

export interface RunInfo {
  id: string;
  name: string;
  status: string;
  inProgress: boolean;
  statusReason?: string;
  startTime?: string;
  endTime?: string;
  /** Dashboard URL, when the server reports a dashboard_url. */
  url?: string;
}

export interface StepInfo {
  name: string;
  status: string;
  startTime?: string;
  endTime?: string;
  durationSeconds?: number;
}

export const SUCCESSFUL_RUN_STATUSES: ReadonlySet<string> = new Set(['completed', 'cached', 'skipped']);

async function dashboardUrl(client: ZenmlClient, runId: string): Promise<string | undefined> {
  try {
    return runDashboardUrl(await client.serverInfo(), runId);
  } catch {
    return undefined; // a link is a courtesy: never fail a run over it
  }
}

function toRunInfo(r: PipelineRunResponse, url: string | undefined, previous?: RunInfo): RunInfo {
  const info: RunInfo = {
    id: r.id,
    name: r.name,
    status: r.body?.status ?? 'unknown',
    inProgress: runInProgress(r),
  };
  const reason = r.body?.status_reason ?? undefined;
  const start = r.metadata?.start_time ?? previous?.startTime;
  const end = r.metadata?.end_time ?? previous?.endTime;
  if (reason) info.statusReason = reason;
  if (start) info.startTime = start;
  if (end) info.endTime = end;
  if (url) info.url = url;
  return info;
}

/** POST /pipeline_snapshots/{id}/runs with the configuration wrapped in `run_configuration`. */
export async function triggerSnapshot(client: ZenmlClient, req: TriggerRequest): Promise<RunInfo> {
  const runConfiguration: Record<string, unknown> = {};
  if (req.parameters && Object.keys(req.parameters).length) runConfiguration['parameters'] = req.parameters;
  if (req.steps && Object.keys(req.steps).length) runConfiguration['steps'] = req.steps;
  if (req.runName?.trim()) runConfiguration['run_name'] = req.runName.trim();
  // Never a top-level `steps`/`parameters`: the server silently ignores unknown keys (API.md §6.3).
  const body = { run_configuration: runConfiguration };
  const label = req.snapshot.name ? `'${req.snapshot.name}' (${req.snapshot.id})` : req.snapshot.id;
  let run: PipelineRunResponse;
  try {
    run = await sendJson(
      client,
      'POST',
      `/api/v1/pipeline_snapshots/${req.snapshot.id}/runs`,
      body,
      PipelineRunResponseSchema,
      'POST /api/v1/pipeline_snapshots/{id}/runs',
    );
  } catch (err) {
    if (err instanceof ZenmlApiError && err.status === 404) {
      // A missing snapshot is a KeyError body; a missing route (no workload manager) has none.
      if (err.exceptionClass === 'KeyError' || /unable to get|no pipeline_snapshot/i.test(err.serverMessage)) {
        throw new InputError('snapshot', `snapshot ${label} was not found on ${client.serverUrl} (${err.serverMessage}).`);
      }
      throw new InputError(
        'snapshot',
        `running snapshots needs ZenML Pro (a workload manager): ${client.serverUrl} has no POST /api/v1/pipeline_snapshots/{id}/runs route (404). ` +
          'Use a ZenML Pro workspace, or a self-hosted server with the workload manager configured.',
      );
    }
    if (err instanceof ZenmlApiError && err.status === 400) {
      throw new InputError('snapshot', `snapshot ${label} can not be run: ${err.serverMessage || 'the server refused it (400)'}`);
    }
    throw err;
  }
  return toRunInfo(run, await dashboardUrl(client, run.id));
}

function seconds(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  // ZenML datetimes are UTC without a zone suffix.
  const parse = (s: string) => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  const d = (parse(end) - parse(start)) / 1000;
  return Number.isFinite(d) && d >= 0 ? Math.round(d * 10) / 10 : undefined;
}

async function listSteps(client: ZenmlClient, runId: string): Promise<StepInfo[]> {
  const out: StepInfo[] = [];
  for await (const s of client.paginate(`/api/v1/runs/${runId}/steps`, { sort_by: 'asc:created' }, StepRunResponseSchema)) {
    const step: StepInfo = { name: s.name, status: s.body?.status ?? 'unknown' };
    const start = s.body?.start_time ?? undefined;
    const end = s.body?.end_time ?? undefined;
    if (start) step.startTime = start;
    if (end) step.endTime = end;
    const d = seconds(start, end);
    if (d !== undefined) step.durationSeconds = d;
    out.push(step);
  }
  return out;
}

/** How many steps the run's snapshot has (its hydrated step_configurations); undefined when unknown. */
async function stepCount(client: ZenmlClient, snapshotId: string | undefined): Promise<number | undefined> {
  if (!snapshotId) return undefined;
  try {
    const s = await getJson(client, `/api/v1/pipeline_snapshots/${snapshotId}`, { hydrate: true }, PipelineSnapshotResponseSchema, 'GET /api/v1/pipeline_snapshots/{id}');
    const cfg = s.metadata?.['step_configurations'];
    const n = cfg && typeof cfg === 'object' ? Object.keys(cfg).length : 0;
    return n > 0 ? n : undefined;
  } catch {
    return undefined; // progress is a courtesy
  }
}

function stepProgress(steps: StepInfo[], total: number | undefined): string {
  const done = steps.filter((s) => FINISHED_RUN_STATUSES.has(s.status)).length;
  const running = steps.filter((s) => !FINISHED_RUN_STATUSES.has(s.status)).map((s) => s.name);
  const of = Math.max(total ?? 0, steps.length);
  const failed = steps.filter((s) => s.status === 'failed').map((s) => s.name);
  return (
    `${done}/${of} steps completed` +
    (running.length ? `; running: ${running.join(', ')}` : '') +
    (failed.length ? `; failed: ${failed.join(', ')}` : '')
  );
}

function formatDuration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Polls the run until it finishes or `timeoutMs` passes; logs status and step progress as they change. */
export async function waitForRun(
  client: ZenmlClient,
  run: RunInfo,
  opts: {
    project: string;
    timeoutMs: number;
    pollIntervalMs: number;
    log: (l: string) => void;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<{ run: RunInfo; steps: StepInfo[]; durationSeconds: number }> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const deadline = started + opts.timeoutMs;
  const url = run.url ?? (await dashboardUrl(client, run.id));
  let current: RunInfo = { ...run, ...(url ? { url } : {}) };
  let steps: StepInfo[] = [];
  let lastStatus = '';
  let lastProgress = '';
  let totalSteps: number | undefined;
  let snapshotChecked = false;

  for (;;) {
    const r = await getJson(client, `/api/v1/runs/${run.id}`, { hydrate: false }, PipelineRunResponseSchema, 'GET /api/v1/runs/{id}');
    current = toRunInfo(r, url, current);
    if (current.status !== lastStatus) {
      opts.log(`Run ${current.name}: ${current.status}`);
      lastStatus = current.status;
    }
    if (!snapshotChecked) {
      snapshotChecked = true;
      totalSteps = await stepCount(client, r.resources?.snapshot?.id ?? undefined);
    }
    steps = await listSteps(client, run.id);
    const progress = steps.length ? stepProgress(steps, totalSteps) : '';
    if (progress && progress !== lastProgress) {
      opts.log(`Run ${current.name}: ${progress}`);
      lastProgress = progress;
    }
    if (!current.inProgress) break;
    const t = now();
    if (t >= deadline) {
      const where = current.url ? ` (${current.url})` : ` (run id ${current.id})`;
      throw new RejectedError(
        `Run ${current.name}${where} did not finish within ${formatDuration(opts.timeoutMs / 1000)}: it is still ${current.status}` +
          `${lastProgress ? `, ${lastProgress}` : ''}. The run keeps going on the server; raise timeout or watch it in the dashboard.`,
      );
    }
    await sleep(Math.max(0, Math.min(opts.pollIntervalMs, deadline - t)));
  }

  // The hydrated run carries start/end times for the duration.
  try {
    const full = await getJson(client, `/api/v1/runs/${run.id}`, { hydrate: true }, PipelineRunResponseSchema, 'GET /api/v1/runs/{id}');
    current = toRunInfo(full, url, current);
  } catch {
    /* keep what we have */
  }
  const serverDuration = seconds(current.startTime, current.endTime);
  const durationSeconds = serverDuration ?? Math.round((now() - started) / 100) / 10;
  opts.log(`Run ${current.name} finished: ${current.status} after ${formatDuration(durationSeconds)}`);
  return { run: current, steps, durationSeconds };
}

/** failed/stopped/cancelled (anything not completed/cached/skipped) → one line with the reason and the URL. */
export function assertRunSucceeded(run: RunInfo): void {
  if (SUCCESSFUL_RUN_STATUSES.has(run.status)) return;
  if (run.inProgress) {
    throw new RejectedError(`Run ${run.name} has not finished (status ${run.status})${run.url ? `: ${run.url}` : ''}.`);
  }
  const reason = run.statusReason ? `: ${run.statusReason.trim().replace(/\.+$/, '')}` : ' (the server gave no reason)';
  const where = run.url ? `See ${run.url}` : `Run id ${run.id}.`;
  throw new RejectedError(`Run ${run.name} ended ${run.status}${reason}. ${where}`);
}

export function runSummary(r: { run: RunInfo; steps: StepInfo[]; durationSeconds: number; snapshot: SnapshotInfo }): string {
  const { run, steps, snapshot } = r;
  const link = run.url ? `[${run.name}](${run.url})` : run.name;
  const status = run.statusReason && !SUCCESSFUL_RUN_STATUSES.has(run.status) ? `${run.status}: ${run.statusReason}` : run.status;
  let md =
    heading(`Pipeline run ${run.name}`) +
    facts([
      ['Run', link],
      ['Status', status],
      ['Duration', formatDuration(r.durationSeconds)],
      ['Snapshot', snapshot.name ? `${snapshot.name} (${code(snapshot.id)})` : code(snapshot.id)],
      ['Pipeline', snapshot.pipeline ?? snapshot.pipelineId],
    ]);
  if (steps.length) {
    md +=
      '\n' +
      table(
        ['Step', 'Status', 'Duration'],
        steps.map((s) => [s.name, s.status, s.durationSeconds === undefined ? undefined : formatDuration(s.durationSeconds)]),
      );
  }
  return md;
}
