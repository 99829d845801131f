/**
 * Test-side control of pipeline runs: tests (or the CLI's auto-progress mode)
 * decide how a triggered run's status evolves, and can inspect what trigger
 * bodies the server received.
 */
import { advanceRun } from './domain/runs.js';
import { isFinished } from './domain/status.js';
import type { Store } from './store/store.js';

export interface TriggerRecord {
  snapshotId: string;
  runId: string;
  /** The whole JSON body as received. */
  body: unknown;
  runConfiguration: Record<string, unknown> | null;
  stepRun: string | null;
  /** Top-level keys the server ignored (anything but run_configuration / step_run), e.g. `steps`. */
  ignoredKeys: string[];
  at: string;
}

export interface RunSnapshotInfo {
  id: string;
  status: string;
  statusReason: string | null;
  inProgress: boolean;
  /** How many times the run was polled through GET /runs/{id} or /runs/{id}/status. */
  polls: number;
}

export interface RunsControl {
  /** Moves a run to a status; steps (name → status) are created on first mention. */
  advance(runId: string, to: string, opts?: { statusReason?: string; steps?: Record<string, string> }): void;
  /**
   * Runs triggered from now on follow `statuses` by poll count: the k-th poll
   * sees statuses[k], the last one sticks. `null` turns auto-progress off.
   */
  autoProgress(statuses: string[] | null, opts?: { statusReason?: string }): void;
  /** The same for one existing run. */
  schedule(runId: string, statuses: string[], opts?: { statusReason?: string }): void;
  get(runId: string): RunSnapshotInfo;
  /** Every snapshot trigger received, oldest first. */
  readonly triggers: TriggerRecord[];
}

export interface RunsState {
  defaultSchedule: { statuses: string[]; statusReason: string | null } | null;
  triggers: TriggerRecord[];
}

export function createRunsControl(store: Store, state: RunsState): RunsControl {
  const mustRun = (runId: string) => {
    const run = store.runs.get(runId);
    if (!run) throw new Error(`zenml-test-server: no pipeline run ${runId}`);
    return run;
  };
  return {
    advance(runId, to, opts = {}) {
      advanceRun(store, mustRun(runId), to, opts);
    },
    autoProgress(statuses, opts = {}) {
      state.defaultSchedule = statuses ? { statuses: [...statuses], statusReason: opts.statusReason ?? null } : null;
    },
    schedule(runId, statuses, opts = {}) {
      const run = mustRun(runId);
      run.schedule = { statuses: [...statuses], polls: 0, statusReason: opts.statusReason ?? null };
    },
    get(runId) {
      const run = mustRun(runId);
      return {
        id: run.id,
        status: run.status,
        statusReason: run.statusReason,
        inProgress: !isFinished(run.status),
        polls: run.pollCount,
      };
    },
    get triggers() {
      return state.triggers;
    },
  };
}

